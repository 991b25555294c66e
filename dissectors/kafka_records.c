/* kafka_records.c - record batches (magic 2) and legacy message sets
 * (magic 0/1): counting records, offsets and codecs without copying; gzip
 * wrappers of legacy sets are inflated through a stack buffer, capped, only
 * to count their inner messages.  See kafka_records.h.
 */
#include "dissectors/kafka_records.h"

#include <string.h>
#include <zlib.h>

#define V2_HEADER_AFTER_LENGTH 49   /* partitionLeaderEpoch .. records count */

int kt_batch_next(kt_cursor *c, kt_batch *b)
{
    kt_cursor peek, body;
    int64_t base_offset;
    int32_t length;
    uint8_t magic;

    if (!kt_cur_ok(c))
        return KT_BATCH_MALFORMED;
    if (kt_cur_left(c) == 0)
        return KT_BATCH_END;
    peek = *c;
    base_offset = kt_cur_i64(&peek);
    length = kt_cur_i32(&peek);
    /* the magic byte comes after 4 more bytes in both formats
     * (partitionLeaderEpoch, or the legacy crc) */
    if (!kt_cur_peek_u8(&peek, 4, &magic))
        return KT_BATCH_PARTIAL;
    memset(b, 0, sizeof *b);
    b->base_offset = base_offset;
    if (length < 0)
        return KT_BATCH_MALFORMED;
    if ((size_t)length > kt_cur_left(&peek))
        return KT_BATCH_PARTIAL;
    body = kt_cur_sub(&peek, (size_t)length);
    b->length = length;
    b->magic = magic;
    b->producer_id = -1;
    b->producer_epoch = -1;
    b->base_sequence = -1;
    b->first_timestamp = b->max_timestamp = -1;

    if (magic == 2) {
        int16_t attr;
        int32_t lod;
        if (length < V2_HEADER_AFTER_LENGTH)
            return KT_BATCH_MALFORMED;
        (void)kt_cur_i32(&body);            /* partitionLeaderEpoch */
        (void)kt_cur_i8(&body);             /* magic */
        (void)kt_cur_u32(&body);            /* crc */
        attr = kt_cur_i16(&body);
        lod = kt_cur_i32(&body);
        b->first_timestamp = kt_cur_i64(&body);
        b->max_timestamp = kt_cur_i64(&body);
        b->producer_id = kt_cur_i64(&body);
        b->producer_epoch = kt_cur_i16(&body);
        b->base_sequence = kt_cur_i32(&body);
        b->record_count = kt_cur_i32(&body);
        if (!kt_cur_ok(&body) || b->record_count < 0 || lod < 0)
            return KT_BATCH_MALFORMED;
        b->codec = attr & 7;
        b->transactional = (attr >> 4) & 1;
        b->control = (attr >> 5) & 1;
        /* wraps instead of overflowing on a hostile baseOffset */
        b->last_offset = (int64_t)((uint64_t)b->base_offset + (uint64_t)lod);
        b->records = kt_cur_slice(&body, kt_cur_left(&body));
    } else if (magic == 0 || magic == 1) {
        int8_t attr;
        (void)kt_cur_u32(&body);            /* crc */
        (void)kt_cur_i8(&body);             /* magic */
        attr = kt_cur_i8(&body);
        if (magic == 1)
            b->first_timestamp = b->max_timestamp = kt_cur_i64(&body);
        (void)kt_cur_bytes(&body);          /* key */
        b->records = kt_cur_bytes(&body);   /* value */
        if (!kt_cur_ok(&body) || kt_cur_left(&body))
            return KT_BATCH_MALFORMED;
        b->codec = attr & 7;
        b->last_offset = b->base_offset;
        b->record_count = 1;
    } else {
        return KT_BATCH_MALFORMED;
    }
    *c = peek;                              /* past the batch */
    return KT_BATCH_OK;
}

/* The inner message set of a gzip wrapper, counted as it streams out of
 * zlib: 12 header bytes (offset, size), then `size` bytes skipped. */
typedef struct set_counter {
    uint8_t hdr[12];
    size_t have;
    uint64_t skip;
    uint64_t count;
    int bad;
} set_counter;

static void count_feed(set_counter *sc, const uint8_t *p, size_t n)
{
    while (n > 0 && !sc->bad) {
        if (sc->skip > 0) {
            size_t k = sc->skip < n ? (size_t)sc->skip : n;
            sc->skip -= k;
            p += k;
            n -= k;
            continue;
        }
        {
            size_t k = sizeof sc->hdr - sc->have;
            if (k > n)
                k = n;
            memcpy(sc->hdr + sc->have, p, k);
            sc->have += k;
            p += k;
            n -= k;
        }
        if (sc->have == sizeof sc->hdr) {
            kt_cursor h;
            int32_t size;
            kt_cur_init(&h, sc->hdr, sizeof sc->hdr);
            kt_cur_skip(&h, 8);             /* offset */
            size = kt_cur_i32(&h);
            if (size < 14) {                /* crc..value of magic 0 */
                sc->bad = 1;
                return;
            }
            sc->skip = (uint64_t)size;
            sc->have = 0;
            sc->count++;
        }
    }
}

