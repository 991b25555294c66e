/* kafka_framing.c - Kafka size-prefixed frames from a TCP byte stream
 * (see kafka_framing.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/cursor.h"
#include "kafka/kafka_framing.h"

void kt_framer_init(kt_framer *f, const kt_framer_ops *ops, void *ctx,
                    size_t max_frame, int synced, kt_memcap *mem)
{
    memset(f, 0, sizeof *f);
    f->ops = ops;
    f->ctx = ctx;
    f->max_frame = max_frame;
    f->synced = synced;
    f->mem = mem;
}

/* The buffer's capacity moves from f->cap to cap: charge or refund the
 * difference.  0 when the account refuses to grow (counted there). */
static int charge(kt_framer *f, size_t cap)
{
    if (!f->mem)
        return 1;
    if (cap < f->cap) {
        kt_memcap_release(f->mem, f->cap - cap);
        return 1;
    }
    return kt_memcap_reserve(f->mem, cap - f->cap);
}

void kt_framer_free(kt_framer *f)
{
    charge(f, 0);
    free(f->buf);
    f->buf = NULL;
    f->len = f->cap = 0;
    f->nmarks = 0;
}

/* The size prefix of the frame at p, through the cursor: 1 and *size when
 * its 4 bytes are among the len there, else 0.  p is NULL for a buffer
 * never allocated (len 0). */
static int size_prefix(const uint8_t *p, size_t len, uint32_t *size)
{
    kt_cursor c;
    *size = 0;
    if (!p)
        return 0;
    kt_cur_init(&c, p, len);
    return kt_cur_peek_u32(&c, 0, size);
}

static int size_ok(const kt_framer *f, uint32_t size)
{
    return size >= 4 && size <= f->max_frame;
}

static void lose_sync(kt_framer *f, uint32_t size)
{
    if (size > f->max_frame)
        kt_anomaly_add(KT_AN_OVERSIZED_FRAME, 1);
    kt_anomaly_add(KT_AN_DESYNC, 1);
    f->desyncs++;
    f->synced = 0;
    f->nwait = 0;
    f->scan_pos = 0;
}

void kt_framer_desync(kt_framer *f)
{
    if (f->synced) {
        kt_anomaly_add(KT_AN_DESYNC, 1);
        f->desyncs++;
    }
    f->synced = 0;
    f->len = 0;
    f->nmarks = 0;
    f->discard = 0;
    f->nwait = 0;
    f->scan_pos = 0;
}

void kt_framer_reset(kt_framer *f, int synced)
{
    f->nwait = 0;
    f->scan_pos = 0;
    f->synced = synced;
    f->len = 0;
    f->nmarks = 0;
    f->discard = 0;
}

static void skip_count(kt_framer *f, uint64_t n)
{
    f->skipped += n;
    kt_anomaly_add(KT_AN_RESYNC_SKIPPED_BYTES, n);
}

/* Capture time of buffered byte `off`. */
static uint64_t ts_at(const kt_framer *f, size_t off)
{
    uint64_t ts = f->nmarks ? f->mark[0].ts : 0;
    for (int i = 0; i < f->nmarks && f->mark[i].off <= off; i++)
        ts = f->mark[i].ts;
    return ts;
}

