import ArgumentParser
import CaptureIO

/// `rpcreplay corpus convert IN OUT`: rewrite a capture's packets in another
/// container form (pcap/pcapng, precision, byte order, interfaces). Used to make
/// the reader-test variants of the corpora; packets (time, lengths, bytes) are
/// kept exactly unless `--precision micro` must drop nanoseconds (warned).
struct CorpusConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Rewrite a capture as pcap or pcapng with a chosen precision, byte order and interface count.",
        discussion: """
            Host-order classic pcap is written by libpcap itself; the other byte order and \
            pcapng by RPCReplay's own writer. With --interfaces N (pcapng only) packets are \
            spread round-robin over N interfaces per link type; interface k uses \
            nanosecond if_tsresol when k is odd, --precision when k is even.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case pcap, pcapng }
    enum Precision: String, ExpressibleByArgument, CaseIterable { case micro, nano }
    enum ByteOrder: String, ExpressibleByArgument, CaseIterable { case little, big }

    @Argument(help: "Input capture (pcap or pcapng, plain or zstd).")
    var input: String

    @Argument(help: "Output file (plain, uncompressed).")
    var output: String

    @Option(help: "Output container format.")
    var format: OutputFormat = .pcap

    @Option(help: "Timestamp precision (pcap magic, pcapng if_tsresol of even interfaces).")
    var precision: Precision = .micro

    @Option(name: .customLong("byte-order"), help: "Byte order of the output.")
    var byteOrder: ByteOrder = .little

    @Option(help: "Number of pcapng interfaces to spread packets over.")
    var interfaces: Int = 1

    func validate() throws {
        guard interfaces >= 1, interfaces <= 1024 else { throw ValidationError("--interfaces must be 1...1024") }
        guard interfaces == 1 || format == .pcapng else {
            throw ValidationError("--interfaces > 1 needs --format pcapng (classic pcap has one interface)")
        }
        guard !sameFile(input, output) else { throw ValidationError("OUT must not be the input file") }
    }

    func run() throws {
        var sink = ConvertSink(
            path: output, format: format == .pcap ? .pcap : .pcapng,
            byteOrder: byteOrder == .big ? .bigEndian : .littleEndian,
            precision: precision == .nano ? .nano : .micro, interfaces: interfaces)
        var written: UInt64 = 0
        do {
            let reader = try CaptureReader(path: input)
            while let packet = try reader.next() {
                try sink.write(packet, slot: Int(written % UInt64(interfaces)))
                written += 1
            }
            try sink.finish(fallbackLinkType: reader.linkTypes.first ?? .ethernet)
        } catch let error as CaptureError {
            removePartialOutput(output)
            printError(error.description)
            throw ExitCode(3)
        } catch let error as ConvertSink.LinkTypeMismatch {
            removePartialOutput(output)
            printError("\(input): \(error)")
            throw ExitCode(3)
        } catch {
            removePartialOutput(output)
            printError("\(error)")
            throw ExitCode(1)
        }
        if sink.truncatedTimestamps > 0 {
            printError("warning: \(sink.truncatedTimestamps) timestamps lost their sub-microsecond digits")
        }
        print("\(output): \(written) packets, \(format.rawValue), \(byteOrder.rawValue)-endian, \(sink.writtenInterfaces) interface(s)")
    }
}
