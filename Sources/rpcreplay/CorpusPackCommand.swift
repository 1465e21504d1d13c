import ArgumentParser
import CaptureIO

/// `rpcreplay corpus pack IN OUT.pcap.zst`: recompress a capture as independent
/// zstd frames that end on record boundaries, so readers can decompress frames
/// in parallel and parse each on its own.
///
/// The input is streamed (plain: from the mapping; zstd: through a streaming
/// decompressor) and only record lengths are read, rather than going through
/// `CaptureReader`: packing must keep every byte verbatim (pcapng interface,
/// statistics and unknown blocks, section options, a trailing partial record),
/// and the reader hands out packets, not container bytes. Memory stays at about
/// one frame whatever the input size.
struct CorpusPackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Recompress a capture as multi-frame zstd, frames ending on record boundaries.",
        discussion: """
            Prints one line per frame (compressed offset and size, header size, \
            decompressed offset and size, packet records). Exit status 3 when the input \
            is not a readable pcap/pcapng stream.
            """)

    @Argument(help: "Input capture (pcap or pcapng, plain or zstd).")
    var input: String

    @Argument(help: "Output file (conventionally NAME.pcap.zst or NAME.pcapng.zst).")
    var output: String

    @Option(name: .customLong("frame-mib"), help: "Largest decompressed frame, in MiB (fractions allowed).")
    var frameMiB: Double = 4

    @Option(help: "zstd compression level.")
    var level: Int32 = 3

    func validate() throws {
        guard frameMiB.isFinite, frameMiB >= 1.0 / 1024, frameMiB <= 1024 else {
            throw ValidationError("--frame-mib must be between 1/1024 (1 KiB) and 1024")
        }
        guard !sameFile(input, output) else { throw ValidationError("OUT must not be the input file") }
    }

    func run() throws {
        let frameBytes = Int(frameMiB * 1_048_576)
        let packer: CapturePacker
        do {
            packer = try CapturePacker(outputPath: output, inputName: input, frameBytes: frameBytes, level: level)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let frames: [PackedFrame]
        do {
            try CaptureStreamChunks.forEach(inFile: input) { chunk in try packer.append(chunk) }
            frames = try packer.finish()
        } catch let error as CaptureError {
            removePartialOutput(output)
            printError(error.description)
            throw ExitCode(3)
        } catch {
            removePartialOutput(output)
            printError("\(error)")
            throw ExitCode(1)
        }
        if let offset = packer.truncatedRecordOffset {
            printError("warning: \(input) ends inside the record at byte \(offset); packed verbatim")
        }
        for frame in frames {
            print(
                "frame \(frame.index): compressed_offset=\(frame.compressedOffset) compressed_bytes=\(frame.compressedBytes)"
                    + " header_bytes=\(frame.headerBytes) stream_offset=\(frame.streamOffset)"
                    + " stream_bytes=\(frame.streamBytes) packets=\(frame.packetRecords)")
        }
        let streamBytes = frames.reduce(0) { $0 + $1.streamBytes }
        let compressedBytes = frames.reduce(0) { $0 + $1.compressedBytes }
        print("\(output): \(frames.count) frames, \(streamBytes) bytes -> \(compressedBytes) bytes (level \(level))")
    }
}
