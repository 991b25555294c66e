/* test_records.c - unit tests of record batch and message set counting
 * (dissectors/kafka_records.c).
 *
 * Ground truth: batches and message sets assembled here byte by byte from
 * the formats in the Kafka protocol documentation ("Record Batch": baseOffset
 * int64, batchLength int32, partitionLeaderEpoch int32, magic int8 = 2, crc
 * uint32, attributes int16, lastOffsetDelta int32, baseTimestamp int64,
 * maxTimestamp int64, producerId int64, producerEpoch int16, baseSequence
 * int32, records count int32, records; "Message Sets" v0/v1: offset int64,
 * message size int32, crc int32, magic int8, attributes int8, timestamp int64
 * (v1 only), key bytes, value bytes; compression codec in attribute bits
 * 0-2, transactional bit 4 and control bit 5 of v2 attributes).  Compressed
 * wrappers are produced with zlib's own gzip encoder.  Real batches from
 * third-party captures are checked against tshark in test_walk.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "common/cursor.h"
#include "dissectors/kafka_records.h"

typedef struct buf {
    uint8_t *b;
    size_t n, cap;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 256;
        o->b = realloc(o->b, o->cap);
        assert_non_null(o->b);
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void p8(buf *o, int v)
{
    uint8_t x = (uint8_t)v;
    put(o, &x, 1);
}

static void pbe(buf *o, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        p8(o, (int)(v >> (8 * i)) & 0xff);
}

static void p16(buf *o, int64_t v) { pbe(o, (uint64_t)v, 2); }
static void p32(buf *o, int64_t v) { pbe(o, (uint64_t)v, 4); }
static void p64(buf *o, int64_t v) { pbe(o, (uint64_t)v, 8); }

static void patch32(buf *o, size_t at, int64_t v)
{
    for (int i = 0; i < 4; i++)
        o->b[at + (size_t)i] = (uint8_t)((uint64_t)v >> (8 * (3 - i)));
}

/* A magic-2 batch; `payload` stands for the records section. */
static void batch_v2(buf *o, int64_t base, int attrs, int32_t lod,
                     int64_t pid, int epoch, int32_t seq, int32_t count,
                     const char *payload)
{
    size_t at;
    p64(o, base);
    at = o->n;
    p32(o, 0);                    /* batchLength, patched below */
    p32(o, 0);                    /* partitionLeaderEpoch */
    p8(o, 2);                     /* magic */
    p32(o, 0);                    /* crc (not checked) */
    p16(o, attrs);
    p32(o, lod);
    p64(o, 1700000000000);        /* baseTimestamp */
    p64(o, 1700000000005);        /* maxTimestamp */
    p64(o, pid);
    p16(o, epoch);
    p32(o, seq);
    p32(o, count);
    put(o, payload, strlen(payload));
    patch32(o, at, (int64_t)(o->n - at - 4));
}

/* A legacy message (magic 0 or 1) with a null key. */
static void message(buf *o, int magic, int64_t offset, int attrs,
                    const void *value, size_t vlen)
{
    size_t at;
    p64(o, offset);
    at = o->n;
    p32(o, 0);                    /* message size, patched below */
    p32(o, 0);                    /* crc */
    p8(o, magic);
    p8(o, attrs);
    if (magic == 1)
        p64(o, 1700000000000);
    p32(o, -1);                   /* key: null */
    p32(o, (int64_t)vlen);
    put(o, value, vlen);
    patch32(o, at, (int64_t)(o->n - at - 4));
}

static kt_slice slice_of(const buf *o)
{
    kt_slice s = { o->b, o->n, 0 };
    return s;
}

