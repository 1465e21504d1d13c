/// The program layer plugged into the generic RPC message paths.
///
/// The RPC layer owns framing, the call table, pairing, statuses and the
/// RPC-level weirds; a program decodes its procedure arguments and results
/// and raises its own events. Everything is static so the analyzers, being
/// generic and `@inlinable`, specialise to direct calls: no existentials and
/// no per-packet dispatch through witness tables once specialised.
public protocol RPCProgram {
    /// Decoded call arguments kept with a pending call until its reply.
    associatedtype CallArguments: Sendable
    /// The program's events (carried inside `RPCEventKind.program`).
    associatedtype Event: Sendable

    // MARK: UDP (the reference's generated binpac parser, SEMANTICS-RPC §1.2)

    /// Whether calls to `program` get their arguments and results parsed over
    /// UDP. Other programs are tracked for `rpc_call` only.
    static func decodesUDPCalls(toProgram program: UInt32) -> Bool

    /// Parses call arguments with binpac rules (`cursor` is at the first argument byte).
    /// - Throws: the binpac exception that ends processing of the datagram.
    static func parseUDPCallArguments(procedure: UInt32, cursor: inout XDRCursor)
        throws(BinpacException) -> CallArguments

    /// Turns parsed arguments into the script-visible value (call step 2 of §1.2):
    /// may raise warnings (e.g. an out-of-range port becomes 0). Runs for
    /// registered calls and for unregistered duplicates alike.
    static func buildUDPCallArguments(_ arguments: inout CallArguments, stamp: RPCEventStamp,
                                      events: inout RPCEventBuffer<Event>)

    /// Parses the results of a SUCCESS reply to a decoded call and, once they
    /// parsed completely, appends the success event.
    /// - Throws: a binpac exception (the analyzer then discards whatever this
    ///   datagram appended and raises `bad_RPC: ...` instead).
    static func parseUDPSuccessResults(procedure: UInt32, arguments: CallArguments,
                                       cursor: inout XDRCursor, stamp: RPCEventStamp,
                                       events: inout RPCEventBuffer<Event>) throws(BinpacException)

    /// The event for a decoded call that failed (error reply or, UDP only, timeout).
    static func failureEvent(procedure: UInt32, arguments: CallArguments, status: RPCStatus) -> Event?

    // MARK: TCP (the reference's hand-written interpreter, SEMANTICS-RPC §1.3.2)

    /// Decodes call arguments (every TCP call is decoded by the one program
    /// attached to the connection). May append events and weirds as it goes.
    /// - Returns: `nil` when decoding fails (the caller raises `bad_RPC`).
    static func decodeTCPCallArguments(program: UInt32, procedure: UInt32, cursor: inout XDRCursor,
                                       stamp: RPCEventStamp, events: inout RPCEventBuffer<Event>,
                                       statistics: inout RPCStatistics) -> CallArguments?

    /// Decodes a reply to a valid call and appends the success or failure event.
    /// - Returns: `false` when decoding fails (the caller raises `bad_RPC`);
    ///   events appended before the failure (e.g. `pm_bad_port`) stay.
    static func decodeTCPReply(procedure: UInt32, arguments: CallArguments, status: RPCStatus,
                               cursor: inout XDRCursor, stamp: RPCEventStamp,
                               events: inout RPCEventBuffer<Event>,
                               statistics: inout RPCStatistics) -> Bool
}
