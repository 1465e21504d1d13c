import PacketDecoding
import XCTest
@testable import Policy

/// PacketDecoding exports the generic `WeirdScope`, Policy its specialisation; these tests mean the policy's.
typealias WeirdScope = Policy.WeirdScope

/// Hand-made event sequences for the policy unit tests.
enum Fixture {
    static let client = IPv4Address(10, 0, 0, 1)
    static let server = IPv4Address(10, 0, 0, 2)
    static let otherServer = IPv4Address(10, 0, 0, 3)

    static func udp(_ clientPort: UInt16 = 1000, client: IPv4Address = client, server: IPv4Address = server,
                    serverPort: UInt16 = 111, sizes: (UInt64, UInt64) = (0, 0)) -> PolicyConnection {
        PolicyConnection(
            id: ConnectionID(originator: client, originatorPort: clientPort, responder: server, responderPort: serverPort, proto: .udp),
            originatorSize: sizes.0, responderSize: sizes.1, originatorState: 1, responderState: 1)
    }

    static func tcp(_ clientPort: UInt16 = 2000, client: IPv4Address = client, server: IPv4Address = server) -> PolicyConnection {
        PolicyConnection(
            id: ConnectionID(originator: client, originatorPort: clientPort, responder: server, responderPort: 111, proto: .tcp),
            originatorState: TCPEndpointState.established, responderState: TCPEndpointState.established)
    }

    static func mapping(_ program: UInt32, _ port: UInt16, _ proto: TransportProtocol = .udp, version: UInt32 = 1) -> PortmapMapping {
        PortmapMapping(program: program, version: version, port: PortValue(port, proto))
    }

    static func getport(_ program: UInt32, _ port: UInt16, _ proto: TransportProtocol = .udp) -> PortmapperEvent {
        .requestGetport(PortRequest(program: program, version: 1, isTCP: proto == .tcp), port: PortValue(port, proto))
    }
}

extension PolicyEngine {
    /// Processes one batch at `time` and returns what it produced.
    @discardableResult
    func feed(at time: Double, _ items: [(PolicyConnection, PortmapperEvent)]) -> PolicyOutput {
        process(items.map { PolicyInput.portmapper(time: time, connection: $0.0, event: $0.1) })
        return takeOutput()
    }

    @discardableResult
    func feed(at time: Double, _ connection: PolicyConnection, _ event: PortmapperEvent) -> PolicyOutput {
        feed(at: time, [(connection, event)])
    }

    @discardableResult
    func weird(at time: Double, _ name: String, addl: String = "", _ scope: WeirdScope) -> PolicyOutput {
        process([.weird(time: time, event: WeirdEvent(name: name, addl: addl, scope: scope))])
        return takeOutput()
    }

    @discardableResult
    func remove(at time: Double, _ connection: PolicyConnection, token: UInt64 = 0) -> ConnectionAnnotation {
        process([.connectionRemoved(time: time, removal: ConnectionRemoval(connection: connection, token: token))])
        return takeOutput().connections[0]
    }

    /// The current addl of a live connection.
    func addl(_ connection: PolicyConnection) -> String { connections[connection.id]?.addl ?? "" }
}

extension PolicyOutput {
    var weirdLines: [String] { weirds.map(ReferenceLogLines.weird) }
    var noticeMessages: [String] { notices.map(\.message) }
    var tags: [String] { notices.map(\.tag) }
}