/* gzip (zlib's encoder, gzip header) of in[0..n) repeated `times` times. */
static void gzip_repeat(buf *out, const uint8_t *in, size_t n, size_t times)
{
    z_stream zs;
    uint8_t chunk[65536];
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    for (size_t t = 0; t <= times; t++) {
        int flush = t == times ? Z_FINISH : Z_NO_FLUSH;
        zs.next_in = (Bytef *)(uintptr_t)in;
        zs.avail_in = t == times ? 0 : (uInt)n;
        do {
            zs.next_out = chunk;
            zs.avail_out = sizeof chunk;
            int rc = deflate(&zs, flush);
            assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
            put(out, chunk, sizeof chunk - zs.avail_out);
        } while (zs.avail_out == 0);
    }
    deflateEnd(&zs);
}

static void test_v2_batches(void **state)
{
    (void)state;
    buf o = { 0 };
    kt_records_summary s;
    batch_v2(&o, 100, 0, 2, 7, 1, 0, 3, "abc");
    batch_v2(&o, 103, KT_CODEC_GZIP, 0, 7, 1, 3, 1, "z");
    batch_v2(&o, 104, KT_CODEC_ZSTD | 8, 4, 7, 1, 4, 5, "zzzz");
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.batches, 3);
    assert_int_equal(s.records, 9);
    assert_int_equal(s.magic, 2);
    assert_int_equal(s.mixed_magic, 0);
    assert_true(s.first_offset == 100);
    assert_true(s.last_offset == 108);
    assert_int_equal(s.codec_batches[KT_CODEC_NONE], 1);
    assert_int_equal(s.codec_batches[KT_CODEC_GZIP], 1);
    assert_int_equal(s.codec_batches[KT_CODEC_ZSTD], 1);
    assert_int_equal(s.bytes, o.n);
    assert_int_equal(s.partial_bytes, 0);
    assert_int_equal(s.malformed, 0);
    assert_int_equal(s.inflated_bytes, 0);   /* v2 is never inflated */

    /* The iterator: fields and a zero-copy records slice. */
    kt_cursor c;
    kt_batch b;
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_batch_next(&c, &b), KT_BATCH_OK);
    assert_true(b.base_offset == 100 && b.last_offset == 102);
    assert_int_equal(b.length, 49 + 3);
    assert_true(b.producer_id == 7);
    assert_int_equal(b.producer_epoch, 1);
    assert_int_equal(b.record_count, 3);
    assert_true(b.first_timestamp == 1700000000000);
    assert_true(b.max_timestamp == 1700000000005);
    assert_int_equal(b.records.len, 3);
    assert_ptr_equal(b.records.ptr, o.b + 61);
    assert_memory_equal(b.records.ptr, "abc", 3);
    assert_int_equal(kt_batch_next(&c, &b), KT_BATCH_OK);
    assert_int_equal(b.codec, KT_CODEC_GZIP);
    assert_int_equal(kt_batch_next(&c, &b), KT_BATCH_OK);
    assert_int_equal(b.codec, KT_CODEC_ZSTD);
    assert_int_equal(kt_batch_next(&c, &b), KT_BATCH_END);
    free(o.b);
}

static void test_v2_transactional_control(void **state)
{
    (void)state;
    buf o = { 0 };
    kt_records_summary s;
    batch_v2(&o, 0, 0x10, 1, 42, 0, 0, 2, "tx");        /* transactional */
    batch_v2(&o, 2, 0x30, 0, 42, 0, -1, 1, "ctl");      /* commit marker */
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.batches, 2);
    assert_int_equal(s.records, 3);
    assert_int_equal(s.transactional_batches, 2);
    assert_int_equal(s.control_batches, 1);
    assert_int_equal(s.control_records, 1);
    free(o.b);
}

static void test_v2_partial_tail(void **state)
{
    (void)state;
    buf o = { 0 }, t = { 0 };
    kt_records_summary s;
    batch_v2(&o, 0, 0, 0, -1, -1, -1, 1, "x");
    batch_v2(&t, 1, 0, 0, -1, -1, -1, 1, "yyyyyy");
    put(&o, t.b, 40);            /* a Fetch response cut at its byte limit */
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.batches, 1);
    assert_int_equal(s.records, 1);
    assert_int_equal(s.partial_bytes, 40);
    assert_int_equal(s.malformed, 0);
    /* Fewer bytes than the magic's position. */
    o.n -= 40;
    put(&o, t.b, 10);
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.partial_bytes, 10);
    assert_int_equal(s.malformed, 0);
    free(o.b);
    free(t.b);
}

