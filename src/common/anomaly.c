/* anomaly.c - names and explanations of the anomaly counters. */
#include <string.h>
#include "common/anomaly.h"

kt_anomalies kt_anomaly;

static const struct {
    const char *name;
    const char *help;
} table[KT_AN__COUNT] = {
    [KT_AN_TRUNCATED_PACKET] = { "truncated_packets", "packets cut short by the capture snap length" },
    [KT_AN_UNKNOWN_LINKTYPE] = { "unknown_linktype", "packets of a link type kafkatap cannot decode" },
    [KT_AN_BAD_IP] = { "bad_ip_headers", "IP headers that do not hold together" },
    [KT_AN_BAD_TCP] = { "bad_tcp_headers", "TCP headers that do not hold together" },
    [KT_AN_NIDS_WARNING] = { "ip_defrag_warnings", "warnings from IPv4 defragmentation (libnids)" },
    [KT_AN_IP_FRAGMENTS] = { "ip_fragmented_datagrams", "IPv4 datagrams that arrived in fragments" },
    [KT_AN_FILE_GAP] = { "capture_file_gaps", "capture files read as one stream with time missing between them (more than --file-gap)" },
    [KT_AN_FILE_OVERLAP] = { "capture_file_overlaps", "capture files read as one stream whose times overlap (not one host's rotated files?)" },
    [KT_AN_TCP_HOLES] = { "tcp_holes", "holes in TCP streams skipped (packets never captured)" },
    [KT_AN_TCP_MISSED_BYTES] = { "tcp_missed_bytes", "TCP payload bytes never captured, skipped over" },
    [KT_AN_TCP_OOO_BUDGET] = { "tcp_ooo_budget_exceeded", "times the out-of-order buffer budget was exceeded" },
    [KT_AN_TCP_OOO_TOTAL] = { "tcp_ooo_total_exceeded", "times the out-of-order budget of all connections together was exceeded (a hole skipped early)" },
    [KT_AN_TCP_RETRANSMITTED] = { "tcp_retransmitted_bytes", "TCP payload bytes seen more than once (trimmed)" },
    [KT_AN_FLOW_TABLE_FULL] = { "flow_table_evictions", "connections evicted because the flow table was full" },
    [KT_AN_MALFORMED_FRAME] = { "malformed_frames", "Kafka frames whose header did not decode" },
    [KT_AN_OVERSIZED_FRAME] = { "oversized_frames", "size prefixes above the frame size cap" },
    [KT_AN_FRAME_BUFFER_TOTAL] = { "frame_buffer_total_exceeded", "frames cut short because the frame buffers of all connections together were full" },
    [KT_AN_DESYNC] = { "desyncs", "times a stream lost Kafka frame sync" },
    [KT_AN_RESYNC] = { "resyncs", "times a stream found Kafka frame sync again" },
    [KT_AN_RESYNC_SKIPPED_BYTES] = { "resync_skipped_bytes", "bytes skipped while looking for a frame boundary" },
    [KT_AN_MIDSTREAM] = { "midstream_connections", "connections picked up after their handshake" },
    [KT_AN_UNKNOWN_API] = { "unknown_api_keys", "requests with an API key the schema does not know" },
    [KT_AN_UNKNOWN_VERSION] = { "unknown_api_versions", "requests with a version newer than the schema" },
    [KT_AN_MALFORMED_BODY] = { "malformed_bodies", "message bodies that do not decode by the schema" },
    [KT_AN_ORPHAN_RESPONSE] = { "orphan_responses", "responses with no pending request" },
    [KT_AN_LOST_REQUEST_RESPONSE] = { "responses_to_lost_requests", "responses whose request was lost by the capture (a gap in the request direction), not counted as orphans" },
    [KT_AN_UNKNOWN_CAPTURE_LOSS] = { "requests_unknown_capture_loss", "requests without a response where the capture lost bytes of the response direction: answered or not is unknown, not counted as unanswered" },
    [KT_AN_PENDING_TOTAL] = { "pending_total_exceeded", "requests given up early: pending requests of all connections at their cap" },
    [KT_AN_PENDING_OVERFLOW] = { "pending_overflow", "pending requests dropped by the per-connection cap" },
    [KT_AN_DETAIL_BUDGET] = { "detail_budget_exceeded", "requests whose partition details were not kept (memory budget)" },
    [KT_AN_DETAIL_PARTS_DROPPED] = { "detail_partitions_dropped", "partitions beyond the per-request cap, not counted per partition" },
    [KT_AN_DUPLICATE_CORRELATION] = { "duplicate_correlation_ids", "a correlation id reused while still pending" },
    [KT_AN_WALKER_LIMIT] = { "walker_limit", "message bodies beyond the decoder's nesting or element limit" },
    [KT_AN_CLIENT_ID_TABLE_FULL] = { "client_id_table_full", "requests whose client id was counted under \"(too many distinct)\" (--max-client-ids)" },
    [KT_AN_TOPIC_TABLE_FULL] = { "topic_table_full", "topic names or ids counted under the overflow topic (--max-topics)" },
    [KT_AN_BROKER_TABLE_FULL] = { "broker_table_full", "exchanges of brokers counted under \"(other)\"" },
    [KT_AN_PARTITION_TABLE_FULL] = { "partition_table_full", "partition results not kept: the partition table is full" },
    [KT_AN_CLIENT_PARTITION_TABLE_FULL] = { "client_partition_table_full", "per-client partition results counted under \"(other)\": the client partition table is full" },
    [KT_AN_TIMELINE_SERIES_FULL] = { "timeline_series_full", "requests counted in a timeline's \"(other)\" series: too many brokers, APIs, client ids or partitions to follow one by one" },
    [KT_AN_TIMELINE_MEMORY] = { "timeline_memory", "timeline cells, latencies or error codes not kept: the timeline's memory account is full" },
    [KT_AN_ACKS_WINDOW_FULL] = { "acks_window_full", "acks=all Produce batches no follower fetch was matched to before their partition's window of unresolved batches filled" },
    [KT_AN_TXN_TABLE_FULL] = { "txn_table_full", "transactional ids counted under \"(other)\", or producer ids whose open transaction was not followed" },
    [KT_AN_INFLATE_CAPPED] = { "inflate_capped", "gzip message sets not inflated whole (size or ratio cap): their inner messages were not all counted" },
};

const char *kt_anomaly_name(kt_anomaly_kind k)
{
    return (unsigned)k < KT_AN__COUNT && table[k].name ? table[k].name : "unknown";
}

const char *kt_anomaly_help(kt_anomaly_kind k)
{
    return (unsigned)k < KT_AN__COUNT && table[k].help ? table[k].help : "";
}

void kt_anomaly_reset(void)
{
    memset(&kt_anomaly, 0, sizeof kt_anomaly);
}
