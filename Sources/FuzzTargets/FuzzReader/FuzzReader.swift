// libFuzzer entry point for CaptureIO's reader (classic pcap, pcapng, zstd).
//
// Build: `make fuzz` (release, -sanitize=fuzzer,address, -parse-as-library).
// SwiftPM links executables with `--defsym main=FuzzReader_main`, so the process
// entry is `FuzzReader_main` below, which hands control to libFuzzer's driver.

import CShims
import CaptureIO

/// Small, bounded reader options: tiny zstd windows make records straddle
/// windows (the copy path) even for inputs of a few KiB, and two windows keep
/// memory per run small.
private func fuzzOptions(threads: Int) -> ReaderOptions {
    var options = ReaderOptions()
    options.windowSize = 64 << 10
    options.windowCount = 2
    options.decompressionThreads = threads
    return options
}

/// Keeps the optimizer from discarding the byte walk (an unoptimized call
/// cannot be proven side-effect free).
@_optimize(none)
private func blackHole(_ value: UInt64) {}

/// Whether `inner` lies entirely inside `outer` (compared as addresses).
private func contains(_ outer: UnsafeRawBufferPointer, _ inner: UnsafeRawBufferPointer) -> Bool {
    guard let o = outer.baseAddress, let i = inner.baseAddress else { return false }
    return i >= o && i + inner.count <= o + outer.count
}

/// Reads every packet of `bytes` until the clean end or the first `CaptureError`,
/// checking the reader's promises on each packet and touching every byte.
/// - Returns: the compression the reader detected, or `nil` if opening failed.
private func readAll(_ bytes: UnsafeRawBufferPointer, threads: Int) -> CaptureCompression? {
    let options = fuzzOptions(threads: threads)
    let file = MappedFile(borrowing: bytes, name: "fuzz-input")
    let reader: CaptureReader
    do {
        reader = try CaptureReader(file: file, options: options)
    } catch {
        return nil
    }
    var expectedSequence: UInt64 = 0
    var fold: UInt64 = 0
    do {
        while let packet = try reader.next() {
            // Promises a consumer relies on; a violation is a finding (trap).
            precondition(packet.sequence == expectedSequence, "sequence numbers must be consecutive")
            precondition(packet.bytes.count <= Int(options.maxCaptureLength), "caplen above the limit")
            precondition(packet.timestamp.nanoseconds < 1_000_000_000, "timestamp not normalised")
            if reader.compression == .none {
                // Plain input is read in place: every slice must lie inside it.
                precondition(packet.bytes.isEmpty || contains(bytes, packet.bytes), "packet slice outside the input")
            }
            expectedSequence &+= 1
            // Touch every byte so ASan sees any slice that points outside live memory.
            for byte in packet.bytes { fold = fold &* 31 &+ UInt64(byte) }
        }
    } catch {
        // Corrupt input ends the read with an error: that is the expected outcome.
    }
    precondition(reader.statistics.packets == expectedSequence, "packet counter disagrees")
    blackHole(fold)
    return reader.compression
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReaderTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // A second pass with two decompression threads only differs for zstd input.
    if readAll(bytes, threads: 1) == .zstd {
        _ = readAll(bytes, threads: 2)
    }
    return 0
}

@_cdecl("FuzzReader_main")
public func fuzzReaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzReaderTestOneInput(data, size)
    }
}
