/* report_batching.h - how producers batch, as the reports show it: the
 * text table of Produce batching per client id, and the JSON fields of
 * batches and codecs per client id and topic-partition (the numbers come
 * from stats/batch_stats.h and stats/partition_stats.h). */
#ifndef KT_REPORT_BATCHING_H
#define KT_REPORT_BATCHING_H

#include <stdio.h>
#include "common/json_writer.h"
#include "report/report_model.h"

/* "12.3" (num / den, one decimal), or "-" when den is 0. */
void kt_ratio_text(char *buf, size_t len, uint64_t num, uint64_t den);

/* Text: "Produce batching per client id", the client ids that sent
 * record batches, in the order of the client table. */
void kt_report_text_batching(FILE *out, const kt_report_model *m);

/* JSON, inside an object: "batches", "records_per_batch" (null without
 * batches), "codec" (kt_codec_label). */
void kt_report_json_batches(kt_json *j, uint64_t batches, uint64_t records, const char *codec);
/* JSON, inside an object: "codec_batches": {"none": n, ... "zstd": n}. */
void kt_report_json_codec_batches(kt_json *j, const uint64_t codec_batches[KT_CODECS]);
/* JSON, inside a client's object: "produce_batching": {...}. */
/* "codecs": the names of a set of codecs (bits 1 << codec), what a merge
 * adds up where "codec" says only "mixed". */
void kt_report_json_codecs(kt_json *j, unsigned mask);
void kt_report_json_client_batching(kt_json *j, const kt_batch_agg *b);

#endif
