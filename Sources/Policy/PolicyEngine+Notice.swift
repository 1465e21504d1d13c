import PacketDecoding

// notice.bro / alarm.bro (SEMANTICS-RPC §5).
extension PolicyEngine {
    /// `new_notice_tag()`: prefix + lowercase hex of a run-wide counter.
    func newNoticeTag() -> String {
        noticeCounter += 1
        return configuration.noticeTagPrefix + String(noticeCounter, radix: 16)
    }

    /// `add_notice_tag(c)`: one tag per conn_id, appended to addl when first drawn.
    func addNoticeTag(_ id: ConnectionID, record: inout ConnectionRecord) -> String {
        if let tag = noticeTags[id] { return tag }
        let tag = newNoticeTag()
        Annotation.append("@" + tag, to: &record.addl)
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
