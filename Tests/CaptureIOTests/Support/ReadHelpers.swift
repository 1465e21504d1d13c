import CaptureIO
import Foundation
import XCTest

/// A packet copied out of the reader (its bytes are only valid until the next call).
struct PacketCopy: Equatable, CustomStringConvertible {
    var sequence: UInt64
    var seconds: Int64
    var nanoseconds: UInt32
    var wireLength: UInt32
    var linkType: UInt32
    var interfaceID: UInt32
    var streamOffset: UInt64
    var bytes: [UInt8]

    init(_ p: CapturedPacket) {
        sequence = p.sequence
        seconds = p.timestamp.seconds
        nanoseconds = p.timestamp.nanoseconds
        wireLength = p.wireLength
        linkType = p.linkType.rawValue
        interfaceID = p.interfaceID
        streamOffset = p.streamOffset
        bytes = Array(p.bytes)
    }

    var description: String {
        "#\(sequence) \(seconds).\(nanoseconds) if\(interfaceID) lt\(linkType) cap\(bytes.count) wire\(wireLength) @\(streamOffset)"
    }
}

/// What reading produced: the packets delivered, then the error that stopped it (if any).
struct ReadOutcome {
    var packets: [PacketCopy] = []
    var error: CaptureError?
    var statistics = ReaderStatistics()
    var format: CaptureFormat?
    var byteOrder: CaptureByteOrder?
    var compression: CaptureCompression?
    var linkTypes: [LinkType] = []
}

/// Reads `bytes` as the in-memory file `name` until the end or the first error.
func readAll(_ bytes: [UInt8], name: String = "mem.cap", options: ReaderOptions = .init()) -> ReadOutcome {
    bytes.withUnsafeBytes { raw in
        var outcome = ReadOutcome()
        do throws(CaptureError) {
            let reader = try CaptureReader(file: MappedFile(borrowing: raw, name: name), options: options)
            outcome.format = reader.format
            outcome.byteOrder = reader.byteOrder
            outcome.compression = reader.compression
            do throws(CaptureError) {
                while let p = try reader.next() { outcome.packets.append(PacketCopy(p)) }
            } catch {
                outcome.error = error
            }
            outcome.statistics = reader.statistics
            outcome.linkTypes = reader.linkTypes
        } catch {
            outcome.error = error
        }
        return outcome
    }
}

/// A temporary directory removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captureio-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

func write(_ bytes: [UInt8], to url: URL) throws {
    try Data(bytes).write(to: url)
}

/// Asserts the error names the file and the exact offset, in both fields and message.
func assertError(
    _ error: CaptureError?, file name: String, offset: UInt64, _ check: (CaptureError.Problem) -> Bool,
    sourceFile: StaticString = #filePath, line: UInt = #line
) {
    guard let error else { return XCTFail("expected an error", file: sourceFile, line: line) }
    XCTAssertEqual(error.file, name, file: sourceFile, line: line)
    XCTAssertEqual(error.offset, offset, "\(error)", file: sourceFile, line: line)
    XCTAssertTrue(check(error.problem), "unexpected problem: \(error)", file: sourceFile, line: line)
    let text = error.description
    XCTAssertTrue(text.contains(name), text, file: sourceFile, line: line)
    XCTAssertTrue(text.contains("offset \(offset)"), text, file: sourceFile, line: line)
}

/// Compares packet lists, reporting the count and the first difference (not both lists).
func assertSamePackets(
    _ got: [PacketCopy], _ want: [PacketCopy], _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    if got == want { return }
    if got.count != want.count {
        return XCTFail("\(message): \(got.count) packets, expected \(want.count)", file: file, line: line)
    }
    let i = got.indices.first { got[$0] != want[$0] } ?? 0
    XCTFail("\(message): packet \(i) differs: \(got[i]) vs \(want[i])", file: file, line: line)
}