static void test_v2_malformed(void **state)
{
    (void)state;
    buf o = { 0 };
    kt_records_summary s;
    kt_cursor c;
    kt_batch b;

    /* batchLength smaller than the fixed header. */
    batch_v2(&o, 0, 0, 0, -1, -1, -1, 1, "");
    patch32(&o, 8, 20);
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.malformed, 1);
    assert_int_equal(s.batches, 0);
    /* Negative record count. */
    o.n = 0;
    batch_v2(&o, 0, 0, 0, -1, -1, -1, -5, "");
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.malformed, 1);
    /* Unknown magic. */
    o.n = 0;
    batch_v2(&o, 0, 0, 0, -1, -1, -1, 1, "a");
    o.b[16] = 3;
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.malformed, 1);
    /* Negative length; the iterator leaves the cursor in place. */
    o.n = 0;
    batch_v2(&o, 0, 0, 0, -1, -1, -1, 1, "a");
    patch32(&o, 8, -1);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_batch_next(&c, &b), KT_BATCH_MALFORMED);
    assert_ptr_equal(c.ptr, o.b);
    /* A good batch, then a bad one: the first still counts. */
    o.n = 0;
    batch_v2(&o, 0, 0, 0, -1, -1, -1, 4, "a");
    batch_v2(&o, 1, 0, 0, -1, -1, -1, 1, "a");
    o.b[o.n - 50 + 4] = 9;       /* second batch's magic */
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.batches, 1);
    assert_int_equal(s.records, 4);
    assert_int_equal(s.malformed, 1);
    free(o.b);
}

static void test_null_and_empty(void **state)
{
    (void)state;
    kt_records_summary s;
    kt_slice n = kt_null_slice();
    kt_records_scan(n, 0, &s);
    assert_int_equal(s.batches, 0);
    assert_int_equal(s.records, 0);
    assert_int_equal(s.magic, -1);
    assert_true(s.first_offset == -1);
    static const uint8_t one[1] = { 0 };
    kt_slice e = { one, 0, 0 };
    kt_records_scan(e, 0, &s);
    assert_int_equal(s.batches, 0);
    assert_int_equal(s.malformed, 0);
}

static void test_legacy_uncompressed(void **state)
{
    (void)state;
    buf o = { 0 };
    kt_records_summary s;
    message(&o, 0, 5, 0, "hello", 5);
    message(&o, 0, 6, 0, "", 0);
    message(&o, 0, 7, 0, "x", 1);
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.batches, 3);
    assert_int_equal(s.records, 3);
    assert_int_equal(s.magic, 0);
    assert_true(s.first_offset == 5 && s.last_offset == 7);
    assert_int_equal(s.codec_batches[KT_CODEC_NONE], 3);

    o.n = 0;
    message(&o, 1, 0, 0, "v1", 2);
    kt_cursor c;
    kt_batch b;
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_batch_next(&c, &b), KT_BATCH_OK);
    assert_int_equal(b.magic, 1);
    assert_int_equal(b.length, 4 + 1 + 1 + 8 + 4 + 4 + 2);
    assert_true(b.first_timestamp == 1700000000000);
    assert_int_equal(b.records.len, 2);
    assert_memory_equal(b.records.ptr, "v1", 2);
    assert_int_equal(kt_batch_next(&c, &b), KT_BATCH_END);

    /* Mixed magics in one set are counted and flagged. */
    message(&o, 0, 1, 0, "v0", 2);
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.records, 2);
    assert_int_equal(s.mixed_magic, 1);

    /* A key/value longer than the message size says. */
    o.n = 0;
    message(&o, 0, 0, 0, "abc", 3);
    patch32(&o, 8, 14);
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.malformed, 1);
    free(o.b);
}

