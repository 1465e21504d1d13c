import CPcap
import CZstd
import CaptureIO
import Foundation
import XCTest

/// Runs the built `rpcreplay` and the reference tools (capinfos, tcpdump, zstd,
/// libpcap) the CLI tests compare it with.
enum CLIHarness {
    /// The package root, found from this file's path (Tests/CLITests/...).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `RPCREPLAY_BIN` (the Makefile points it at the release binary), else the debug build.
    static var binary: String {
        if let bin = ProcessInfo.processInfo.environment["RPCREPLAY_BIN"], !bin.isEmpty { return bin }
        return root.appendingPathComponent(".build/debug/rpcreplay").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` with `arguments`, collecting both output streams.
    static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain stderr on another thread so neither pipe can fill up and block the child.
        let errBox = DataBox()
        let errHandle = err.fileHandleForReading
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = errHandle.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the rpcreplay binary under test.
    static func rpcreplay(_ arguments: String...) throws -> Result {
        try rpcreplay(arguments)
    }

    static func rpcreplay(_ arguments: [String]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("no rpcreplay binary at \(binary); run `swift build` first")
        }
        return try run(binary, arguments)
    }

    /// Runs a tool found on PATH (capinfos, tcpdump, zstd).
    static func tool(_ name: String, _ arguments: [String]) throws -> Result {
        try run("/usr/bin/env", [name] + arguments)
    }

    // MARK: - Files

    /// Every corpus trace: corpora/NAME/trace.{pcap,pcapng,pcap.zst}.
    static var corpusTraces: [String] {
        let corpora = root.appendingPathComponent("corpora")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpora.path)) ?? []
        return names.sorted().flatMap { name -> [String] in
            let dir = corpora.appendingPathComponent(name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return files.filter { $0.hasPrefix("trace.") }.sorted().map { dir.appendingPathComponent($0).path }
        }
    }

    static func variant(_ name: String) -> String {
        root.appendingPathComponent("corpora/variants").appendingPathComponent(name).path
    }

    /// The undamaged variants (everything but truncated/corrupt files).
    static var intactVariants: [String] {
        let dir = root.appendingPathComponent("corpora/variants")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasSuffix(".md") && !$0.contains("truncated") && !$0.contains("corrupt") }
            .sorted().map { dir.appendingPathComponent($0).path }
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(for test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rpcreplay-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    static func isZstd(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = handle.readData(ofLength: 4)
        return Array(magic) == [0x28, 0xB5, 0x2F, 0xFD]
    }

    /// `path` itself, or for zstd input a `zstd -dc` copy in `directory`: Wireshark 4.0
    /// misreads multi-frame zstd and libpcap reads no zstd at all.
    static func plainCopy(of path: String, in directory: URL) throws -> String {
        guard isZstd(path) else { return path }
        let out = directory.appendingPathComponent(UUID().uuidString).path
        let result = try tool("sh", ["-c", "zstd -q -dc \"$0\" > \"$1\"", path, out])
        XCTAssertEqual(result.status, 0, "zstd -dc \(path): \(result.stderr)")
        return out
    }

    // MARK: - Pre-merge guard

    /// True while the CaptureReader in this branch cannot read `path` at all
    /// because its format (pcapng or zstd) is not implemented yet: it throws
    /// `unknownMagic` for a file whose magic is pcapng's or zstd's. Once the
    /// pcapng/zstd reader is merged this is false for every corpus, and the
    /// tests that consult it run in full.
    static func readerLacksFormat(of path: String) -> Bool {
        do {
            _ = try CaptureReader(path: path)
            return false
        } catch {
            guard case .unknownMagic(let magic) = error.problem else { return false }
            return magic == 0x0A0D_0D0A || magic == 0x28B5_2FFD || magic & 0xF0FF_FFFF == 0x502A_4D18
        }
    }

    // MARK: - Reference readings

    /// What capinfos reports: packets, data size (sum of wire lengths), and
    /// earliest / latest time as decimal seconds.
    struct CapinfosFacts: Equatable {
        var packets: UInt64
        var wireBytes: UInt64
        var first: String
        var last: String
    }

    /// `capinfos -T -r -c -d -a -e -S`: one tab-separated row
    /// (file, packets, data size, start, end). capinfos exits 1 on a truncated
    /// file but still prints what it read.
    static func capinfos(_ path: String) throws -> CapinfosFacts {
        let result = try tool("capinfos", ["-T", "-r", "-c", "-d", "-a", "-e", "-S", path])
        let fields = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\t")
        guard fields.count == 5, let packets = UInt64(fields[1]), let bytes = UInt64(fields[2]) else {
            throw CLIHarnessError("unexpected capinfos output for \(path): \(result.stdout) \(result.stderr)")
        }
        return CapinfosFacts(packets: packets, wireBytes: bytes, first: nineDigits(fields[3]), last: nineDigits(fields[4]))
    }

    /// capinfos prints the file's precision (6 or 9 digits); the CLI always prints 9.
    static func nineDigits(_ decimal: String) -> String {
        let parts = decimal.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return decimal + ".000000000" }
        return parts[0] + "." + parts[1] + String(repeating: "0", count: max(0, 9 - parts[1].count))
    }

    /// One packet as libpcap reads it (nanosecond precision).
    struct LibpcapPacket: Equatable {
        var seconds: Int
        var nanoseconds: Int
        var wireLength: UInt32
        var bytes: [UInt8]
    }

    /// Every packet of a plain pcap or pcapng file, read by libpcap itself: an
    /// implementation independent of CaptureReader.
    static func libpcapPackets(_ path: String) throws -> (linkType: Int32, packets: [LibpcapPacket]) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            throw CLIHarnessError("libpcap cannot open \(path): " + String(decoding: errbuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { pcap_close(handle) }
        var packets: [LibpcapPacket] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            if status == PCAP_ERROR_BREAK { break }
            guard status == 1, let header, let data else {
                throw CLIHarnessError("libpcap read error in \(path): " + String(cString: pcap_geterr(handle)))
            }
            let h = header.pointee
            packets.append(LibpcapPacket(
                seconds: h.ts.tv_sec, nanoseconds: h.ts.tv_usec, wireLength: h.len,
                bytes: Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))))
        }
        return (pcap_datalink(handle), packets)
    }

    /// Every packet CaptureReader delivers, copied out (for comparisons).
    static func readerPackets(_ path: String) throws -> [LibpcapPacket] {
        let reader = try CaptureReader(path: path)
        var packets: [LibpcapPacket] = []
        while let packet = try reader.next() {
            packets.append(LibpcapPacket(
                seconds: Int(packet.timestamp.seconds), nanoseconds: Int(packet.timestamp.nanoseconds),
                wireLength: packet.wireLength, bytes: Array(packet.bytes)))
        }
        return packets
    }

    // MARK: - zstd frames

    /// One frame of a zstd file: where it sits and what it decompresses to on its own.
    struct ZstdFrame {
        var compressedOffset: Int
        var compressedBytes: Int
        var content: [UInt8]
    }

    /// Splits a zstd file into its frames and decompresses each one independently.
    static func zstdFrames(_ path: String) throws -> [ZstdFrame] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var frames: [ZstdFrame] = []
        var offset = 0
        try bytes.withUnsafeBytes { all in
            while offset < all.count {
                let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                let size = ZSTD_findFrameCompressedSize(rest.baseAddress, rest.count)
                guard ZSTD_isError(size) == 0 else { throw CLIHarnessError("bad frame at \(offset) in \(path)") }
                let contentSize = ZSTD_getFrameContentSize(rest.baseAddress, size)
                guard contentSize < UInt64(1) << 32 else { throw CLIHarnessError("frame at \(offset) has no content size") }
                var content = [UInt8](repeating: 0, count: Int(contentSize))
                let produced = content.withUnsafeMutableBytes { ZSTD_decompress($0.baseAddress, $0.count, rest.baseAddress, size) }
                guard ZSTD_isError(produced) == 0, produced == Int(contentSize) else {
                    throw CLIHarnessError("frame at \(offset) in \(path) does not decompress alone")
                }
                frames.append(ZstdFrame(compressedOffset: offset, compressedBytes: size, content: content))
                offset += size
            }
        }
        return frames
    }
}

/// Written by one thread, read after `DispatchGroup.wait()` by another.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

struct CLIHarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Minimal, deliberately separate walkers over pcap records and pcapng blocks,
/// so frame-boundary checks do not trust the code they check.
enum ContainerWalk {
    /// Lengths of the pieces of a pcap/pcapng byte run starting at a record
    /// boundary: `nil` if the bytes do not end exactly on a record boundary.
    /// - Parameters:
    ///   - bytes: the run.
    ///   - hasFileHeader: true if the run begins with the pcap file header / an SHB.
    ///   - pcapng: container kind; `bigEndian`: byte order (pcap file / pcapng section).
    static func wholeRecords(_ bytes: [UInt8], pcapng: Bool, bigEndian: Bool, hasFileHeader: Bool) -> Int? {
        func word(_ at: Int) -> Int {
            let b = bytes[at..<at + 4].map(Int.init)
            return bigEndian ? (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : (b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0])
        }
        var position = 0
        var records = 0
        if !pcapng && hasFileHeader { position = 24 }
        while position < bytes.count {
            let headerBytes = pcapng ? 8 : 16
            guard bytes.count - position >= headerBytes else { return nil }
            let length = pcapng ? word(position + 4) : 16 + word(position + 8)
            guard length >= headerBytes, bytes.count - position >= length else { return nil }
            position += length
            records += 1
        }
        return records
    }
}
