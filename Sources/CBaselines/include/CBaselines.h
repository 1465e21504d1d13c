#ifndef RPCREPLAY_CBASELINES_H
#define RPCREPLAY_CBASELINES_H
/*
 * Same-run performance baselines, written in plain C on purpose.
 *
 * `rpcreplay bench` and the Benchmarks/ package report the reader's speed as a
 * RATIO to these loops, measured in the same process and run on the same
 * bytes. Absolute rates move with the machine, its load and the page cache;
 * ratios to well-known loops do not, so they are what targets are written in.
 * Each function is the simplest honest way to do its job with the system
 * library; none is tuned beyond that, so "faster than the baseline" means
 * "faster than what a C programmer gets by default".
 */
#include <stddef.h>
#include <stdint.h>

/// Result of a whole-file packet loop.
typedef struct {
    uint64_t packets;
    /// Sum of caplen over all packets.
    uint64_t captured_bytes;
    /// Sum of the first byte of every packet (0 unless asked to touch them);
    /// returned so the compiler cannot drop the loads.
    uint64_t touched;
    /// 0 on a clean end of file, otherwise -1 and `error` holds libpcap's text.
    int status;
} rr_pcap_loop_result;

/// The reference loop a capture tool is written with: `pcap_open_offline`,
/// then `pcap_next_ex` until the end, summing caplen. This is what "as fast as
/// libpcap" means. libpcap reads through stdio into its own buffer and copies
/// nothing else; it also parses pcapng.
/// - Parameters:
///   - path: capture file (plain pcap or pcapng; libpcap cannot read zstd).
///   - touch_first_byte: nonzero to also read the first byte of every packet.
///   - error: buffer for libpcap's message (at least 256 bytes), may be NULL.
///   - error_len: size of `error`.
rr_pcap_loop_result rr_pcap_loop(const char *path, int touch_first_byte, char *error, size_t error_len);

/// Raw libzstd streaming decompression of an in-memory buffer with the
/// library's recommended buffer sizes (ZSTD_DStreamOutSize), output discarded.
/// This is the ceiling for a single-threaded zstd reader: it decompresses and
/// does nothing else. Concatenated and skippable frames are handled as the
/// zstd tool handles them.
/// - Returns: decompressed byte count, or -1 on corrupt or truncated input.
int64_t rr_zstd_decompress(const void *src, size_t src_len);

/// Raw libzstd over independent frames on `threads` POSIX threads (frame i
/// goes to thread i mod threads), each a plain streaming loop as in
/// rr_zstd_decompress. Its speed-up over one thread is what the machine allows
/// for parallel decompression (shared caches, memory bandwidth, a busy core):
/// the ceiling for the reader's own 2-thread/1-thread ratio.
/// - Returns: decompressed byte count, or -1 on corrupt input or if a thread
///   cannot start.
int64_t rr_zstd_decompress_parallel(const void *src, size_t src_len, int threads);

/// Decompresses a buffer into a file descriptor (for building an uncompressed
/// copy that libpcap can read). Not a baseline; lives here because it is the
/// same loop with a write added.
/// - Returns: bytes written, or -1 on corrupt input or a write error.
int64_t rr_zstd_decompress_to_fd(const void *src, size_t src_len, int fd);

/// Number of zstd frames (data and skippable) in a buffer, walking frame
/// headers only (nothing is decompressed). Tells single-frame files from the
/// multi-frame files that can be decompressed in parallel.
/// - Returns: frame count, or -1 if the buffer is not a sequence of whole frames.
int64_t rr_zstd_frame_count(const void *src, size_t src_len);

/// Reads one 8-byte word from every 64-byte cache line of a buffer and returns
/// their sum: the memory-bandwidth limit of any walk over these bytes. A record
/// walk cannot beat it; the ratio to it says how much the walk costs on top of
/// merely bringing the bytes into the core.
uint64_t rr_memory_walk(const void *buf, size_t len);

/// Copies a buffer, `dst_len` bytes at a time, into the same destination
/// buffer (wrapping around): the cost of moving bytes once, as a reader that
/// copied every record into a window would pay. Returns the sum of the first
/// byte of each chunk copied so nothing is optimised away.
uint64_t rr_memcpy_chunks(const void *src, size_t len, void *dst, size_t dst_len);

#endif
