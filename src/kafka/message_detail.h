/* message_detail.h - the per topic-partition facts of Produce and Fetch,
 * the transactional facts of Produce and the transaction APIs
 * (kt_txn_detail: transactional id, producer id and epoch, EndTxn's
 * result, WriteTxnMarkers' markers),
 * taken from request and response bodies by the generic schema walker:
 * records and bytes sent (Produce), fetch offsets (Fetch requests), error
 * codes, records returned and high watermarks (responses); and the topic
 * name/id pairs that responses reveal (Metadata v10+, CreateTopics v7+,
 * DescribeTopicPartitions...).  Nothing here knows a message layout: the
 * walker's roles (topic name or id, partition index, records, error code,
 * ...) say what each value is. */
#ifndef KT_MESSAGE_DETAIL_H
#define KT_MESSAGE_DETAIL_H

#include <stddef.h>
#include <stdint.h>
#include "kafka/exchange.h"
#include "kafka/topics.h"

#define KT_MAX_DETAIL_PARTS 10000   /* partitions kept per request */
#define KT_MAX_TXN_IDS 10000        /* transactional ids interned */

/* Does this API carry details: Produce and Fetch (per partition), and the
 * transaction APIs (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn,
 * EndTxn, WriteTxnMarkers, TxnOffsetCommit: kt_txn_detail only)? */
int kt_detail_wanted(int api_key);

/* Does this API carry per-partition details (Produce, Fetch)? */
int kt_detail_has_parts(int api_key);

/* The details of a request body of an API kt_detail_wanted(); NULL for
 * other APIs, a body that does not decode, or no memory.  Transactional
 * ids are interned in txn_ids (bounded: its overflow entry past the limit).
 * Free with free(). */
kt_request_detail *kt_detail_from_request(int api_key, int api_version,
                                          const uint8_t *body, size_t len,
                                          kt_topics *topics, kt_intern *txn_ids,
                                          size_t max_inflate);

/* acks of a Produce request (0, 1 or -1), read by the walker (the field
 * with role KT_ROLE_ACKS), or -2 when the body does not reach it.  The body
 * may be cut short after acks (a truncated frame). */
int kt_produce_request_acks(const uint8_t *body, size_t len, int api_version);

struct kt_event;
/* The topic a walker event is about: by name, else by topic id. */
const kt_topic *kt_event_topic(kt_topics *topics, const struct kt_event *ev);

/* max_inflate: gzip output allowed per message body, all its record fields
 * together (legacy gzip message sets are inflated only to count their
 * messages); kt_session_config.max_inflate, default KT_RECORDS_MAX_INFLATE. */

/* Counts records of one `records` field against a body's inflate budget
 * (*left, starting at max_inflate), and the anomalies it meets. */
struct kt_records_summary;
void kt_detail_scan_records(kt_slice records, size_t *left, struct kt_records_summary *rs);

/* The data batches of a scan into p (batches, codec_batches): control
 * batches (transaction markers) are left out, as their records are. */
void kt_part_set_batches(kt_part_result *p, const struct kt_records_summary *rs);

/* A partition entry as a request names it: nothing answered or known yet. */
void kt_part_init(kt_part_result *p, const kt_topic *topic, int32_t partition);

/* Bytes a detail occupies (for the memory budget). */
size_t kt_detail_size(const kt_request_detail *d);

#endif
