/* event_log.c - per-request records for --events (text) and --events=json. */
#include <inttypes.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "kafka/message_detail.h"
#include "report/event_log.h"
#include "common/json_writer.h"
#include "report/json_labels.h"
#include "dissectors/kafka_names.h"
#include "stats/labels.h"
#include "common/utc.h"

const char *kt_status_name(int status)
{
    switch (status) {
    case KT_STATUS_OK: return "ok";
    case KT_STATUS_ERROR: return "error";
    case KT_STATUS_UNANSWERED: return "unanswered";
    case KT_STATUS_NO_RESPONSE_EXPECTED: return "no_response_expected";
    case KT_STATUS_UNKNOWN_CAPTURE_LOSS: return "unknown_capture_loss";
    default: return "unknown";
    }
}

/* The topic's name (KT_LABEL_OTHER_TOPICS for the overflow topic), or its
 * id's text when no name is known yet; resolved: a name was known. */
static const char *topic_label(const struct kt_topic *tp, kt_topic_label *l, int *resolved)
{
    kt_topic_label_of(l, tp);
    *resolved = l->name != NULL;
    if (l->name)
        return l->name;      /* NUL-terminated: an interned name or a literal */
    return l->has_id ? l->id : "";
}

void kt_event_write_text(FILE *out, const kt_exchange *ex)
{
    char ts[96], cli[KT_ENDPOINT_STRLEN], brk[KT_ENDPOINT_STRLEN], nb[32], eb[32];
    kt_utc_iso(ts, sizeof ts, ex->request_ts_us);
    fprintf(out, "%s %s -> %s %s v%d corr=%" PRId32 " client_id=", ts,
            kt_endpoint_format(ex->client, cli, sizeof cli),
            kt_endpoint_format(ex->broker, brk, sizeof brk),
            kt_api_name(ex->api_key, nb, sizeof nb), ex->api_version, ex->correlation_id);
    if (!ex->client_id || ex->client_id->is_null)
        fputs("(null)", out);
    else {
        fputc('"', out);
        kt_json_escape(out, (const uint8_t *)ex->client_id->s, ex->client_id->len);
        fputc('"', out);
    }
    if (ex->latency_us >= 0)
        fprintf(out, " latency=%.3fms", (double)ex->latency_us / 1000.0);
    if (ex->queue_wait_us >= 0 && ex->service_us >= 0)
        fprintf(out, " queue=%.3fms service=%.3fms", (double)ex->queue_wait_us / 1000.0,
                (double)ex->service_us / 1000.0);
    else if (ex->latency_us >= 0)
        fputs(" queue=? service=?", out);
    if (ex->inflight > 1)
        fprintf(out, " inflight=%" PRIu32, ex->inflight);
    fprintf(out, " %s", kt_status_name(ex->status));
    if (ex->throttle_ms > 0)
        fprintf(out, " throttle=%" PRId32 "ms", ex->throttle_ms);
    for (int i = 0; i < ex->nerrors; i++)
        fprintf(out, " %s=%u", kt_error_label(ex->errors[i].code, eb, sizeof eb),
                ex->errors[i].count);
    if (kt_exchange_is_follower_fetch(ex))
        fprintf(out, " replica_id=%" PRId32, ex->detail->replica_id);
    if (ex->detail && ex->detail->nparts) {
        const char *sep = " partitions=";
        for (uint32_t i = 0; i < ex->detail->nparts; i++, sep = ",") {
            const kt_part_result *r = &ex->detail->parts[i];
            kt_topic_label tl;
            int resolved;
            const char *label = topic_label(r->topic, &tl, &resolved);
            fputs(sep, out);
            kt_json_escape(out, (const uint8_t *)label, strlen(label));
            fprintf(out, "/%d:", r->partition);
            if (!r->answered)
                fputs("-", out);
            else if (r->error == KT_ERR_NONE)
                fputs("ok", out);
            else
                fputs(kt_error_label(r->error, eb, sizeof eb), out);
            fprintf(out, ":%lldr", (long long)r->records);
        }
    }
    if (ex->truncated)
        fputs(" truncated", out);
    fputc('\n', out);
}

