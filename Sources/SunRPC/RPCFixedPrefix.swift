/// The first six big-endian words of an ONC RPC message (RFC 1831):
/// xid, msg_type and — for a CALL — rpcvers, prog, vers, proc.
///
/// For a REPLY the same words are reply_stat, verifier flavor, verifier
/// length and (with an empty verifier) accept_stat, so the prefix also lets
/// the reply path skip its common case without further bounds checks.
///
/// Two parsers produce identical values: `parse(_:)` loads the words as one
/// SIMD vector, swaps them together and classifies them with vector compares;
/// `parseScalar(_:)` reads them one by one. A differential test keeps them equal.
@frozen
public struct RPCFixedPrefix: Equatable, Sendable {
    /// Message words in host order. Lanes at or beyond `wordCount` and lanes 6
    /// and 7 are always zero, so two prefixes compare equal exactly when they
    /// describe the same bytes.
    public var words: SIMD8<UInt32>
    /// Complete words available, `0 ... 6`.
    public var wordCount: Int
    /// Classification of the words (see `Flags`).
    public var flags: Flags

    @inlinable
    public init(words: SIMD8<UInt32>, wordCount: Int, flags: Flags) {
        self.words = words
        self.wordCount = wordCount
        self.flags = flags
    }

    /// The portmapper program number.
    public static let portmapProgram: UInt32 = 100_000

    /// Facts about the prefix that the message paths branch on.
    ///
    /// The flags are `@inlinable` computed constants rather than `static let`s:
    /// a stored static of another module is reached through an addressor call,
    /// and in the vector parser each such call also spilled the SIMD registers
    /// around it (seen in a benchmark build: seven calls per parse).
    @frozen
    public struct Flags: OptionSet, Sendable {
        public var rawValue: UInt8
        @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// msg_type = 0 (CALL).
        @inlinable public static var isCall: Flags { Flags(rawValue: 1 << 0) }
        /// msg_type = 1 (REPLY).
        @inlinable public static var isReply: Flags { Flags(rawValue: 1 << 1) }
        /// A CALL with all six words present.
        @inlinable public static var hasCompleteCallHeader: Flags { Flags(rawValue: 1 << 2) }
        /// A complete CALL header for program 100000.
        @inlinable public static var isPortmapCall: Flags { Flags(rawValue: 1 << 3) }
        /// A complete CALL header whose procedure is 0 ... 5 (a portmap v2 procedure).
        @inlinable public static var hasPortmapProcedure: Flags { Flags(rawValue: 1 << 4) }
        /// A complete CALL header with rpcvers = 2 (informational: neither path checks it).
        @inlinable public static var isRPCVersion2: Flags { Flags(rawValue: 1 << 5) }
        /// A REPLY, MSG_ACCEPTED, verifier body empty: accept_stat is word 5.
        @inlinable public static var isAcceptedReplyWithEmptyVerifier: Flags { Flags(rawValue: 1 << 6) }
    }

    @inlinable public var xid: UInt32 { words[0] }
    @inlinable public var messageType: UInt32 { words[1] }
    @inlinable public var rpcVersion: UInt32 { words[2] }
    @inlinable public var program: UInt32 { words[3] }
    @inlinable public var version: UInt32 { words[4] }
    @inlinable public var procedure: UInt32 { words[5] }
    /// reply_stat of a REPLY (same position as rpcvers).
    @inlinable public var replyStatus: UInt32 { words[2] }
    /// accept_stat of an accepted REPLY with an empty verifier.
    @inlinable public var acceptStatus: UInt32 { words[5] }
}

extension RPCFixedPrefix {
    /// Vector parser: one (or two) unaligned SIMD loads, one vector byte swap,
    /// three vector compares, then plain branches on the resulting mask lanes.
    /// Buffers shorter than 24 bytes (only broken messages) take the scalar path.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> RPCFixedPrefix {
        let raw: SIMD8<UInt32>
        if bytes.count >= 32 {
            raw = bytes.loadUnaligned(as: SIMD8<UInt32>.self)
        } else if bytes.count >= 24 {
            let low = bytes.loadUnaligned(as: SIMD4<UInt32>.self)
            let high = bytes.loadUnaligned(fromByteOffset: 16, as: SIMD2<UInt32>.self)
            raw = SIMD8(lowHalf: low, highHalf: SIMD4(lowHalf: high, highHalf: SIMD2()))
        } else {
            return parseScalar(bytes)
        }
        // Lanes 6 and 7 are not part of the prefix.
        let keep = SIMD8<UInt32>(~0, ~0, ~0, ~0, ~0, ~0, 0, 0)
        let words = byteSwappedFromWire(raw) & keep

        // Scalar-initialised constants (no array literals: see SWIFT-NOTES).
        let callPattern = SIMD8<UInt32>(0, 0, 2, portmapProgram, 0, 0, 0, 0)
        let replyPattern = SIMD8<UInt32>(0, 1, 0, 0, 0, 0, 0, 0)
        let procedureLimit = SIMD8<UInt32>(repeating: 5)
        let callMatch = words .== callPattern
        let replyMatch = words .== replyPattern
        let procedureMatch = words .<= procedureLimit

        var flags = Flags()
        if callMatch[1] {
            flags.insert([.isCall, .hasCompleteCallHeader])
            if callMatch[2] { flags.insert(.isRPCVersion2) }
            if callMatch[3] {
                flags.insert(.isPortmapCall)
                if procedureMatch[5] { flags.insert(.hasPortmapProcedure) }
            }
        } else if replyMatch[1] {
            flags.insert(.isReply)
            if replyMatch[2] && replyMatch[4] { flags.insert(.isAcceptedReplyWithEmptyVerifier) }
        }
        return RPCFixedPrefix(words: words, wordCount: 6, flags: flags)
    }

    /// Scalar twin of `parse(_:)`: same words, same count, same flags.
    @inlinable
    public static func parseScalar(_ bytes: UnsafeRawBufferPointer) -> RPCFixedPrefix {
        let count = min(6, bytes.count / 4)
        var words = SIMD8<UInt32>()
        var index = 0
        while index < count {
            words[index] = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
            index += 1
        }
        var flags = Flags()
        if count >= 2 {
            if words[1] == 0 {
                flags.insert(.isCall)
                if count == 6 {
                    flags.insert(.hasCompleteCallHeader)
                    if words[2] == 2 { flags.insert(.isRPCVersion2) }
                    if words[3] == portmapProgram {
                        flags.insert(.isPortmapCall)
                        if words[5] <= 5 { flags.insert(.hasPortmapProcedure) }
                    }
                }
            } else if words[1] == 1 {
                flags.insert(.isReply)
                if count == 6 && words[2] == 0 && words[4] == 0 {
                    flags.insert(.isAcceptedReplyWithEmptyVerifier)
                }
            }
        }
        return RPCFixedPrefix(words: words, wordCount: count, flags: flags)
    }

    /// Big-endian wire words to host order, all lanes at once (shifts and masks
    /// vectorise; there is no SIMD byteSwapped in the standard library).
    @inlinable
    static func byteSwappedFromWire(_ v: SIMD8<UInt32>) -> SIMD8<UInt32> {
        #if _endian(little)
        let b0 = v &<< 24
        let b1 = (v & 0x0000_ff00) &<< 8
        let b2 = (v &>> 8) & 0x0000_ff00
        let b3 = v &>> 24
        return b0 | b1 | b2 | b3
        #else
        return v
        #endif
    }
}
