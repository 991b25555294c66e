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

/* Start a search; its first question waits for the stream to reach
 * buffer length `clock`. */
static void search_from(kt_framer *f, size_t clock)
{
    f->synced = 0;
    f->nwait = 0;
    f->scan_pos = 0;
    f->scan_need = 0;
    f->clock = clock;
}

/* A frame at buffer offset off is not one: its size prefix is out of
 * range, or its owner refused it once its `end` (buffer offset) had come.
 * The search starts at the next byte, as soon as it would have had the
 * bytes were they delivered one at a time. */
static void lose_sync(kt_framer *f, uint32_t size, size_t end)
{
    if (size > f->max_frame)
        kt_anomaly_add(KT_AN_OVERSIZED_FRAME, 1);
    kt_anomaly_add(KT_AN_DESYNC, 1);
    f->desyncs++;
    search_from(f, end > f->clock ? end : f->clock);
}

void kt_framer_desync(kt_framer *f)
{
    if (f->synced) {
        kt_anomaly_add(KT_AN_DESYNC, 1);
        f->desyncs++;
    }
    search_from(f, 0);
    f->len = 0;
    f->nmarks = 0;
    f->discard = 0;
}

void kt_framer_reset(kt_framer *f, int synced)
{
    search_from(f, 0);
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
    if (f->scan_pos >= n) {
        f->scan_pos -= n;
    } else {
        f->scan_pos = 0;
        f->scan_need = 0;
    }
    for (i = 0, j = 0; i < f->nwait; i++) {
        if (f->wait[i].off >= n) {
            f->wait[j] = f->wait[i];
            f->wait[j++].off -= n;
        }
    }
    f->nwait = j;
    j = 0;
    f->clock = f->clock > n ? f->clock - n : 0;
    if (n >= f->len) {
        f->len = 0;
        f->nmarks = 0;
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
    f->scan_need = 0;
    kt_anomaly_add(KT_AN_RESYNC, 1);
}

/* Buffer offset where the frame that a candidate at off claims would end. */
static size_t claimed_end(const kt_framer *f, size_t off)
{
    uint32_t size;
    size_prefix(f->buf + off, f->len - off, &size);
    return off + 4 + (size_t)size;
}

/* The candidate at off asked to be asked again with need bytes: it joins
 * the waiting ones (offset order: it is after them all).  When all slots
 * are taken, the one that claims the farthest end (the newest on a tie)
 * gives up its place: record bytes read as a header mostly claim frames
 * of megabytes, and must not crowd the real boundary out. */
static void wait_for(kt_framer *f, size_t off, size_t need)
{
    if (f->nwait == KT_FRAMER_WAITS) {
        int far = -1;
        size_t far_end = claimed_end(f, off);
        for (int i = 0; i < f->nwait; i++) {
            size_t e = claimed_end(f, f->wait[i].off);
            if (e > far_end) {
                far_end = e;
                far = i;
            }
        }
        if (far < 0)
            return;
        memmove(&f->wait[far], &f->wait[far + 1], (size_t)(f->nwait - far - 1) * sizeof f->wait[0]);
        f->nwait--;
    }
    f->wait[f->nwait].off = off;
    f->wait[f->nwait].need = need;
    f->nwait++;
}

/* A new offset is first asked about once this many bytes from it are
 * here: a size prefix and the smallest request header (a shorter response
 * frame waits for the bytes after it).  One question rules most offsets
 * out. */
#define KT_FRAMER_FIRST_ASK 12

/* A new offset whose candidate asks for no more than this many bytes
 * (a header not all here yet) holds the scan; one that asks for more
 * goes to wait in a slot. */
#define KT_FRAMER_NEAR 64

/* Out of sync: look for a frame boundary in buf.  Every offset is asked
 * once KT_FRAMER_FIRST_ASK bytes are here, and again while it asks for no more than
 * KT_FRAMER_NEAR bytes; one whose candidate asks for more bytes waits in
 * a slot (KT_FRAMER_WAITS) while the scan goes on past it, so a
 * plausible header that claims a long frame does not hold up the search
 * for the real boundary after it.  The questions are asked in the order
 * of the buffer length they wait for (offset order on a tie, the waiting
 * candidates before a new offset), each with the buffer cut at that length
 * (the clock): as if the bytes came one at a time, whatever the deliveries
 * were.  Each question rules an offset out, sends it to wait, or makes it
 * wait for more bytes than before (doubling over a body), so the work per
 * byte is bounded.  Returns the boundary's offset (and sets synced), or
 * how many leading bytes can be dropped. */
static size_t search(kt_framer *f)
{
    for (;;) {
        size_t ask = f->scan_pos + (f->scan_need ? f->scan_need : KT_FRAMER_FIRST_ASK), off,
               avail, need = 0;
        int w = -1, a;

        if (ask < f->clock)
            ask = f->clock;
        for (int i = 0; i < f->nwait; i++) {
            if (f->wait[i].off + f->wait[i].need <= ask &&
                (w < 0 || f->wait[i].off + f->wait[i].need < f->wait[w].off + f->wait[w].need)) {
                w = i;
            }
        }
        if (w >= 0) {
            off = f->wait[w].off;
            ask = off + f->wait[w].need;
            if (ask < f->clock)
                ask = f->clock;
        } else {
            off = f->scan_pos;
        }
        if (ask > f->len)
            break;                  /* asked when bytes arrive */
        f->clock = ask;
        avail = ask - off;
        a = f->ops->candidate(f->ctx, f->buf + off, avail, &need);
        if (a == KT_CAND_YES) {
            found(f);
            return off;
        }
        if (need <= avail)
            need = avail + 1;
        if (need > KT_CANDIDATE_MAX)
            need = KT_CANDIDATE_MAX;
        if (w >= 0) {
            if (a == KT_CAND_MORE && avail < KT_CANDIDATE_MAX) {
                f->wait[w].need = need;
            } else {
                memmove(&f->wait[w], &f->wait[w + 1], (size_t)(f->nwait - w - 1) * sizeof f->wait[0]);
                f->nwait--;
            }
            continue;
        }
        if (a == KT_CAND_MORE && need <= KT_FRAMER_NEAR) {
            f->scan_need = need;    /* a header still short of bytes */
            continue;
        }
        if (a == KT_CAND_MORE)
            wait_for(f, off, need);
        f->scan_pos++;
        f->scan_need = 0;
    }
    return f->nwait && f->wait[0].off < f->scan_pos ? f->wait[0].off : f->scan_pos;
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
            lose_sync(f, size, off + 4);
            skip_count(f, 1);
            off++;
            continue;
        }
        if (f->len - off - 4 < size)
            break;
        if (hand_on(f, f->buf + off + 4, size, ts_at(f, off), now) == KT_FRAME_DESYNC) {
            lose_sync(f, size, off + 4 + (size_t)size);
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
            /* as in drain(): search from the next byte, once its 4 bytes
             * would have come (clock 3 in the buffer that starts there) */
            lose_sync(f, size, 3);
            skip_count(f, 1);
            p++;
            len--;
            break;
        }
        if (len - 4 < size)
            break;
        if (hand_on(f, p + 4, size, ts, ts) == KT_FRAME_DESYNC) {
            /* as in drain(): search again from the byte after this frame's
             * start, not from the start (that would hand it on twice),
             * from when its end came */
            lose_sync(f, size, 3 + (size_t)size);
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