static void test_legacy_gzip_wrapper(void **state)
{
    (void)state;
    for (int magic = 0; magic <= 1; magic++) {
        buf inner = { 0 }, gz = { 0 }, o = { 0 };
        kt_records_summary s;
        /* Inner messages: absolute offsets 10..14 for v0; relative 0..4
         * for v1 (the wrapper then carries the last absolute offset). */
        for (int i = 0; i < 5; i++)
            message(&inner, magic, magic ? i : 10 + i, 0, "inner message", 13);
        gzip_repeat(&gz, inner.b, inner.n, 1);
        message(&o, magic, 14, KT_CODEC_GZIP, gz.b, gz.n);
        kt_records_scan(slice_of(&o), 0, &s);
        assert_int_equal(s.batches, 1);
        assert_int_equal(s.records, 5);
        assert_int_equal(s.codec_batches[KT_CODEC_GZIP], 1);
        assert_int_equal(s.wrappers_uncounted, 0);
        assert_int_equal(s.inflate_capped, 0);
        assert_int_equal(s.inflated_bytes, inner.n);
        assert_true(s.first_offset == 10);
        assert_true(s.last_offset == 14);
        assert_int_equal(s.malformed, 0);
        free(inner.b);
        free(gz.b);
        free(o.b);
    }
}

static void test_legacy_other_codecs(void **state)
{
    (void)state;
    buf o = { 0 };
    kt_records_summary s;
    /* Snappy and LZ4 wrappers are not opened: one record each, reported. */
    message(&o, 1, 3, KT_CODEC_SNAPPY, "\x82SNAPPY\0opaque", 14);
    message(&o, 1, 9, KT_CODEC_LZ4, "\x04\x22\x4d\x18opaque", 10);
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.batches, 2);
    assert_int_equal(s.records, 2);
    assert_int_equal(s.codec_batches[KT_CODEC_SNAPPY], 1);
    assert_int_equal(s.codec_batches[KT_CODEC_LZ4], 1);
    assert_int_equal(s.wrappers_uncounted, 2);
    assert_int_equal(s.inflated_bytes, 0);
    assert_int_equal(s.malformed, 0);
    free(o.b);
}

static void test_gzip_corrupt(void **state)
{
    (void)state;
    buf inner = { 0 }, gz = { 0 }, o = { 0 };
    kt_records_summary s;
    int capped, corrupt;
    uint64_t out;
    /* Not gzip at all. */
    message(&o, 1, 0, KT_CODEC_GZIP, "definitely not gzip", 19);
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.records, 1);
    assert_int_equal(s.wrappers_uncounted, 1);
    /* A gzip stream cut in half. */
    for (int i = 0; i < 50; i++)
        message(&inner, 1, i, 0, "some value bytes", 16);
    gzip_repeat(&gz, inner.b, inner.n, 1);
    kt_slice half = { gz.b, gz.n / 2, 0 };
    (void)kt_gzip_count_messages(half, 1 << 20, &capped, &corrupt, &out);
    assert_int_equal(corrupt, 1);
    assert_int_equal(capped, 0);
    /* A whole stream whose inner set ends inside a message. */
    gz.n = 0;
    gzip_repeat(&gz, inner.b, inner.n - 3, 1);
    kt_slice whole = { gz.b, gz.n, 0 };
    uint64_t n = kt_gzip_count_messages(whole, 1 << 20, &capped, &corrupt, &out);
    assert_int_equal(corrupt, 1);
    assert_int_equal(n, 50);     /* the 50th header was read */
    assert_int_equal(out, inner.n - 3);
    free(inner.b);
    free(gz.b);
    free(o.b);
}

/* A decompression bomb: 32 MiB of valid tiny messages in ~32 KiB of gzip.
 * The output is capped (given cap, then the default), never buffered. */
