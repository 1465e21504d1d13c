/* Same-run baselines for `rpcreplay bench`; see include/CBaselines.h for why each exists. */
#include "CBaselines.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

static void copy_error(char *error, size_t error_len, const char *text) {
    if (error == NULL || error_len == 0) return;
    strncpy(error, text, error_len - 1);
    error[error_len - 1] = '\0';
}

rr_pcap_loop_result rr_pcap_loop(const char *path, int touch_first_byte, char *error, size_t error_len) {
    rr_pcap_loop_result r = {0, 0, 0, 0};
    char errbuf[PCAP_ERRBUF_SIZE];
    errbuf[0] = '\0';
    pcap_t *p = pcap_open_offline(path, errbuf);
    if (p == NULL) {
        copy_error(error, error_len, errbuf);
        r.status = -1;
        return r;
    }
    struct pcap_pkthdr *header;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(p, &header, &data)) == 1) {
        r.packets++;
        r.captured_bytes += header->caplen;
        if (touch_first_byte && header->caplen > 0) r.touched += data[0];
    }
    if (rc != PCAP_ERROR_BREAK) {  /* -2 is the clean end of a savefile */
        copy_error(error, error_len, pcap_geterr(p));
        r.status = -1;
    }
    pcap_close(p);
    return r;
}

/* The shared streaming loop: `sink` < 0 discards output, otherwise writes it there. */
static int64_t decompress_stream(const void *src, size_t src_len, int sink) {
    ZSTD_DStream *ds = ZSTD_createDStream();
    if (ds == NULL) return -1;
    size_t out_cap = ZSTD_DStreamOutSize();
    void *out_buf = malloc(out_cap);
    if (out_buf == NULL) {
        ZSTD_freeDStream(ds);
        return -1;
    }
    ZSTD_initDStream(ds);
    ZSTD_inBuffer in = {src, src_len, 0};
    int64_t total = 0;
    size_t hint = 1;   /* 0 once the last frame seen is complete */
    int more = 1;      /* the output buffer filled up: more may be buffered inside */
    int failed = 0;
    while (in.pos < in.size || more) {
        ZSTD_outBuffer out = {out_buf, out_cap, 0};
        hint = ZSTD_decompressStream(ds, &out, &in);
        if (ZSTD_isError(hint)) { failed = 1; break; }
        total += (int64_t)out.pos;
        if (sink >= 0) {
            size_t done = 0;
            while (done < out.pos) {
                ssize_t n = write(sink, (const char *)out_buf + done, out.pos - done);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) { failed = 1; break; }
                done += (size_t)n;
            }
            if (failed) break;
        }
        more = out.pos == out_cap;
    }
    /* Input used up in the middle of a frame: a truncated file, not a clean end. */
    if (!failed && hint != 0) failed = 1;
    free(out_buf);
    ZSTD_freeDStream(ds);
    return failed ? -1 : total;
}

int64_t rr_zstd_decompress(const void *src, size_t src_len) {
    return decompress_stream(src, src_len, -1);
}

int64_t rr_zstd_decompress_to_fd(const void *src, size_t src_len, int fd) {
    if (fd < 0) return -1;
    return decompress_stream(src, src_len, fd);
}

int64_t rr_zstd_frame_count(const void *src, size_t src_len) {
    const char *p = (const char *)src;
    int64_t frames = 0;
    while (src_len > 0) {
        size_t n = ZSTD_findFrameCompressedSize(p, src_len);
        if (ZSTD_isError(n) || n == 0 || n > src_len) return -1;
        frames++;
        p += n;
        src_len -= n;
    }
    return frames;
}

uint64_t rr_memory_walk(const void *buf, size_t len) {
    const unsigned char *p = (const unsigned char *)buf;
    uint64_t sum = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 64) {
        uint64_t w;
        memcpy(&w, p + i, 8);  /* unaligned-safe 8-byte load */
        sum += w;
    }
    return sum;
}

uint64_t rr_memcpy_chunks(const void *src, size_t len, void *dst, size_t dst_len) {
    if (dst_len == 0) return 0;
    const unsigned char *s = (const unsigned char *)src;
    unsigned char *d = (unsigned char *)dst;
    uint64_t sum = 0;
    size_t done = 0;
    while (done < len) {
        size_t n = len - done < dst_len ? len - done : dst_len;
        memcpy(d, s + done, n);
        sum += d[0];
        done += n;
    }
    return sum;
}
