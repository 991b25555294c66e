/* fuzz_records.c - libFuzzer target: record data (the `records` field of
 * Produce requests and Fetch responses) through dissectors/kafka_records.h:
 * record batches (magic 2), legacy message sets (magic 0/1) and the capped
 * gzip inflation of compressed legacy wrappers.
 *
 * Input: byte 0 = mode (bit 0: also treat the rest as a gzip stream of a
 * message set; bits 1-3 choose the inflate cap: 0 = the default, else
 * 64 << n bytes), then the records bytes.  The whole data is scanned with
 * kt_records_scan, walked batch by batch with kt_batch_next (checking that
 * every batch's slice lies inside the data), and, in gzip mode, handed to
 * kt_gzip_count_messages, whose output must respect the cap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/cursor.h"
#include "dissectors/kafka_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kt_records_summary s;
    kt_slice sl;
    kt_cursor c;
    kt_batch b;
    size_t len, cap;
    unsigned mode, n = 0;
    uint8_t *copy;
    int st;

    if (size < 1)
        return 0;
    mode = data[0];
    cap = (mode >> 1) & 7 ? (size_t)64 << ((mode >> 1) & 7) : 0;
    len = size - 1;
    copy = malloc(len ? len : 1);    /* exact size: overreads are caught */
    if (!copy)
        return 0;
    memcpy(copy, data + 1, len);
    sl.ptr = copy;
    sl.len = len;
    sl.is_null = 0;

    kt_records_scan(sl, cap, &s);
    if (s.inflated_bytes > (cap ? cap : KT_RECORDS_MAX_INFLATE))
        abort();
    if (s.partial_bytes > len)
        abort();
    sink += s.records + (unsigned)strlen(kt_codec_name(s.magic < 0 ? 0 : s.codec_batches[0] & 7));

    kt_cur_init(&c, copy, len);
    while ((st = kt_batch_next(&c, &b)) == KT_BATCH_OK) {
        if (b.records.ptr && (b.records.ptr < copy || b.records.len > len ||
                              (size_t)(b.records.ptr - copy) > len - b.records.len))
            abort();
        if (b.records.ptr && b.records.len)
            sink += b.records.ptr[b.records.len - 1];
        if (++n > len + 1)
            abort();                /* each batch must consume bytes */
    }

    if (mode & 1) {
        int capped = 0, corrupt = 0;
        uint64_t out = 0;
        sink += (unsigned)kt_gzip_count_messages(sl, cap ? cap : 4096, &capped,
                                                 &corrupt, &out);
        if (out > (cap ? cap : 4096))
            abort();
    }
    free(copy);
    return 0;
}
