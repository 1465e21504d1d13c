import PacketDecoding

// notice.bro / alarm.bro (SEMANTICS-RPC §5).
extension PolicyEngine {
    /// `new_notice_tag()`: prefix + lowercase hex of a run-wide counter.
    func newNoticeTag() -> String {
        noticeCounter += 1
        tagScratch.removeAll()
        tagScratch.append(configuration.noticeTagPrefix)
        Self.appendLowercaseHex(noticeCounter, to: tagScratch)
        return tagScratch.string
    }

    /// `String(value, radix: 16)` as bytes.
    static func appendLowercaseHex(_ value: UInt64, to text: LineBuffer) {
        let digits = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xf
            text.append(byte: nibble < 10 ? nibble &+ 0x30 : nibble &+ 0x57)
            shift -= 4
        }
    }

    /// `add_notice_tag(c)`: one tag per conn_id, appended to addl when first drawn.
    func addNoticeTag(_ id: ConnectionID, record: inout ConnectionRecord) -> String {
        // One hash for both the lookup and the insertion of a new tag.
        if let index = noticeTags.index(forKey: id) { return noticeTags.values[index] }
        let tag = newNoticeTag()
        annotate("@" + tag, &record.addl)
        noticeTags[id] = tag
        return tag
    }

    /// NOTICE with `$conn`: src/dst/ports from the id, tag shared by the connection.
    func notice(note: String, message: String, connection: PolicyConnection, record: inout ConnectionRecord) {
        let id = connection.id
        let tag = addNoticeTag(id, record: &record)
        emitNotice(NoticeRecord(
            time: networkTime, note: note, action: .alarmAlways,
            source: id.originator, sourcePort: PortValue(id.originatorPort, id.proto),
            destination: id.responder, destinationPort: PortValue(id.responderPort, id.proto),
            count: nil, message: message, sub: nil, tag: tag))
    }

    /// NOTICE without a connection (net/flow weirds, scan notices): a fresh tag each time.
    func notice(note: String, message: String, source: IPv4Address? = nil, count: UInt64? = nil) {
        let tag = newNoticeTag()
        emitNotice(NoticeRecord(
            time: networkTime, note: note, action: .alarmAlways, source: source, sourcePort: nil,
            destination: nil, destinationPort: nil, count: count, message: message, sub: nil, tag: tag))
    }

    /// Applies the notice policy (the tag is drawn before it, as in the reference, so an
    /// ignored notice still consumes a number).
    func emitNotice(_ record: consuming NoticeRecord) {
        record.action = configuration.noticeActions[record.note] ?? configuration.defaultNoticeAction
        guard record.action != .ignore else { return }
        output.notices.append(record)
    }
}
