#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file. Packets of plain captures are
/// slices of this mapping, so nothing is copied on the way in.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    /// False for a borrowed in-memory buffer, which is not unmapped on deinit.
    private let owned: Bool

    /// Wraps bytes already in memory (fuzzers, tests). The caller keeps `bytes`
    /// alive for the lifetime of this object and of every packet read from it.
    public init(borrowing bytes: UnsafeRawBufferPointer, name: String) {
        self.path = name
        self.bytes = bytes
        self.owned = false
    }

    public init(path: String) throws(CaptureError) {
        self.path = path
        self.owned = true
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CaptureError(file: path, offset: 0, problem: .cannotOpen(String(cString: strerror(errno))))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw CaptureError(file: path, offset: 0, problem: .cannotOpen(String(cString: strerror(errno))))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw CaptureError(file: path, offset: 0, problem: .cannotOpen("not a regular file"))
        }
        let size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw CaptureError(file: path, offset: 0, problem: .cannotOpen("mmap: " + String(cString: strerror(errno))))
        }
        // Sequential walk: ask the kernel for aggressive read-ahead.
        _ = madvise(base, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if owned, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
