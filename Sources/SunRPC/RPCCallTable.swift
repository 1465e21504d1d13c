/// A call waiting for its reply.
@frozen
public struct PendingRPCCall<Arguments: Sendable>: Sendable {
    public var program: UInt32
    public var version: UInt32
    public var procedure: UInt32
    /// Network time of the first transmission.
    public var startTime: Double
    /// `call_len` of the eventual `rpc_call` (UDP datagram / TCP record − 8).
    public var callLength: Int
    /// TCP: bytes from rpcvers to the end of the verifier (skipped on retransmission).
    public var headerLength: Int
    /// Bytes a retransmission is compared with.
    public var fingerprint: RexmitFingerprint
    /// Decoded arguments. UDP: `nil` for programs the program layer does not
    /// decode. TCP: `nil` while the call is invalid (its arguments failed to decode).
    public var arguments: Arguments?

    @inlinable
    public init(program: UInt32, version: UInt32, procedure: UInt32, startTime: Double, callLength: Int,
                headerLength: Int, fingerprint: RexmitFingerprint, arguments: Arguments?) {
        self.program = program
        self.version = version
        self.procedure = procedure
        self.startTime = startTime
        self.callLength = callLength
        self.headerLength = headerLength
        self.fingerprint = fingerprint
        self.arguments = arguments
    }
}

/// An xid as a call-table key. Every RPC message looks its xid up: a seeded
/// multiply-xorshift of the 32 bits instead of the SipHash `UInt32` uses.
@usableFromInline @frozen
struct RPCTransactionID: Hashable, Sendable {
    @usableFromInline let value: UInt32

    @inlinable init(_ value: UInt32) { self.value = value }

    @inlinable
    func _rawHashValue(seed: Int) -> Int {
        var z = UInt64(value) ^ UInt64(UInt(bitPattern: seed))
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }
}

/// The per-connection call table: one entry per xid, whatever the direction
/// (SEMANTICS-RPC §1.1), bounded by `RPCConfiguration.maximumPendingCalls`.
@frozen
public struct RPCCallTable<Arguments: Sendable>: Sendable {
    @usableFromInline var calls: [RPCTransactionID: PendingRPCCall<Arguments>]
    public let capacity: Int

    @inlinable
    public init(capacity: Int) {
        calls = [:]
        self.capacity = capacity
    }

    @inlinable public var count: Int { calls.count }
    @inlinable public var isFull: Bool { calls.count >= capacity }

    @inlinable
    public subscript(xid: UInt32) -> PendingRPCCall<Arguments>? {
        get { calls[RPCTransactionID(xid)] }
        set { calls[RPCTransactionID(xid)] = newValue }
    }

    /// Registers a call. - Returns: `false` (nothing stored) when the table is full.
    @inlinable
    public mutating func insert(_ call: PendingRPCCall<Arguments>, xid: UInt32) -> Bool {
        let key = RPCTransactionID(xid)
        if calls.count >= capacity && calls[key] == nil { return false }
        calls[key] = call
        return true
    }

    @inlinable
    @discardableResult
    public mutating func remove(xid: UInt32) -> PendingRPCCall<Arguments>? {
        calls.removeValue(forKey: RPCTransactionID(xid))
    }

    /// Pending xids in ascending unsigned order (the reference's `std::map` order).
    @inlinable
    public var xidsAscending: [UInt32] { calls.keys.map(\.value).sorted() }

    @inlinable
    public mutating func removeAll() { calls.removeAll() }
}
