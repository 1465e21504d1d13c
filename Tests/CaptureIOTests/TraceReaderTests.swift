import CaptureIO
import XCTest

/// Several files read as one trace with continuous sequence numbers.
final class TraceReaderTests: XCTestCase {
    func testFilesAreReadInArgumentOrderWithContinuousSequence() throws {
        let dir = try temporaryDirectory(self)
        let a = PcapBytes.file(packets: (0..<5).map { TestPacket.numbered($0, size: 30) })
        var ng = PcapngBytes(bigEndian: true)
        ng.section()
        ng.interface(linkType: 101)
        for i in 0..<4 { ng.enhancedPacket(units: UInt64(i), data: TestPacket.numbered(100 + i, size: 20).data) }
        let c = PcapBytes.file(nanosecond: true, packets: (0..<3).map { TestPacket.numbered(200 + $0, size: 10) })
        let paths = ["b.pcapng.zst", "a.pcap", "c.pcap"].map { dir.appendingPathComponent($0).path }
        try write(ZstdBytes.compress(ng.bytes), to: URL(fileURLWithPath: paths[0]))
        try write(a, to: URL(fileURLWithPath: paths[1]))
        try write(c, to: URL(fileURLWithPath: paths[2]))

        let trace = try TraceReader(paths: paths, firstSequence: 10)
        var got: [PacketCopy] = []
        var files: [Int] = []
        while let p = try trace.next() {
            got.append(PacketCopy(p))
            files.append(trace.fileIndex)
        }
        XCTAssertEqual(got.map(\.sequence), Array(10..<22))
        XCTAssertEqual(files, [0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2])
        let expected = readAll(ng.bytes).packets.map(\.bytes) + readAll(a).packets.map(\.bytes) + readAll(c).packets.map(\.bytes)
        XCTAssertEqual(got.map(\.bytes), expected)
        XCTAssertEqual(trace.linkTypes, [.raw, .ethernet])
        XCTAssertEqual(trace.statistics.packets, 12)
        XCTAssertEqual(trace.statistics.zstdFrames, 1)
        XCTAssertNil(try trace.next())
    }

    func testAFaultNamesTheFileAfterEarlierFilesAreDelivered() throws {
        let dir = try temporaryDirectory(self)
        let good = dir.appendingPathComponent("good.pcap")
        let bad = dir.appendingPathComponent("bad.pcap")
        try write(PcapBytes.file(packets: (0..<3).map { TestPacket.numbered($0, size: 30) }), to: good)
        try write(Array(PcapBytes.file(packets: (0..<2).map { TestPacket.numbered($0, size: 30) }).dropLast(3)), to: bad)
        let trace = try TraceReader(paths: [good.path, bad.path, good.path])
        var count = 0
        var thrown: CaptureError?
        do throws(CaptureError) {
            while try trace.next() != nil { count += 1 }
        } catch { thrown = error }
        XCTAssertEqual(count, 4)
        XCTAssertEqual(thrown?.file, bad.path)
        XCTAssertEqual(thrown?.offset, 24 + 46)
    }

    func testMissingFileIsReportedWhenReached() throws {
        let dir = try temporaryDirectory(self)
        let good = dir.appendingPathComponent("good.pcap")
        try write(PcapBytes.file(packets: [TestPacket.numbered(0, size: 30)]), to: good)
        let missing = dir.appendingPathComponent("missing.pcap").path
        let trace = try TraceReader(paths: [good.path, missing])
        XCTAssertNotNil(try trace.next())
        var thrown: CaptureError?
        do throws(CaptureError) { _ = try trace.next() } catch { thrown = error }
        XCTAssertEqual(thrown?.file, missing)
        if case .cannotOpen = thrown?.problem {} else { XCTFail("\(String(describing: thrown))") }
        // And it stays failed.
        do throws(CaptureError) { _ = try trace.next(); XCTFail("expected the error again") } catch {}
    }
}
