/* kafka_records.h - counting the record data of Produce requests and Fetch
 * responses (the `records` fields the walker hands over as slices).
 *
 * Two on-wire formats share the first 17 bytes (offset int64, length int32,
 * 4 bytes, magic int8 at byte 16):
 *   - record batches (magic 2, Kafka 0.11+): baseOffset, batchLength,
 *     partitionLeaderEpoch, magic, crc, attributes (bits 0-2 compression
 *     codec, bit 4 transactional, bit 5 control), lastOffsetDelta,
 *     baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence,
 *     and the record count, all in the clear even when the records are
 *     compressed, so counting never decompresses;
 *   - legacy message sets (magic 0 and 1): offset, message size, crc, magic,
 *     attributes (bits 0-2 codec), [timestamp, v1], key, value.  A
 *     compressed message is a wrapper whose value is a compressed message
 *     set: gzip wrappers are inflated (zlib, streaming through a small stack
 *     buffer, at most max_inflate bytes out) only to count the inner
 *     messages; other codecs are counted as one wrapper each and reported.
 *
 * Nothing is copied: kt_batch.records points into the caller's bytes.  A
 * batch cut short at the end of the data is normal in Fetch responses (the
 * broker fills up to the byte limit) and is reported as `partial`, not as
 * an error.
 */
#ifndef KT_KAFKA_RECORDS_H
#define KT_KAFKA_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/cursor.h"

enum kt_codec {
    KT_CODEC_NONE = 0,
    KT_CODEC_GZIP = 1,
    KT_CODEC_SNAPPY = 2,
    KT_CODEC_LZ4 = 3,
    KT_CODEC_ZSTD = 4,
};
#define KT_CODECS 5                /* the valid codecs, 0..4; 5..7 are invalid */

/* One record batch (magic 2) or one top-level legacy message (magic 0/1). */
typedef struct kt_batch {
    int magic;
    int64_t base_offset;       /* v2 baseOffset; legacy: the message offset */
    int64_t last_offset;       /* base_offset + lastOffsetDelta (v2); legacy:
                                  the message offset */
    int32_t length;            /* batchLength / message size field */
    int codec;                 /* enum kt_codec (attributes & 7) */
    int transactional;         /* v2 attributes bit 4 */
    int control;               /* v2 attributes bit 5 */
    int64_t producer_id;       /* v2; -1 otherwise */
    int16_t producer_epoch;
    int32_t base_sequence;
    int64_t first_timestamp;   /* v2 baseTimestamp, v1 timestamp, else -1 */
    int64_t max_timestamp;
    int32_t record_count;      /* v2 records count; legacy: 1 */
    kt_slice records;          /* v2: the records section (maybe
                                  compressed); legacy: the value */
} kt_batch;

enum kt_batch_status {
    KT_BATCH_END = 0,          /* no more data */
    KT_BATCH_OK = 1,           /* *b holds the next batch */
    KT_BATCH_PARTIAL = 2,      /* the rest is a batch cut short */
    KT_BATCH_MALFORMED = 3,    /* bad length, magic, or count */
};

/* Reads the next batch or message at c.  On PARTIAL and MALFORMED the
 * cursor is left where the batch began. */
int kt_batch_next(kt_cursor *c, kt_batch *b);

#define KT_RECORDS_MAX_INFLATE (16u << 20)   /* default gzip output cap */
/* Each gzip wrapper inflates to at most this many times its compressed
 * size (on top of the cap above): deflate reaches about 1000:1, so without
 * it a 1 MB Produce request of 64 small wrappers made kafkatap inflate
 * 1 GiB (seconds of CPU per request); real message sets stay far below. */
#define KT_RECORDS_MAX_RATIO 64u

typedef struct kt_records_summary {
    uint64_t bytes;            /* size of the record data */
    uint32_t batches;          /* record batches / top-level messages */
    uint64_t records;          /* records (v2 counts; legacy messages, with
                                  the inner messages of gzip wrappers) */
    int magic;                 /* of the first batch, -1 if none */
    int mixed_magic;           /* more than one magic seen */
    int64_t first_offset;      /* -1 if no batch */
    int64_t last_offset;
    uint32_t codec_batches[8]; /* batches/wrappers per codec (attributes & 7) */
    uint32_t transactional_batches;
    uint32_t control_batches;
    uint64_t control_records;  /* records inside control batches */
    uint64_t transactional_records; /* records of transactional data
                                  (non-control) batches */
    int64_t txn_producer_id;   /* producer id of the first transactional data
                                  batch, -1 if none */
    int16_t txn_producer_epoch; /* its epoch, -1 if none */
    uint32_t wrappers_uncounted; /* compressed legacy wrappers whose inner
                                  messages were not counted (not gzip,
                                  corrupt, or over the cap) */
    uint32_t inflate_capped;   /* gzip wrappers cut at max_inflate or at
                                  KT_RECORDS_MAX_RATIO x their size */
    uint64_t inflated_bytes;   /* gzip output produced */
    size_t partial_bytes;      /* bytes of a batch cut short at the end */
    int malformed;             /* a batch did not decode; counting stopped */
} kt_records_summary;

/* Counts everything in `data` (a records slice; a null slice counts as
 * nothing).  max_inflate: total gzip output allowed for this call, 0 for
 * KT_RECORDS_MAX_INFLATE. */
void kt_records_scan(kt_slice data, size_t max_inflate, kt_records_summary *s);

/* Counts the messages of a legacy message set compressed with gzip (the
 * value of a wrapper).  Returns the count, and sets *capped when the output
 * reached max_out bytes, *corrupt when the stream or the set inside is bad;
 * *out_bytes receives the bytes inflated. */
uint64_t kt_gzip_count_messages(kt_slice gz, size_t max_out, int *capped,
                                int *corrupt, uint64_t *out_bytes);

const char *kt_codec_name(int codec);   /* "none", "gzip", ... */

#endif