static void test_gzip_bomb_cap(void **state)
{
    (void)state;
    buf unit = { 0 }, gz = { 0 }, o = { 0 };
    kt_records_summary s;
    for (int i = 0; i < 64; i++)                 /* 64 x 26 bytes */
        message(&unit, 0, 0, 0, "", 0);
    assert_int_equal(unit.n, 64 * 26);
    size_t reps = (32u << 20) / unit.n;
    gzip_repeat(&gz, unit.b, unit.n, reps);
    assert_true(gz.n < (1u << 20));
    message(&o, 0, 0, KT_CODEC_GZIP, gz.b, gz.n);

    kt_records_scan(slice_of(&o), 1u << 20, &s);
    assert_int_equal(s.inflate_capped, 1);
    assert_int_equal(s.inflated_bytes, 1u << 20);
    assert_int_equal(s.wrappers_uncounted, 1);
    /* Counted what came out: 1 MiB / 26 bytes, rounded up for the
     * message whose header was read. */
    assert_int_equal(s.records, ((1u << 20) + 25) / 26);

    /* the default cap, or the ratio cap if smaller (this stream inflates
     * about 1000:1) */
    kt_records_scan(slice_of(&o), 0, &s);
    assert_int_equal(s.inflate_capped, 1);
    assert_true(gz.n * KT_RECORDS_MAX_RATIO < KT_RECORDS_MAX_INFLATE);
    assert_int_equal(s.inflated_bytes, gz.n * KT_RECORDS_MAX_RATIO);

    /* The cap is per call: a second wrapper gets what is left (nothing). */
    put(&o, o.b, o.n);
    kt_records_scan(slice_of(&o), 1u << 20, &s);
    assert_int_equal(s.batches, 2);
    assert_int_equal(s.inflate_capped, 2);
    assert_int_equal(s.inflated_bytes, 1u << 20);
    free(unit.b);
    free(gz.b);
    free(o.b);
}

static uint32_t rng = 777;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Random and mutated data never crashes or reads out of bounds (ASan). */
static void test_fuzz(void **state)
{
    (void)state;
    buf o = { 0 }, inner = { 0 }, gz = { 0 };
    kt_records_summary s;
    batch_v2(&o, 0, 0, 1, -1, -1, -1, 2, "records");
    for (int i = 0; i < 4; i++)
        message(&inner, 1, i, 0, "x", 1);
    gzip_repeat(&gz, inner.b, inner.n, 1);
    message(&o, 1, 3, KT_CODEC_GZIP, gz.b, gz.n);
    message(&o, 0, 4, 0, "y", 1);
    for (int it = 0; it < 20000; it++) {
        uint8_t m[512];
        size_t n = o.n < sizeof m ? o.n : sizeof m;
        memcpy(m, o.b, n);
        for (int k = 0; k < 1 + it % 4; k++)
            m[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
        size_t len = it % 3 ? n : rnd() % (n + 1);
        kt_slice sl = { m, len, 0 };
        kt_records_scan(sl, 1 << 16, &s);
        assert_true(s.inflated_bytes <= 1 << 16);
    }
    free(o.b);
    free(inner.b);
    free(gz.b);
}

static void test_codec_names(void **state)
{
    (void)state;
    assert_string_equal(kt_codec_name(0), "none");
    assert_string_equal(kt_codec_name(1), "gzip");
    assert_string_equal(kt_codec_name(2), "snappy");
    assert_string_equal(kt_codec_name(3), "lz4");
    assert_string_equal(kt_codec_name(4), "zstd");
    assert_string_equal(kt_codec_name(7), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_batches),
        cmocka_unit_test(test_v2_transactional_control),
        cmocka_unit_test(test_v2_partial_tail),
        cmocka_unit_test(test_v2_malformed),
        cmocka_unit_test(test_null_and_empty),
        cmocka_unit_test(test_legacy_uncompressed),
        cmocka_unit_test(test_legacy_gzip_wrapper),
        cmocka_unit_test(test_legacy_other_codecs),
        cmocka_unit_test(test_gzip_corrupt),
        cmocka_unit_test(test_gzip_bomb_cap),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_codec_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
