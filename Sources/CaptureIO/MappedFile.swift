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
    /// Pages below this offset have been handed back to the kernel (`releasePages`).
    @exclusivity(unchecked) private var releasedUpTo = 0

    /// How far behind the reading position pages stay mapped: covers every batch
    /// still in flight through a threaded pipeline (a few MiB), so released pages
    /// are almost never touched again.
    public static let releaseLag = 32 << 20
    /// Pages are released in steps of this size, to keep madvise calls rare.
    public static let releaseStep = 32 << 20

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

    /// Drops the mapping's resident pages that lie more than `releaseLag` before
    /// `offset`, the reader's position, so a replay's RSS does not grow with the file:
    /// resident pages of a file mapping count towards RSS, and a 1 GB trace would
    /// otherwise end with 1 GB resident. Safe whatever still points there: the
    /// mapping is private and never written, so a later access just faults the page
    /// back in from the page cache (it costs time, never correctness).
    public func releasePages(before offset: Int) {
        guard owned, let base = bytes.baseAddress else { return }
        let end = (min(offset, bytes.count) - Self.releaseLag) & ~(Self.pageSize - 1)
        guard end - releasedUpTo >= Self.releaseStep else { return }
        // The mapping's base is page-aligned, so page-aligned offsets are too.
        _ = madvise(UnsafeMutableRawPointer(mutating: base + releasedUpTo), end - releasedUpTo, MADV_DONTNEED)
        releasedUpTo = end
    }

    /// Drops the resident pages below `offset` (a read-ahead scan is done with
    /// them), without moving the point `releasePages` continues from. As there,
    /// a later access just faults a page back in.
    public func dropResidentPages(before offset: Int) {
        guard owned, let base = bytes.baseAddress else { return }
        let end = min(offset, bytes.count) & ~(Self.pageSize - 1)
        guard end > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), end, MADV_DONTNEED)
    }

    private static let pageSize = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))

    deinit {
        if owned, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