void kt_event_write_json(FILE *out, const kt_exchange *ex)
{
    char buf[KT_ENDPOINT_STRLEN], nb[32];
    kt_json j;
    kt_json_init(&j, out, 0);
    kt_json_object_begin(&j);
    kt_json_key(&j, "ts");
    kt_json_fixed(&j, (double)ex->request_ts_us / 1e6, 6);
    kt_json_key(&j, "client");
    kt_json_string(&j, kt_endpoint_format(ex->client, buf, sizeof buf));
    kt_json_key(&j, "broker");
    kt_json_string(&j, kt_endpoint_format(ex->broker, buf, sizeof buf));
    kt_json_key(&j, "client_id");
    kt_json_client_id(&j, ex->client_id);
    kt_json_key(&j, "api");
    kt_json_string(&j, kt_api_name(ex->api_key, nb, sizeof nb));
    kt_json_key(&j, "api_key");
    kt_json_int(&j, ex->api_key);
    kt_json_key(&j, "api_version");
    kt_json_int(&j, ex->api_version);
    kt_json_key(&j, "correlation_id");
    kt_json_int(&j, ex->correlation_id);
    kt_json_key(&j, "latency_ms");
    if (ex->latency_us >= 0)
        kt_json_fixed(&j, (double)ex->latency_us / 1000.0, 3);
    else
        kt_json_null(&j);
    kt_json_key(&j, "queue_wait_ms");
    if (ex->queue_wait_us >= 0 && ex->service_us >= 0)
        kt_json_fixed(&j, (double)ex->queue_wait_us / 1000.0, 3);
    else
        kt_json_null(&j);
    kt_json_key(&j, "service_ms");
    if (ex->queue_wait_us >= 0 && ex->service_us >= 0)
        kt_json_fixed(&j, (double)ex->service_us / 1000.0, 3);
    else
        kt_json_null(&j);
    kt_json_key(&j, "inflight");
    kt_json_uint(&j, ex->inflight);
    kt_json_key(&j, "status");
    kt_json_string(&j, kt_status_name(ex->status));
    kt_json_key(&j, "throttle_ms");
    if (ex->throttle_ms >= 0)
        kt_json_int(&j, ex->throttle_ms);
    else
        kt_json_null(&j);
    kt_json_key(&j, "errors");
    kt_json_object_begin(&j);
    for (int i = 0; i < ex->nerrors; i++) {
        kt_json_key(&j, kt_error_label(ex->errors[i].code, nb, sizeof nb));
        kt_json_uint(&j, ex->errors[i].count);
    }
    kt_json_object_end(&j);
    if (ex->detail && kt_detail_has_parts(ex->api_key)) {
        kt_json_key(&j, "partitions");
        kt_json_array_begin(&j);
        for (uint32_t i = 0; i < ex->detail->nparts; i++) {
            const kt_part_result *r = &ex->detail->parts[i];
            kt_topic_label tl;
            int resolved;
            const char *label = topic_label(r->topic, &tl, &resolved);
            kt_json_object_begin(&j);
            kt_json_key(&j, "topic");
            kt_json_string(&j, label);
            if (!resolved) {
                kt_json_key(&j, "topic_resolved");
                kt_json_bool(&j, 0);
            }
            kt_json_key(&j, "partition");
            kt_json_int(&j, r->partition);
            kt_json_key(&j, "error");
            if (r->answered && r->error != 0)
                kt_json_string(&j, kt_error_label(r->error, nb, sizeof nb));
            else
                kt_json_null(&j);
            kt_json_key(&j, "records");
            kt_json_int(&j, r->records);
            kt_json_key(&j, "bytes");
            kt_json_uint(&j, r->bytes);
            if (r->high_watermark >= 0) {
                kt_json_key(&j, "high_watermark");
                kt_json_int(&j, r->high_watermark);
            }
            if (r->fetch_offset >= 0) {
                kt_json_key(&j, "fetch_offset");
                kt_json_int(&j, r->fetch_offset);
            }
            kt_json_object_end(&j);
        }
        kt_json_array_end(&j);
        if (ex->detail->acks > -2) {
            kt_json_key(&j, "acks");
            kt_json_int(&j, ex->detail->acks);
        }
        if (kt_exchange_is_follower_fetch(ex)) {   /* a follower's, not a consumer's */
            kt_json_key(&j, "replica_id");
            kt_json_int(&j, ex->detail->replica_id);
        }
    }
    if (ex->truncated) {
        kt_json_key(&j, "truncated");
        kt_json_bool(&j, 1);
    }
    kt_json_object_end(&j);
    fputc('\n', out);
}