static int append(kt_framer *f, const uint8_t *p, size_t n, uint64_t ts)
{
    if (n > f->cap - f->len) {
        size_t want = f->cap ? f->cap : 256;
        while (want - f->len < n)
            want *= 2;
        if (!charge(f, want))
            return -2;
        uint8_t *nb = realloc(f->buf, want);
        if (!nb) {
            if (f->mem)
                kt_memcap_release(f->mem, want - f->cap);
            return -1;
        }
        f->buf = nb;
        f->cap = want;
    }
    if (f->nmarks == 0 || f->mark[f->nmarks - 1].ts != ts) {
        /* all marks used: the newest delivery takes over the last mark
         * (its bytes are where the next frame most likely starts); the
         * bytes before it are attributed to the mark before */
        int i = f->nmarks < KT_FRAMER_MARKS ? f->nmarks++ : KT_FRAMER_MARKS - 1;
        f->mark[i].off = f->len;
        f->mark[i].ts = ts;
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    return 0;
}

/* Drop the first n buffered bytes. */
static void consume(kt_framer *f, size_t n)
{
    int i, j = 0;
    uint64_t ts_keep;
    if (n == 0)
        return;
    f->scan_pos = f->scan_pos > n ? f->scan_pos - n : 0;
    for (i = 0; i < f->nwait; i++)
        f->wait[i] = f->wait[i] > n ? f->wait[i] - n : 0;
    if (n >= f->len) {
        f->len = 0;
        f->nmarks = 0;
        f->nwait = 0;
        f->scan_pos = 0;
        return;
    }
    ts_keep = ts_at(f, n);
    memmove(f->buf, f->buf + n, f->len - n);
    f->len -= n;
    /* keep the mark that covers the new first byte, then the later ones */
    f->mark[j].off = 0;
    f->mark[j].ts = ts_keep;
    j++;
    for (i = 0; i < f->nmarks; i++) {
        if (f->mark[i].off > n) {
            f->mark[j].off = f->mark[i].off - n;
            f->mark[j].ts = f->mark[i].ts;
            j++;
        }
    }
    f->nmarks = j;
    /* a large buffer that is now mostly idle shrinks back */
    if (f->cap > 65536 && f->len < f->cap / 8) {
        size_t want = f->len < 256 ? 256 : f->len;
        uint8_t *nb = realloc(f->buf, want);
        if (nb) {
            charge(f, want);
            f->buf = nb;
            f->cap = want;
        }
    }
}

static int hand_on(kt_framer *f, const uint8_t *data, size_t size,
                   uint64_t first_ts, uint64_t last_ts)
{
    kt_frame fr = { data, size, size, first_ts, last_ts, 0 };
    f->frames++;
    return f->ops->frame(f->ctx, &fr);
}

static void found(kt_framer *f)
{
    f->synced = 1;
    f->nwait = 0;
    f->scan_pos = 0;
    kt_anomaly_add(KT_AN_RESYNC, 1);
}

/* Out of sync: look for a frame boundary in buf.  Offsets whose candidate
 * asked for more bytes are remembered (up to KT_FRAMER_WAITS) and asked
 * again when bytes arrive, while the scan goes on past them: a plausible
 * header that claims a long frame does not hold up the search for the
 * real boundary after it.  Returns the boundary's offset (and sets synced),
 * or how many leading bytes can be dropped. */
static size_t search(kt_framer *f)
{
    int i, j = 0;
    size_t off;

    for (i = 0; i < f->nwait; i++) {
        int a;
        off = f->wait[i];
        a = f->len - off >= 4 ? f->ops->candidate(f->ctx, f->buf + off, f->len - off)
                              : KT_CAND_MORE;
        if (a == KT_CAND_YES) {
            found(f);
            return off;
        }
        if (a == KT_CAND_MORE && f->len - off < KT_CANDIDATE_MAX)
            f->wait[j++] = off;
    }
    f->nwait = j;
    for (off = f->scan_pos; off + 4 <= f->len; off++) {
        int a = f->ops->candidate(f->ctx, f->buf + off, f->len - off);
        if (a == KT_CAND_YES) {
            found(f);
            return off;
        }
        if (a == KT_CAND_MORE) {
            if (f->nwait == KT_FRAMER_WAITS)
                break;              /* resume here when bytes arrive */
            f->wait[f->nwait++] = off;
        }
    }
    f->scan_pos = off;
    return f->nwait ? f->wait[0] : off;
}

/* Hand on what the buffer holds.  Frames are handed on from an offset and
 * the buffer is shifted once at the end, not after each frame. */
static void drain(kt_framer *f, uint64_t now)
{
    size_t off = 0;
    for (;;) {
        if (!f->synced) {
            size_t skip;
            consume(f, off);          /* the search works from the start */
            off = 0;
            skip = search(f);
            skip_count(f, skip);
            consume(f, skip);
            if (!f->synced)
                return;
        }
        uint32_t size;
        if (!size_prefix(f->buf + off, f->len - off, &size))
            break;
        if (!size_ok(f, size)) {
            lose_sync(f, size);
            skip_count(f, 1);
            off++;
            continue;
        }
        if (f->len - off - 4 < size)
            break;
        if (hand_on(f, f->buf + off + 4, size, ts_at(f, off), now) == KT_FRAME_DESYNC) {
            lose_sync(f, size);
            skip_count(f, 1);
            off++;
            continue;
        }
        off += 4 + (size_t)size;
    }
    consume(f, off);
}

/* Gives the (empty) buffer's memory back. */
static void release(kt_framer *f)
{
    charge(f, 0);
    free(f->buf);
    f->buf = NULL;
    f->cap = 0;
}

void kt_framer_data(kt_framer *f, const uint8_t *p, size_t len, uint64_t ts)
{
    if (f->discard) {
        size_t n = f->discard < len ? (size_t)f->discard : len;
        f->discard -= n;
        p += n;
        len -= n;
    }
    /* Fast path: in sync, nothing buffered, frames handed on in place. */
    uint32_t size;
    while (f->synced && f->len == 0 && size_prefix(p, len, &size)) {
        if (!size_ok(f, size)) {
            lose_sync(f, size);
            break;
        }
        if (len - 4 < size)
            break;
        if (hand_on(f, p + 4, size, ts, ts) == KT_FRAME_DESYNC) {
            /* as in drain(): search again from the byte after this frame's
             * start, not from the start (that would hand it on twice) */
            lose_sync(f, size);
            skip_count(f, 1);
            p++;
            len--;
            break;
        }
        p += 4 + (size_t)size;
        len -= 4 + (size_t)size;
    }
    if (len == 0)
        return;
    switch (append(f, p, len, ts)) {
    case -2:
        /* all framers together hold too much (counted by the account) */
        if (f->synced && size_prefix(f->buf, f->len, &size)) {
            /* keep sync: hand on the frame cut here, skip the rest of it */
            kt_frame fr = { f->buf + 4, f->len - 4, size, ts_at(f, 0), ts, 1 };
            f->discard = 4 + (uint64_t)size - f->len;
            f->frames++;
            f->ops->frame(f->ctx, &fr);
            f->len = 0;
            f->nmarks = 0;
            release(f);
            kt_framer_data(f, p, len, ts);
            return;
        }
        skip_count(f, f->len + len);
        kt_framer_desync(f);
        release(f);
        return;
    case -1:
        /* out of memory: drop everything and search again */
        skip_count(f, f->len + len);
        kt_framer_desync(f);
        return;
    }
    drain(f, ts);
}

void kt_framer_gap(kt_framer *f, uint64_t missed, uint64_t ts)
{
    if (f->discard) {
        if (missed <= f->discard) {
            f->discard -= missed;
            return;
        }
        missed -= f->discard;
        f->discard = 0;
        kt_framer_desync(f);
        return;
    }
    uint32_t size;
    if (f->synced && size_prefix(f->buf, f->len, &size)) {
        uint64_t remaining = 4 + (uint64_t)size - f->len;  /* drain left it partial */
        kt_frame fr = { f->buf + 4, f->len - 4, size, ts_at(f, 0), ts, 1 };
        f->frames++;
        f->ops->frame(f->ctx, &fr);
        f->len = 0;
        f->nmarks = 0;
        if (missed <= remaining) {
            f->discard = remaining - missed;
            return;
        }
    }
    kt_framer_desync(f);
}
