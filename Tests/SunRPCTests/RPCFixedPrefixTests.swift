import SunRPC
import XCTest

/// The SIMD prefix parser against its scalar twin.
final class RPCFixedPrefixTests: XCTestCase {
    func words(_ w: [UInt32]) -> [UInt8] {
        w.flatMap { [UInt8($0 >> 24), UInt8(($0 >> 16) & 0xff), UInt8(($0 >> 8) & 0xff), UInt8($0 & 0xff)] }
    }

    func both(_ bytes: [UInt8]) -> (RPCFixedPrefix, RPCFixedPrefix) {
        bytes.withUnsafeBytes { (RPCFixedPrefix.parse($0), RPCFixedPrefix.parseScalar($0)) }
    }

    func testDifferentialOnRandomBuffers() {
        var rng = SystemRandomNumberGenerator()
        let interesting: [UInt32] = [0, 1, 2, 5, 6, 100_000, 0xffff_ffff, 0x8000_0000]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &rng)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Bias words towards the values the flags test.
            var i = 0
            while i + 4 <= bytes.count {
                if Bool.random(using: &rng) {
                    let v = interesting.randomElement(using: &rng)!
                    bytes[i] = UInt8(v >> 24); bytes[i + 1] = UInt8((v >> 16) & 0xff)
                    bytes[i + 2] = UInt8((v >> 8) & 0xff); bytes[i + 3] = UInt8(v & 0xff)
                }
                i += 4
            }
            let (v, s) = both(bytes)
            XCTAssertEqual(v, s, "bytes \(bytes)")
            if v != s { return }
        }
    }

    func testDifferentialOnRealHeaders() {
        // Calls and replies taken from the corpora (rpcbind-v34-rpcbind, synth-nasty).
        let headers: [[UInt8]] = [
            words([0x6b03_524e, 0, 2, 100_000, 4, 3, 0, 0, 0, 0, 100_000, 4]),
            words([0x6b03_524e, 1, 0, 0, 0, 0, 15]),
            words([0x00dd_b74d, 0, 2, 100_000, 2, 3, 1, 0x24]),
            words([0x00dd_b74d, 1, 0, 0, 0, 0, 0x801]),
            words([7, 1, 1, 1, 2]),
            words([7, 1, 0, 1, 4, 0xdead_beef, 0]),
            words([7, 0, 3, 100_003, 3, 0]),
            words([7, 0, 2, 100_000, 2, 11]),
        ]
        for h in headers {
            for cut in 0...h.count {
                let (v, s) = both(Array(h[0..<cut]))
                XCTAssertEqual(v, s, "header \(h) cut \(cut)")
            }
        }
    }

    func testFieldsAndFlags() {
        let (call, _) = both(words([0x1234, 0, 2, 100_000, 4, 3, 0, 0, 0, 0]))
        XCTAssertEqual(call.xid, 0x1234)
        XCTAssertEqual(call.program, 100_000)
        XCTAssertEqual(call.version, 4)
        XCTAssertEqual(call.procedure, 3)
        XCTAssertEqual(call.wordCount, 6)
        XCTAssertEqual(call.flags, [.isCall, .hasCompleteCallHeader, .isRPCVersion2, .isPortmapCall, .hasPortmapProcedure])
        XCTAssertEqual(call.words[6], 0, "lanes past the prefix are zero")

        let (nfs, _) = both(words([1, 0, 3, 100_003, 3, 9]))
        XCTAssertEqual(nfs.flags, [.isCall, .hasCompleteCallHeader])

        let (proc9, _) = both(words([1, 0, 2, 100_000, 2, 9]))
        XCTAssertFalse(proc9.flags.contains(.hasPortmapProcedure))

        let (reply, _) = both(words([1, 1, 0, 0, 0, 2]))
        XCTAssertEqual(reply.flags, [.isReply, .isAcceptedReplyWithEmptyVerifier])
        XCTAssertEqual(reply.acceptStatus, 2)

        let (verf, _) = both(words([1, 1, 0, 1, 4, 0]))
        XCTAssertEqual(verf.flags, [.isReply])

        let (short, _) = both(words([1, 0, 2]))
        XCTAssertEqual(short.wordCount, 3)
        XCTAssertEqual(short.flags, [.isCall])

        let (bad, _) = both(words([1, 5, 0, 0, 0, 0]))
        XCTAssertEqual(bad.flags, [])
        XCTAssertEqual(bad.messageType, 5)
    }
}