uint64_t kt_gzip_count_messages(kt_slice gz, size_t max_out, int *capped,
                                int *corrupt, uint64_t *out_bytes)
{
    z_stream zs;
    set_counter sc;
    uint8_t buf[16384];
    uint64_t produced = 0;
    int rc = Z_OK;

    *capped = 0;
    *corrupt = 0;
    *out_bytes = 0;
    memset(&sc, 0, sizeof sc);
    memset(&zs, 0, sizeof zs);
    if (gz.is_null || gz.len == 0 || gz.len > (size_t)UINT32_MAX) {
        *corrupt = 1;
        return 0;
    }
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {    /* gzip or zlib header */
        *corrupt = 1;
        return 0;
    }
    zs.next_in = (Bytef *)(uintptr_t)gz.ptr;     /* zlib does not write it */
    zs.avail_in = (uInt)gz.len;
    for (;;) {
        size_t room = sizeof buf;
        size_t got;
        if (produced >= max_out) {
            *capped = 1;
            break;
        }
        if (room > max_out - produced)
            room = (size_t)(max_out - produced);
        zs.next_out = buf;
        zs.avail_out = (uInt)room;
        rc = inflate(&zs, Z_NO_FLUSH);
        got = room - zs.avail_out;
        produced += got;
        count_feed(&sc, buf, got);
        if (sc.bad || rc == Z_STREAM_END)
            break;
        if (rc != Z_OK) {                 /* corrupt, or input ran out */
            *corrupt = 1;
            break;
        }
    }
    inflateEnd(&zs);
    if (sc.bad)
        *corrupt = 1;
    /* A message cut short by the end of the stream (not by the cap). */
    if (!*capped && !*corrupt && (sc.have || sc.skip))
        *corrupt = 1;
    *out_bytes = produced;
    return sc.count;
}

void kt_records_scan(kt_slice data, size_t max_inflate, kt_records_summary *s)
{
    kt_cursor c;
    kt_batch b;
    size_t budget = max_inflate ? max_inflate : KT_RECORDS_MAX_INFLATE;

    memset(s, 0, sizeof *s);
    s->magic = -1;
    s->first_offset = s->last_offset = -1;
    s->txn_producer_id = -1;
    s->txn_producer_epoch = -1;
    if (data.is_null || !data.ptr)
        return;
    s->bytes = data.len;
    kt_cur_init(&c, data.ptr, data.len);
    for (;;) {
        int st = kt_batch_next(&c, &b);
        uint64_t n = 1;
        int64_t first;
        if (st == KT_BATCH_END)
            break;
        if (st == KT_BATCH_PARTIAL) {
            s->partial_bytes = kt_cur_left(&c);
            break;
        }
        if (st != KT_BATCH_OK) {
            s->malformed = 1;
            break;
        }
        s->batches++;
        if (s->magic < 0)
            s->magic = b.magic;
        else if (s->magic != b.magic)
            s->mixed_magic = 1;
        if (b.codec < (int)(sizeof s->codec_batches / sizeof s->codec_batches[0]))
            s->codec_batches[b.codec]++;
        first = b.base_offset;
        if (b.magic == 2) {
            n = (uint64_t)b.record_count;
            s->transactional_batches += (uint32_t)b.transactional;
            if (b.control) {
                s->control_batches++;
                s->control_records += n;
            } else if (b.transactional) {
                s->transactional_records += n;
                if (s->txn_producer_id < 0) {
                    s->txn_producer_id = b.producer_id;
                    s->txn_producer_epoch = b.producer_epoch;
                }
            }
        } else if (b.codec == KT_CODEC_GZIP) {
            int capped, corrupt;
            uint64_t out;
            size_t left = budget > s->inflated_bytes
                ? budget - (size_t)s->inflated_bytes : 0;
            if (b.records.len < left / KT_RECORDS_MAX_RATIO)   /* ratio cap */
                left = b.records.len * KT_RECORDS_MAX_RATIO;
            n = kt_gzip_count_messages(b.records, left, &capped, &corrupt, &out);
            s->inflated_bytes += out;
            if (capped)
                s->inflate_capped++;
            if (capped || corrupt || n == 0) {
                s->wrappers_uncounted++;
                if (n == 0)
                    n = 1;
            }
            /* The wrapper carries the offset of its last inner message. */
            first = (int64_t)((uint64_t)b.base_offset - (n - 1));  /* no overflow */
        } else if (b.codec != KT_CODEC_NONE) {
            s->wrappers_uncounted++;
        }
        s->records += n;
        if (s->first_offset < 0)
            s->first_offset = first;
        s->last_offset = b.last_offset;
    }
}

const char *kt_codec_name(int codec)
{
    switch (codec) {
    case KT_CODEC_NONE: return "none";
    case KT_CODEC_GZIP: return "gzip";
    case KT_CODEC_SNAPPY: return "snappy";
    case KT_CODEC_LZ4: return "lz4";
    case KT_CODEC_ZSTD: return "zstd";
    }
    return "unknown";
}
