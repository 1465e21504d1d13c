#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Diagnostics go to stderr so stdout stays machine-readable (`info --json`).
func printError(_ message: String) {
    // write(2) on the descriptor: the C `stderr` global is not concurrency-safe in Swift 6.
    var line = "rpcreplay: " + message + "\n"
    line.withUTF8 { bytes in
        var rest = UnsafeRawBufferPointer(bytes)
        while !rest.isEmpty {
            let n = write(2, rest.baseAddress, rest.count)
            if n <= 0 { break }
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }
}

/// True when `a` and `b` name the same existing file. Writing an output over the
/// input would truncate a file that is still memory-mapped (SIGBUS).
func sameFile(_ a: String, _ b: String) -> Bool {
    var sa = stat(), sb = stat()
    guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
}

/// Removes a half-written output after a failure, so no plausible-looking
/// truncated file is left behind.
func removePartialOutput(_ path: String) {
    _ = unlink(path)
}
