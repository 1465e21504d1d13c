/* Same-run baselines for `rpcreplay bench`; see include/CBaselines.h for why each exists. */
#include "CBaselines.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
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
    size_t hint = 1;   /* 0 once the last frame seen is complete and fully flushed */
    int more = 1;      /* the output buffer filled up: more may be buffered inside */
    int failed = 0;
    /* A full output buffer may hide buffered output, unless the frame is done:
       calling again after the end would ask for the next frame's header. */
    while (in.pos < in.size || (more && hint != 0)) {
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

/* One thread's share of rr_zstd_decompress_parallel: frames first, first+step, ... */
typedef struct {
    const char *src;
    const size_t *frame_start;  /* frame_count + 1 offsets */
    size_t frame_count;
    size_t first;
    size_t step;
    int64_t produced;  /* -1 on a corrupt frame */
} parallel_share;

static void *decompress_share(void *arg) {
    parallel_share *share = (parallel_share *)arg;
    share->produced = 0;
    for (size_t i = share->first; i < share->frame_count; i += share->step) {
        int64_t n = decompress_stream(share->src + share->frame_start[i],
                                      share->frame_start[i + 1] - share->frame_start[i], -1);
        if (n < 0) { share->produced = -1; break; }
        share->produced += n;
    }
    return NULL;
}

int64_t rr_zstd_decompress_parallel(const void *src, size_t src_len, int threads) {
    if (threads < 1) threads = 1;
    int64_t frames = rr_zstd_frame_count(src, src_len);
    if (frames < 0) return -1;
    size_t *frame_start = malloc(((size_t)frames + 1) * sizeof(size_t));
    parallel_share *shares = calloc((size_t)threads, sizeof(parallel_share));
    pthread_t *ids = calloc((size_t)threads, sizeof(pthread_t));
    int64_t total = -1;
    if (frame_start == NULL || shares == NULL || ids == NULL) goto done;
    size_t offset = 0;
    for (int64_t i = 0; i < frames; i++) {
        frame_start[i] = offset;
        offset += ZSTD_findFrameCompressedSize((const char *)src + offset, src_len - offset);
    }
    frame_start[frames] = offset;
    int started = 0;
    for (int t = 0; t < threads; t++) {
        shares[t] = (parallel_share){(const char *)src, frame_start, (size_t)frames, (size_t)t, (size_t)threads, 0};
        if (pthread_create(&ids[t], NULL, decompress_share, &shares[t]) != 0) break;
        started++;
    }
    total = 0;
    for (int t = 0; t < started; t++) {
        pthread_join(ids[t], NULL);
        if (shares[t].produced < 0) total = -1;
        else if (total >= 0) total += shares[t].produced;
    }
    if (started < threads) total = -1;
done:
    free(frame_start);
    free(shares);
    free(ids);
    return total;
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
