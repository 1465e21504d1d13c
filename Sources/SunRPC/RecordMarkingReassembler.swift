/// One direction's record-marking reassembler (RFC 1831 §10; the reference's
/// Contents_RPC, SEMANTICS-RPC §1.3.1).
///
/// Marker word: top bit = last fragment, low 31 bits = fragment length.
/// Fragments are concatenated; a record longer than 65536 bytes raises
/// `excessive_RPC_len` per offending marker and is clamped (the rest of the
/// stream is then misread as markers — as in the reference).
///
/// The reference processes a chunk by recursing on the unconsumed rest; this
/// is the same state machine as a loop, with the same observable points: a
/// record is interpreted as soon as its last byte arrives, except a
/// zero-length record, which waits for the next byte to arrive.
///
/// Records that lie entirely inside one chunk are interpreted in place (no
/// copy); only records spanning chunks are buffered, in a buffer that keeps
/// its capacity unless it grew beyond `retainedCapacity`.
public struct RecordMarkingReassembler: Sendable {
    /// The reference's states.
    @frozen
    public enum Phase: Sendable, Equatable {
        /// Collecting a 4-byte fragment marker.
        case recordMarker
        /// Collecting fragment bytes.
        case messageBuffer
        /// The last byte ended a record; the next byte starts a new one.
        case complete
    }

    /// Current phase (`partial_RPC_request` looks at the originator's).
    @inlinable public var phase: Phase { state }
    /// Set at connection start and after a content gap: the next chunk must
    /// look like the start of a record or it is discarded silently.
    @inlinable public var isResynchronizing: Bool { resync }

    @usableFromInline var state: Phase
    @usableFromInline var resync: Bool

    @usableFromInline var marker: UInt32
    @usableFromInline var markerBytes: Int
    @usableFromInline var lastFragment: Bool
    /// Accumulated record length to reach (clamped to the maximum).
    @usableFromInline var target: Int
    /// Bytes of the record so far (fragment headers excluded).
    @usableFromInline var record: [UInt8]

    /// Buffer capacity kept across records; larger buffers are released after use.
    public static let retainedCapacity = 4096

    public init() {
        state = .recordMarker
        resync = true
        marker = 0
        markerBytes = 0
        lastFragment = false
        target = 0
        record = []
    }

    /// Discards a partial record and starts over at a marker (reference `InitBuffer`).
    @inlinable
    mutating func startRecord() {
        state = .recordMarker
        marker = 0
        markerBytes = 0
        lastFragment = false
        target = 0
        if record.capacity > Self.retainedCapacity {
            record = []
        } else {
            record.removeAll(keepingCapacity: true)
        }
    }

    /// A content gap in this direction: drop the partial record and resynchronise.
    @inlinable
    public mutating func contentGap() {
        startRecord()
        resync = true
    }

    /// Feeds one in-order chunk and interprets every record it completes.
    /// - Returns: nothing; weirds (`excessive_RPC_len`, `partial_RPC`) and the
    ///   interpreter's events go to `events`.
    @inlinable
    mutating func deliver<Program: RPCProgram>(
        _ chunk: UnsafeRawBufferPointer, isOrig: Bool, stamp: RPCEventStamp,
        interpreter: inout RPCTCPInterpreter<Program>, events: inout RPCEventBuffer<Program.Event>,
        statistics: inout RPCStatistics
    ) {
        if state == .complete { startRecord() }
        if resync && state == .recordMarker && markerBytes == 0 && record.isEmpty {
            // Records are assumed to start at chunk boundaries; a piece shorter
            // than 12 bytes is taken for the tail of an earlier record. The
            // marker is compared as a full 32-bit word (last-fragment bit included).
            guard chunk.count >= 12 else {
                statistics.resyncDiscardedChunks &+= 1
                statistics.resyncDiscardedBytes &+= UInt64(chunk.count)
                return
            }
            let frameLength = UInt32(bigEndian: chunk.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let frameType = UInt32(bigEndian: chunk.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            guard frameLength >= 16, frameType == (isOrig ? 0 : 1) else {
                statistics.resyncDiscardedChunks &+= 1
                statistics.resyncDiscardedBytes &+= UInt64(chunk.count)
                return
            }
            resync = false
        }

        var position = 0
        let end = chunk.count
        while true {
            if state == .complete { startRecord() }
            switch state {
            case .recordMarker:
                if markerBytes == 0 && record.isEmpty && end - position > 4 {
                    // Fast path: a whole single-fragment record inside this chunk.
                    let word = UInt32(bigEndian: chunk.loadUnaligned(fromByteOffset: position, as: UInt32.self))
                    let length = Int(word & 0x7fff_ffff)
                    if word & 0x8000_0000 != 0 && length <= RPCConfiguration.maximumRecordLength
                        && end - position - 4 >= length {
                        let start = position + 4
                        position = start + length
                        interpret(UnsafeRawBufferPointer(rebasing: chunk[start..<position]), isOrig: isOrig,
                                  stamp: stamp, interpreter: &interpreter, events: &events, statistics: &statistics)
                        state = .complete
                        if position == end { return }
                        continue
                    }
                }
                while markerBytes < 4 && position < end {
                    marker = marker << 8 | UInt32(chunk[position])
                    markerBytes += 1
                    position += 1
                }
                if markerBytes < 4 { return }
                lastFragment = marker & 0x8000_0000 != 0
                var total = Int(marker & 0x7fff_ffff) + record.count
                if total > RPCConfiguration.maximumRecordLength {
                    events.append(.weird(.excessiveRPCLength), at: stamp)
                    total = RPCConfiguration.maximumRecordLength
                }
                target = total
                marker = 0
                markerBytes = 0
                state = .messageBuffer
            case .messageBuffer:
                let take = min(target - record.count, end - position)
                if take > 0 {
                    record.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[position..<(position + take)]))
                    position += take
                }
                if record.count < target { return }
                if !lastFragment {
                    state = .recordMarker
                } else {
                    record.withUnsafeBytes { bytes in
                        interpret(bytes, isOrig: isOrig, stamp: stamp, interpreter: &interpreter,
                                  events: &events, statistics: &statistics)
                    }
                    state = .complete
                }
            case .complete:
                break  // unreachable: reset at the top of the loop
            }
            // The reference continues only while bytes of this chunk remain.
            if position == end { return }
        }
    }

    @inlinable
    func interpret<Program: RPCProgram>(
        _ record: UnsafeRawBufferPointer, isOrig: Bool, stamp: RPCEventStamp,
        interpreter: inout RPCTCPInterpreter<Program>, events: inout RPCEventBuffer<Program.Event>,
        statistics: inout RPCStatistics
    ) {
        statistics.messages &+= 1
        if !interpreter.interpret(record, isOrig: isOrig, stamp: stamp, events: &events, statistics: &statistics) {
            events.append(.weird(.partialRPC), at: stamp)
        }
    }
}
