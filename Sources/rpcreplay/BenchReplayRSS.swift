#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Peak resident memory of a real `rpcreplay replay` of one file: this very
/// binary, run as a child process, so the figure is the replay's alone (the
/// bench process's own peak includes every probe's mappings and buffers).
enum BenchReplayRSS {
    /// Runs `rpcreplay replay --quiet --shards N --out TMPDIR FILE` and returns
    /// its ru_maxrss in bytes (from wait4).
    /// - Throws: `BenchFailure` when it cannot run or does not exit with 0.
    static func measure(path: String, shards: Int) throws -> UInt64 {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rpcreplay-bench-rss-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = ["rpcreplay", "replay", "--quiet", "--shards", String(shards), "--out", directory, path]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Its stdout and stderr (UDP `bad port number` warnings) are not ours to print.
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for case let pointer? in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executablePath, &actions, nil, &argv, environ)
        guard spawned == 0 else { throw BenchFailure("cannot run \(executablePath): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchFailure("wait4: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED && WEXITSTATUS == 0, spelled out (the macros are not imported).
        guard status & 0x7F == 0 else { throw BenchFailure("replay of \(path) killed by signal \(status & 0x7F)") }
        guard (status >> 8) & 0xFF == 0 else {
            throw BenchFailure("replay of \(path) exited with status \((status >> 8) & 0xFF)")
        }
        #if canImport(Darwin)
        return UInt64(usage.ru_maxrss)  // bytes on Darwin
        #else
        return UInt64(usage.ru_maxrss) * 1024  // KiB on Linux
        #endif
    }

    /// This binary: /proc/self/exe where it exists, else argv[0].
    static var executablePath: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return CommandLine.arguments[0]
    }
}
