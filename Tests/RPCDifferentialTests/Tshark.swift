import Foundation

/// One ONC RPC message as tshark dissected it.
struct TsharkMessage {
    var frame: Int
    var xid: UInt32
    var messageType: UInt32
    /// Calls: from the header. Replies: from the call tshark matched (absent when it matched none).
    var program: UInt32?
    var version: UInt32?
    var procedure: UInt32?
}

/// Runs tshark once per trace and reads its RPC dissection.
///
/// Why JSON and not `-T fields`: `-T fields` joins every occurrence of a field
/// in a frame with commas, and the portmap dissector re-uses `rpc.programversion`
/// for its own "[Program Version]" line, so a single portmap call prints
/// `2,2`; a frame with several records whose replies lack a matched call would
/// also misalign the columns. `-T json -J "frame rpc"` keeps each RPC PDU as its
/// own object (an array with `--no-duplicate-keys`) and leaves out the portmap
/// layer, so the `rpc.*` fields read are exactly the RPC header's.
enum Tshark {
    /// The tshark executable on PATH, or nil.
    static let executable: String? = findOnPath("tshark")
    static let zstd: String? = findOnPath("zstd")

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Checksums are not verified (the reference's `-C`, our nochecksum mode);
    /// both are tshark's defaults already, set explicitly so a user preference
    /// file cannot change the result.
    ///
    /// `tcp.reassemble_out_of_order`: like the reference, our connection layer
    /// buffers a segment that arrives above a hole and delivers it, in order,
    /// with the packet that fills the hole. tshark's default (off) instead
    /// dissects such a segment on its own when it happens to start with a
    /// record marker and then skips the filling segment as a retransmission
    /// (synth-nasty frames 561/562), which is a different, not a wrong, framing.
    static let arguments = [
        "-n", "-Y", "rpc", "-T", "json", "--no-duplicate-keys", "-J", "frame rpc",
        "-o", "tcp.check_checksum:FALSE", "-o", "udp.check_checksum:FALSE",
        "-o", "tcp.reassemble_out_of_order:TRUE",
    ]

    /// A running tshark whose JSON goes to a temporary file, so our own replay
    /// can run meanwhile (tshark's start-up dominates on these small traces).
    final class Run {
        let process = Process()
        let outputPath: String

        /// - Parameter trace: pcap/pcapng, or `.zst` (tshark 4.0 cannot read zstd:
        ///   the `zstd` tool decompresses it into tshark's standard input).
        init(trace: String, tshark: String) throws {
            outputPath = NSTemporaryDirectory() + "/rpc-differential-\(UUID().uuidString).json"
            _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
            guard let output = FileHandle(forWritingAtPath: outputPath) else {
                throw TsharkError.cannotRun("cannot create \(outputPath)")
            }
            if trace.hasSuffix(".zst") {
                guard let zstd = Tshark.zstd else { throw TsharkError.cannotRun("zstd tool not installed") }
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                // Paths are passed as positional parameters, never spliced into the script.
                let script = "z=$1; f=$2; t=$3; shift 3; \"$z\" -q -d -c -- \"$f\" | \"$t\" -r - \"$@\""
                process.arguments = ["-c", script, "sh", zstd, trace, tshark] + Tshark.arguments
            } else {
                process.executableURL = URL(fileURLWithPath: tshark)
                process.arguments = ["-r", trace] + Tshark.arguments
            }
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            try output.close()
        }

        deinit {
            // A replay that threw leaves tshark unwaited for: stop it, drop its file.
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(atPath: outputPath)
        }

        /// Waits for tshark and parses its output.
        func messages() throws -> (messages: [TsharkMessage], continuationPDUs: Int) {
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TsharkError.cannotRun("tshark exited with status \(process.terminationStatus)")
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: outputPath))
            return try Tshark.parse(data)
        }
    }

    /// Reads tshark's JSON: one object per displayed frame, its `rpc` layer an
    /// object (one PDU) or an array (several PDUs in the frame, in order).
    static func parse(_ data: Data) throws -> (messages: [TsharkMessage], continuationPDUs: Int) {
        guard !data.isEmpty else { return ([], 0) }
        guard let packets = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw TsharkError.badOutput("top level is not an array of packets")
        }
        var messages: [TsharkMessage] = []
        var continuations = 0
        for packet in packets {
            guard let layers = (packet["_source"] as? [String: Any])?["layers"] as? [String: Any],
                  let frameLayer = layers["frame"] as? [String: Any],
                  let frameText = frameLayer["frame.number"] as? String, let frame = Int(frameText)
            else { throw TsharkError.badOutput("packet without frame.number") }
            let pdus: [[String: Any]]
            switch layers["rpc"] {
            case let one as [String: Any]: pdus = [one]
            case let many as [[String: Any]]: pdus = many
            default: throw TsharkError.badOutput("frame \(frame): no rpc layer")
            }
            for pdu in pdus {
                // A PDU without an xid is tshark's "Continuation data" (bytes it
                // could not place in a record), not a message.
                guard let xid = number(pdu["rpc.xid"]) else {
                    continuations += 1
                    continue
                }
                guard let type = number(pdu["rpc.msgtyp"]) else {
                    throw TsharkError.badOutput("frame \(frame): xid without msgtyp")
                }
                messages.append(TsharkMessage(frame: frame, xid: xid, messageType: type,
                                              program: number(pdu["rpc.program"]),
                                              version: number(pdu["rpc.programversion"]),
                                              procedure: number(pdu["rpc.procedure"])))
            }
        }
        return (messages, continuations)
    }

    /// A tshark field value: decimal or `0x` hexadecimal text.
    static func number(_ value: Any?) -> UInt32? {
        guard let text = value as? String else { return nil }
        if text.hasPrefix("0x") { return UInt32(text.dropFirst(2), radix: 16) }
        return UInt32(text)
    }
}

enum TsharkError: Error, CustomStringConvertible {
    case cannotRun(String)
    case badOutput(String)

    var description: String {
        switch self {
        case .cannotRun(let why): return "tshark: \(why)"
        case .badOutput(let why): return "tshark output: \(why)"
        }
    }
}
