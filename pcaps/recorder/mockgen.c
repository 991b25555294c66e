/*
 * mockgen: drives real librdkafka clients against librdkafka's in-process
 * mock cluster so that pcaps/record.sh can capture the traffic on loopback,
 * and writes the generator's exact ground truth (what was produced, what the
 * delivery reports acknowledged, which errors and broker RTTs were injected,
 * what the consumers received) as JSON next to the capture.
 *
 * Usage: mockgen SCENARIO PORTS_FILE READY_FILE TRUTH_FILE
 *   1. creates the mock cluster and its topics,
 *   2. writes the brokers' listening ports (space separated) to PORTS_FILE,
 *   3. waits until READY_FILE exists (the capture is running),
 *   4. runs the scenario, then writes TRUTH_FILE.
 * Scenarios: produce-multi, slow-broker, produce-errors, consumer-group,
 * load, skew, skew-near-miss, slow-alone, slow-alone-near-miss, broker-skew,
 * broker-skew-near-miss, inflight-5, inflight-1, slow-fetch.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_BROKERS 8
#define MAX_TOPICS 8
#define MAX_PARTS 16
#define MAX_PRODUCERS 8
#define MAX_CONSUMERS 4
#define MAX_ERRS 16

/* ---------- model of what the scenario does (the ground truth) ---------- */

struct topic {
        const char *name;
        int partitions;
        int leader[MAX_PARTS];
};

struct pstat { /* per producer x partition */
        long produced, acked, failed, bytes;
};

struct producer {
        const char *client_id;
        const char *codec; /* compression.codec */
        int acks;
        int linger_ms;
        int topic;  /* index into topics */
        int first_part, last_part;
        int per_wave;  /* records per partition per wave */
        int max_waves; /* 0 = every wave */
        int wave_every; /* produce in every Nth wave only (0, 1 = each) */
        int max_inflight; /* max.in.flight; 0 = librdkafka's default */
        int batch_msgs;   /* batch.num.messages; 0 = default */
        int value_size;
        rd_kafka_t *rk;
        struct pstat st[MAX_PARTS];
        long seq;
};

struct consumer {
        const char *client_id;
        rd_kafka_t *rk;
        int started;
        long consumed[MAX_TOPICS][MAX_PARTS];
        long dups[MAX_TOPICS][MAX_PARTS]; /* offsets seen more than once */
        char assignment[512]; /* final assignment, JSON array text */
        char history[1024];   /* every assign/revoke, JSON array text */
        size_t hlen;
        int rebalances;
        long commit_errs[64]; /* partition-level errors by broker code */
        long commit_local_errs;
};

struct injected {
        int api_key;
        const char *api;
        rd_kafka_resp_err_t err;
        int count;
        int broker; /* -1 = cluster-wide */
        int rtt_ms;
};

static const char *scenario;
static rd_kafka_mock_cluster_t *mcluster;
static int nbrokers;
static int broker_id[MAX_BROKERS], broker_port[MAX_BROKERS];
static int broker_rtt[MAX_BROKERS];
static struct topic topics[MAX_TOPICS];
static int ntopics;
static struct producer producers[MAX_PRODUCERS];
static int nproducers;
static struct consumer consumers[MAX_CONSUMERS];
static int nconsumers;
static const char *group_id;
static int consume_topic = -1;
static struct injected inj[MAX_ERRS];
static int ninj;
static long inj_remaining[MAX_BROKERS]; /* Produce errors never popped */
static int waves = 4, wave_gap_ms = 250;
/* slow-onset: the RTT switched on before wave onset_wave (-1: never), and
 * when (wall clock, microseconds since the epoch, as the capture stamps) */
static int onset_wave = -1, onset_broker_idx, onset_rtt_ms;
static int64_t onset_ts_us = -1;
static int broker_rcvbuf; /* SO_RCVBUF of the brokers' sockets, 0 = default */
static int second_consumer_ms = 1500;
/* Per broker: the waves that sent records to a partition it leads of the
 * consumed topic (each such wave gives its consumer records to fetch). */
static long consumed_topic_waves[MAX_BROKERS];
static char notes[2048];
/* highest offset + 1 seen per partition of consume_topic (for dup detection) */
static unsigned char *seen[MAX_PARTS];
static long seen_cap = 4096;

static void die(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "mockgen: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        va_end(ap);
        exit(1);
}

static void note(const char *fmt, ...) {
        va_list ap;
        size_t l = strlen(notes);
        va_start(ap, fmt);
        vsnprintf(notes + l, sizeof(notes) - l, fmt, ap);
        va_end(ap);
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
                ;
}

static void setc(rd_kafka_conf_t *c, const char *k, const char *v) {
        char err[256];
        if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK)
                die("config %s=%s: %s", k, v, err);
}

static int topic_index(const char *name) {
        for (int i = 0; i < ntopics; i++)
                if (!strcmp(topics[i].name, name))
                        return i;
        return -1;
}

static int add_topic(const char *name, int parts, const int *leaders) {
        struct topic *t = &topics[ntopics];
        t->name = name;
        t->partitions = parts;
        if (rd_kafka_mock_topic_create(mcluster, name, parts, 1))
                die("topic create %s", name);
        for (int p = 0; p < parts; p++) {
                t->leader[p] = leaders[p];
                rd_kafka_mock_partition_set_leader(mcluster, name, p,
                                                   leaders[p]);
        }
        return ntopics++;
}

static struct producer *add_producer(const char *cid, const char *codec,
                                     int acks, int topic, int p0, int p1,
                                     int per_wave, int vsize) {
        struct producer *p = &producers[nproducers++];
        memset(p, 0, sizeof *p);
        p->client_id = cid;
        p->codec = codec;
        p->acks = acks;
        p->linger_ms = 20;
        p->topic = topic;
        p->first_part = p0;
        p->last_part = p1;
        p->per_wave = per_wave;
        p->value_size = vsize;
        return p;
}

static void inject(int broker, int api_key, const char *api,
                   rd_kafka_resp_err_t err, int count, int rtt_ms) {
        struct injected *e = &inj[ninj++];
        e->api_key = api_key;
        e->api = api;
        e->err = err;
        e->count = count;
        e->broker = broker;
        e->rtt_ms = rtt_ms;
}

/* ------------------------------ clients -------------------------------- */

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        struct producer *p = opaque;
        (void)rk;
        if (m->partition < 0 || m->partition >= MAX_PARTS)
                die("delivery report for unexpected partition %d",
                    (int)m->partition);
        if (m->err)
                p->st[m->partition].failed++;
        else
                p->st[m->partition].acked++;
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
        if (level <= 4)
                fprintf(stderr, "mockgen: [%s] %s: %s\n", rd_kafka_name(rk),
                        fac, buf);
}

static const char *bootstraps(void) {
        return rd_kafka_mock_cluster_bootstraps(mcluster);
}

static void start_producer(struct producer *p) {
        rd_kafka_conf_t *c = rd_kafka_conf_new();
        char err[256], buf[32];
        setc(c, "bootstrap.servers", bootstraps());
        setc(c, "client.id", p->client_id);
        setc(c, "compression.codec", p->codec);
        snprintf(buf, sizeof buf, "%d", p->acks);
        setc(c, "acks", buf);
        snprintf(buf, sizeof buf, "%d", p->linger_ms);
        setc(c, "linger.ms", buf);
        if (p->max_inflight) {
                snprintf(buf, sizeof buf, "%d", p->max_inflight);
                setc(c, "max.in.flight", buf);
        }
        if (p->batch_msgs) {
                snprintf(buf, sizeof buf, "%d", p->batch_msgs);
                setc(c, "batch.num.messages", buf);
        }
        setc(c, "enable.idempotence", "false");
        setc(c, "retry.backoff.ms", "100");
        setc(c, "message.timeout.ms", "30000");
        rd_kafka_conf_set_dr_msg_cb(c, dr_cb);
        rd_kafka_conf_set_log_cb(c, log_cb);
        rd_kafka_conf_set_opaque(c, p);
        p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
        if (!p->rk)
                die("producer %s: %s", p->client_id, err);
}

/* Deterministic, compressible value of exactly p->value_size bytes. */
static void produce_wave(struct producer *p) {
        static char val[65536];
        const char *tname = topics[p->topic].name;
        for (int part = p->first_part; part <= p->last_part; part++) {
                for (int i = 0; i < p->per_wave; i++) {
                        char key[64];
                        int kl = snprintf(key, sizeof key, "%s-%d-%ld",
                                          p->client_id, part, p->seq);
                        int n = snprintf(
                            val, sizeof val,
                            "{\"seq\":%ld,\"producer\":\"%s\",\"partition\":%d,"
                            "\"payload\":\"",
                            p->seq, p->client_id, part);
                        while (n < p->value_size - 2) {
                                val[n] = "abcdefghijklmnop"[(n / 7) % 16];
                                n++;
                        }
                        val[n++] = '"';
                        val[n++] = '}';
                        p->seq++;
                        rd_kafka_resp_err_t e;
                        while ((e = rd_kafka_producev(
                                    p->rk, RD_KAFKA_V_TOPIC(tname),
                                    RD_KAFKA_V_PARTITION(part),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_KEY(key, (size_t)kl),
                                    RD_KAFKA_V_VALUE(val, (size_t)n),
                                    RD_KAFKA_V_OPAQUE(p), RD_KAFKA_V_END)) ==
                               RD_KAFKA_RESP_ERR__QUEUE_FULL)
                                rd_kafka_poll(p->rk, 10);
                        if (e)
                                die("produce %s: %s", p->client_id,
                                    rd_kafka_err2str(e));
                        p->st[part].produced++;
                        p->st[part].bytes += n;
                }
        }
}

static void hist(struct consumer *cs, const char *what,
                 const rd_kafka_topic_partition_list_t *l) {
        size_t o = cs->hlen;
        char *h = cs->history;
        size_t cap = sizeof(cs->history) - 8;
        if (o >= cap)
                return;
        o += snprintf(h + o, cap - o, "%s{\"%s\": [", o ? ", " : "", what);
        for (int i = 0; l && i < l->cnt && o < cap; i++)
                o += snprintf(h + o, cap - o, "%s%d", i ? ", " : "",
                              (int)l->elems[i].partition);
        if (o < cap)
                o += snprintf(h + o, cap - o, "]}");
        cs->hlen = o < cap ? o : cap;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
        struct consumer *cs = opaque;
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                cs->rebalances++;
                hist(cs, "assigned", parts);
                rd_kafka_assign(rk, parts);
        } else {
                hist(cs, "revoked", parts);
                rd_kafka_assign(rk, NULL);
        }
}

static void commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offs, void *opaque) {
        struct consumer *cs = opaque;
        (void)rk;
        (void)err;
        for (int i = 0; offs && i < offs->cnt; i++) {
                int e = offs->elems[i].err;
                if (e > 0 && e < 64)
                        cs->commit_errs[e]++;
                else if (e < 0)
                        cs->commit_local_errs++;
        }
}

static void start_consumer(struct consumer *cs) {
        rd_kafka_conf_t *c = rd_kafka_conf_new();
        char err[256];
        setc(c, "bootstrap.servers", bootstraps());
        setc(c, "client.id", cs->client_id);
        setc(c, "group.id", group_id);
        setc(c, "auto.offset.reset", "earliest");
        setc(c, "enable.auto.commit", "false");
        setc(c, "session.timeout.ms", "6000");
        setc(c, "heartbeat.interval.ms", "500");
        setc(c, "fetch.wait.max.ms", "200");
        rd_kafka_conf_set_log_cb(c, log_cb);
        rd_kafka_conf_set_rebalance_cb(c, rebalance_cb);
        rd_kafka_conf_set_offset_commit_cb(c, commit_cb);
        rd_kafka_conf_set_opaque(c, cs);
        cs->rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
        if (!cs->rk)
                die("consumer %s: %s", cs->client_id, err);
        rd_kafka_poll_set_consumer(cs->rk);
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topics[consume_topic].name,
                                          RD_KAFKA_PARTITION_UA);
        if (rd_kafka_subscribe(cs->rk, l))
                die("subscribe");
        rd_kafka_topic_partition_list_destroy(l);
        cs->started = 1;
}

/* Poll one consumer briefly; commit what it consumed (async). */
static int consumer_poll(struct consumer *cs, int timeout_ms) {
        int got = 0;
        rd_kafka_message_t *m;
        while ((m = rd_kafka_consumer_poll(cs->rk, got ? 0 : timeout_ms))) {
                if (m->err) {
                        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                                fprintf(stderr, "mockgen: %s: %s\n",
                                        cs->client_id,
                                        rd_kafka_message_errstr(m));
                } else {
                        int t = topic_index(rd_kafka_topic_name(m->rkt));
                        int p = m->partition;
                        if (t < 0 || p < 0 || p >= MAX_PARTS)
                                die("unexpected message");
                        cs->consumed[t][p]++;
                        if (m->offset >= seen_cap)
                                die("offset too large");
                        if (seen[p][m->offset])
                                cs->dups[t][p]++;
                        seen[p][m->offset] = 1;
                        got++;
                }
                rd_kafka_message_destroy(m);
                if (got >= 500)
                        break;
        }
        if (got)
                rd_kafka_commit(cs->rk, NULL, 1 /*async*/);
        return got;
}

static long distinct_consumed(void) {
        long n = 0;
        for (int p = 0; p < topics[consume_topic].partitions; p++)
                for (long o = 0; o < seen_cap; o++)
                        n += seen[p][o];
        return n;
}

static long produced_to_topic(int t) {
        long n = 0;
        for (int i = 0; i < nproducers; i++)
                if (producers[i].topic == t)
                        for (int p = 0; p < MAX_PARTS; p++)
                                n += producers[i].st[p].acked;
        return n;
}

static void record_assignment(struct consumer *cs) {
        rd_kafka_topic_partition_list_t *l = NULL;
        size_t o = 0;
        cs->assignment[o++] = '[';
        if (!rd_kafka_assignment(cs->rk, &l) && l) {
                for (int i = 0; i < l->cnt; i++)
                        o += snprintf(cs->assignment + o,
                                      sizeof(cs->assignment) - o,
                                      "%s{\"topic\":\"%s\",\"partition\":%d}",
                                      i ? "," : "", l->elems[i].topic,
                                      (int)l->elems[i].partition);
                rd_kafka_topic_partition_list_destroy(l);
        }
        snprintf(cs->assignment + o, sizeof(cs->assignment) - o, "]");
}

/* Committed offsets of the group, read through a consumer before it closes. */
static long committed[MAX_PARTS];
static void record_committed(struct consumer *cs) {
        struct topic *t = &topics[consume_topic];
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(t->partitions);
        for (int p = 0; p < t->partitions; p++)
                rd_kafka_topic_partition_list_add(l, t->name, p);
        if (rd_kafka_committed(cs->rk, l, 5000))
                die("committed");
        for (int i = 0; i < l->cnt; i++)
                committed[l->elems[i].partition] = l->elems[i].offset;
        rd_kafka_topic_partition_list_destroy(l);
}

/* --------------------------- broker discovery --------------------------- */

/* Map broker ids to ports with a throwaway client, before capture starts. */
static void discover_brokers(void) {
        rd_kafka_conf_t *c = rd_kafka_conf_new();
        char err[256];
        const struct rd_kafka_metadata *md;
        setc(c, "bootstrap.servers", bootstraps());
        setc(c, "client.id", "mockgen-discovery");
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
        if (!rk)
                die("%s", err);
        if (rd_kafka_metadata(rk, 0, NULL, &md, 10000))
                die("metadata");
        nbrokers = md->broker_cnt;
        for (int i = 0; i < md->broker_cnt; i++) {
                broker_id[i] = md->brokers[i].id;
                broker_port[i] = md->brokers[i].port;
        }
        /* sort by id */
        for (int i = 0; i < nbrokers; i++)
                for (int j = i + 1; j < nbrokers; j++)
                        if (broker_id[j] < broker_id[i]) {
                                int a = broker_id[i], b = broker_port[i];
                                broker_id[i] = broker_id[j];
                                broker_port[i] = broker_port[j];
                                broker_id[j] = a;
                                broker_port[j] = b;
                        }
        rd_kafka_metadata_destroy(md);
        rd_kafka_destroy(rk);
}

/* The mock cluster creates its listening sockets itself, with no hook to
 * configure them: find them among this process's descriptors by their
 * ports and set SO_RCVBUF, which the connections they accept inherit (and
 * which sizes the window they advertise). Called before any client of the
 * scenario connects. */
static void shrink_broker_rcvbuf(int bytes) {
        int done = 0;
        for (int fd = 0; fd < 4096; fd++) {
                struct sockaddr_in sin;
                socklen_t sl = sizeof sin;
                int listening = 0;
                socklen_t ol = sizeof listening;
                if (getsockname(fd, (struct sockaddr *)&sin, &sl) ||
                    sin.sin_family != AF_INET ||
                    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
                               &ol) ||
                    !listening)
                        continue;
                for (int i = 0; i < nbrokers; i++)
                        if (ntohs(sin.sin_port) == broker_port[i]) {
                                if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
                                               &bytes, sizeof bytes))
                                        die("SO_RCVBUF: %s", strerror(errno));
                                done++;
                        }
        }
        if (done != nbrokers)
                die("found %d of %d broker listening sockets", done, nbrokers);
}

/* ------------------------------ scenarios ------------------------------- */

static void setup_produce_multi(void) {
        static const int l_orders[] = {1, 2, 3, 1, 2, 3};
        static const int l_clicks[] = {2, 3, 1, 2};
        static const int l_metrics[] = {3, 1, 2};
        int orders = add_topic("orders", 6, l_orders);
        int clicks = add_topic("clicks", 4, l_clicks);
        int metrics = add_topic("metrics", 3, l_metrics);
        struct producer *p;
        /* Four waves batched by a long linger: Produce requests of ~35 KB
         * per partition, which the client writes in more than one segment. */
        p = add_producer("svc-orders", "none", -1, orders, 0, 5, 22, 400);
        p->linger_ms = 1000;
        p->max_waves = 4;
        add_producer("web-gzip", "gzip", 1, clicks, 0, 1, 6, 300);
        add_producer("web-snappy", "snappy", 1, clicks, 2, 3, 6, 300);
        add_producer("metrics-lz4", "lz4", 0, metrics, 0, 0, 8, 200);
        add_producer("metrics-zstd", "zstd", -1, metrics, 1, 2, 8, 200);
        group_id = "clicks-aggregator";
        consume_topic = clicks;
        consumers[nconsumers++].client_id = "clicks-consumer";
        waves = 10;
        wave_gap_ms = 300;
        note("svc-orders produces only in the first 4 of 10 waves. "
             "metrics-lz4 uses acks=0: librdkafka reports such records as "
             "delivered without waiting for the broker, and librdkafka's "
             "mock cluster answers acks=0 Produce requests anyway (a real "
             "broker sends no response). ");
}

static void setup_slow_broker(void) {
        static const int l_hot[] = {2};
        static const int l_cold[] = {1, 3, 1, 3};
        int hot = add_topic("hot", 1, l_hot);
        int cold = add_topic("cold", 4, l_cold);
        struct producer *p;
        p = add_producer("ingest-hot", "lz4", 1, hot, 0, 0, 12, 250);
        p->linger_ms = 5;
        p = add_producer("ingest-cold", "lz4", 1, cold, 0, 3, 2, 250);
        p->linger_ms = 5;
        waves = 25;
        wave_gap_ms = 60;
        broker_rtt[1] = 80; /* index of broker id 2 */
        note("broker 2 (leader of the single partition of topic hot) has an "
             "injected RTT of 80 ms: the mock delays every response it "
             "sends, for every API, by that much; brokers 1 and 3 answer "
             "at once. ");
}

static void setup_produce_errors(void) {
        static const int l_pay[] = {1};
        static const int l_ref[] = {2};
        static const int l_led[] = {3, 3};
        int pay = add_topic("payments", 1, l_pay);
        int ref = add_topic("refunds", 1, l_ref);
        int led = add_topic("ledger", 2, l_led);
        add_producer("payments-svc", "none", -1, pay, 0, 0, 5, 200);
        add_producer("refunds-svc", "gzip", -1, ref, 0, 0, 5, 200);
        add_producer("ledger-svc", "none", 1, led, 0, 1, 5, 200);
        waves = 8;
        wave_gap_ms = 150;
        inject(1, 0, "Produce", RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 2,
               0);
        inject(1, 0, "Produce", RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 1, 0);
        inject(1, 0, "Produce", RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 2, 0);
        inject(2, 0, "Produce", RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 2, 0);
        inject(2, 0, "Produce", RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 1, 0);
        inject(2, 0, "Produce", RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, 1, 0);
        note("Errors are injected per broker with "
             "rd_kafka_mock_broker_push_request_error_rtts: each Produce "
             "request that reaches that broker pops the next error and the "
             "mock puts it in the error_code of EVERY partition of that "
             "response (and does not append the records). Each erroring "
             "broker leads exactly one partition that only one producer "
             "writes, so every injected error is exactly one "
             "partition-level error in one Produce response; the producer "
             "retries and all records are eventually acknowledged. Broker 3 "
             "(topic ledger) gets no errors. ");
}

static void setup_consumer_group(void) {
        static const int l_ev[] = {1, 2, 3, 1};
        int ev = add_topic("events", 4, l_ev);
        add_producer("events-producer", "snappy", -1, ev, 0, 3, 10, 300);
        group_id = "events-group";
        consume_topic = ev;
        consumers[nconsumers++].client_id = "consumer-a";
        consumers[nconsumers++].client_id = "consumer-b";
        waves = 20;
        wave_gap_ms = 400;
        second_consumer_ms = 4500;
        note("consumer-a subscribes first and consumes (the mock coordinator "
             "holds the first JoinGroup for about 3 s); consumer-b joins the "
             "same group about 4.5 s later, which triggers a rebalance "
             "(consumer-a rejoins); both commit offsets after every poll "
             "that returned records (async) and synchronously at the end, "
             "then close (LeaveGroup). Records consumed twice around the "
             "rebalance are counted in duplicates. Group errors the client "
             "API does not expose (Heartbeat, JoinGroup, SyncGroup error "
             "codes) are not in this truth; OffsetCommit partition errors "
             "are, from the commit callback. ");
}

/* A busy cluster in a few seconds: two bulk producers (no compression,
 * acks=all) send a Produce request of ~20 KB per broker every sixth wave;
 * four application producers (lz4, acks=all) send small Produce requests
 * every wave; a consumer group member fetches and commits the application
 * topic all along. The brokers' receive buffers are small (see
 * shrink_broker_rcvbuf), so a bulk request crosses in several segments. */
static void setup_load(void) {
        static const int l_bulk[] = {1, 2, 3, 1, 2, 3};
        static const int l_app[] = {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3};
        int bulk = add_topic("bulk", 6, l_bulk);
        int app = add_topic("app-events", 12, l_app);
        static const char *apps[] = {"app-1", "app-2", "app-3", "app-4"};
        struct producer *p;
        p = add_producer("bulk-a", "none", -1, bulk, 0, 2, 50, 400);
        p->linger_ms = 50;
        p->wave_every = 6;
        p = add_producer("bulk-b", "none", -1, bulk, 3, 5, 50, 400);
        p->linger_ms = 50;
        p->wave_every = 6;
        for (int i = 0; i < 4; i++) {
                p = add_producer(apps[i], "lz4", -1, app, 3 * i, 3 * i + 2,
                                 2, 150);
                p->linger_ms = 5;
        }
        group_id = "load-readers";
        consume_topic = app;
        consumers[nconsumers++].client_id = "load-reader";
        waves = 84;
        wave_gap_ms = 60;
        broker_rcvbuf = 4096;
        note("bulk-a and bulk-b produce in every sixth wave, 50 records of "
             "400 bytes per partition uncompressed, one partition per broker "
             "each: a Produce request of ~20 KB per broker. The mock "
             "brokers' listening sockets get SO_RCVBUF 4096 before any "
             "client connects, so their receive window is a few KB and a "
             "bulk request crosses in several TCP segments (loopback has no "
             "MTU to split it). app-1..4 produce 2 small records per "
             "partition every wave (lz4), each to three partitions of its "
             "own (one per broker). load-reader consumes app-events "
             "and commits as it goes. ");
}

/* One partition (orders/0, leader broker 1) takes `hot` of every
 * (hot + 12) records produced, next to a 12-partition topic events that
 * gets one record per partition per wave: skew gives orders/0 60 of 72
 * (83.3%), skew-near-miss 10 of 22 (45.5%). Same codec and value size for
 * both, so the shares of bytes are the shares of records. */
static void setup_skew(int hot) {
        static const int l_orders[] = {1};
        static const int l_events[] = {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3};
        int orders = add_topic("orders", 1, l_orders);
        int events = add_topic("events", 12, l_events);
        struct producer *p;
        p = add_producer("orders-svc", "none", -1, orders, 0, 0, hot, 120);
        p->linger_ms = 5;
        p = add_producer("events-svc", "none", -1, events, 0, 11, 1, 120);
        p->linger_ms = 5;
        waves = 20;
        wave_gap_ms = 60;
        note("every wave, orders-svc produces %d records to orders/0 and "
             "events-svc one record to each of the 12 partitions of events "
             "(acks=all, no compression, 120-byte values): orders/0 takes "
             "%d of every %d records produced (%.1f%%). ",
             hot, hot, hot + 12, 100.0 * hot / (hot + 12));
}

/* A broker alone, slow: topic ingest (2 partitions, both on broker 1)
 * gets every record, broker 1 answers everything `rtt` ms late. No peer
 * to compare with: only an absolute threshold can call it slow. */
static void setup_slow_alone(int rtt) {
        static const int l_ingest[] = {1, 1};
        int ingest = add_topic("ingest", 2, l_ingest);
        struct producer *p;
        p = add_producer("ingest-svc", "none", 1, ingest, 0, 1, 3, 150);
        p->linger_ms = 5;
        waves = 20;
        wave_gap_ms = 250; /* longer than the RTT: one request per wave */
        broker_rtt[0] = rtt; /* index of broker id 1 */
        note("broker 1 leads both partitions of ingest, the only topic, "
             "and has an injected RTT of %d ms; ingest-svc (acks=1) "
             "produces 3 records to each partition per wave. ", rtt);
}

/* A broker that turns slow mid-run: topic hot (1 partition) on broker 2,
 * cold (4 partitions) on brokers 1 and 3, 40 waves 100 ms apart; before
 * wave 20 the recorder sets an RTT of 80 ms on broker 2 and writes the
 * moment into the truth.  slow-onset-near-miss: the same run, no RTT. */
static void setup_slow_onset(int near) {
        static const int l_hot[] = {2};
        static const int l_cold[] = {1, 3, 1, 3};
        int hot = add_topic("hot", 1, l_hot);
        int cold = add_topic("cold", 4, l_cold);
        struct producer *p;
        p = add_producer("ingest-hot", "lz4", 1, hot, 0, 0, 12, 250);
        p->linger_ms = 5;
        p = add_producer("ingest-cold", "lz4", 1, cold, 0, 3, 2, 250);
        p->linger_ms = 5;
        waves = 40;
        wave_gap_ms = 100;
        if (!near) {
                onset_wave = 20;
                onset_broker_idx = 1; /* broker id 2 */
                onset_rtt_ms = 80;
        }
        note("%s", near ? "no RTT is ever injected: every broker answers at "
                          "once for the whole run. "
                        : "broker 2 (leader of topic hot) answers at once "
                          "until the recorder sets an RTT of 80 ms on it "
                          "just before wave 20 of 40 (rtt_onset.ts_us, "
                          "the wall clock the capture stamps packets "
                          "with); from then on the mock delays every "
                          "response of broker 2 by 80 ms. ");
}

/* Queueing on a connection: one partition (topic queue, on broker 1, which
 * answers every request INFLIGHT_RTT_MS late), one acks=1 producer offering
 * 30 records every 100 ms in batches of at most 10 records, more than one
 * request per RTT can carry.  inflight-5: max.in.flight 5, requests
 * pipeline on the connection and wait behind each other; inflight-1:
 * max.in.flight 1, the same offer, one request at a time (it takes longer
 * to drain, none waits). */
#define INFLIGHT_RTT_MS 100
static void setup_inflight(int inflight) {
        static const int l_queue[] = {1};
        int t = add_topic("queue", 1, l_queue);
        struct producer *p;
        p = add_producer("queue-svc", "none", 1, t, 0, 0, 30, 100);
        p->linger_ms = 5;
        p->max_inflight = inflight;
        p->batch_msgs = 10;
        waves = 20;
        wave_gap_ms = 100;
        broker_rtt[0] = INFLIGHT_RTT_MS; /* index of broker id 1 */
        note("max_inflight=%d rtt_ms=%d: queue-svc (acks=1, "
             "max.in.flight %d, batch.num.messages 10, linger.ms 5) "
             "produces 30 records every 100 ms (20 waves) to queue/0, led "
             "by broker 1, which has an injected RTT of %d ms (the mock "
             "delays each response by it). ",
             inflight, INFLIGHT_RTT_MS, inflight, INFLIGHT_RTT_MS);
}

/* A broker leading most of the load: topic logs (6 partitions) gets 4
 * records per partition per wave, metrics (6 partitions, 2 per broker) 2.
 * broker-skew: every logs partition on broker 1, which then takes 24 + 4
 * of every 36 records (77.8%); broker-skew-near-miss: logs on brokers
 * 1,1,1,1,1,2, broker 1 takes 20 + 4 of 36 (66.7%). */
static void setup_broker_skew(int near) {
        static const int l_logs[] = {1, 1, 1, 1, 1, 1};
        static const int l_logs_near[] = {1, 1, 1, 1, 1, 2};
        static const int l_metrics[] = {1, 2, 3, 1, 2, 3};
        int logs = add_topic("logs", 6, near ? l_logs_near : l_logs);
        int metrics = add_topic("metrics", 6, l_metrics);
        struct producer *p;
        p = add_producer("logs-svc", "none", -1, logs, 0, 5, 4, 120);
        p->linger_ms = 5;
        p = add_producer("metrics-svc", "none", -1, metrics, 0, 5, 2, 120);
        p->linger_ms = 5;
        waves = 20;
        wave_gap_ms = 60;
        note("every wave, logs-svc produces 4 records to each partition of "
             "logs and metrics-svc 2 to each partition of metrics "
             "(acks=all, no compression, 120-byte values): broker 1 leads "
             "%s of logs and metrics/0 and /3, %d of every 36 records "
             "(%.1f%%). ", near ? "partitions 0-4" : "every partition",
             near ? 24 : 28, 100.0 * (near ? 24 : 28) / 36);
}

/* Slow Fetch from one broker: topic feed, partitions 0 and 1 on broker 2
 * (injected RTT SLOW_FETCH_RTT_MS), partition 2 on broker 1 (no RTT);
 * feed-svc sends 3 records to partitions 0 and 1 every wave, feed-side 3
 * to partition 2 every third wave; feed-reader (group feed-readers) reads
 * the whole topic.  Every Fetch broker 2 answers takes the RTT or longer,
 * the ones that return records too; broker 1 answers at once (the mock
 * answers a Fetch at once when it has records, else after
 * fetch.wait.max.ms). */
#define SLOW_FETCH_RTT_MS 150
static void setup_slow_fetch(void) {
        static const int l_feed[] = {2, 2, 1};
        int feed = add_topic("feed", 3, l_feed);
        struct producer *p;
        p = add_producer("feed-svc", "none", 1, feed, 0, 1, 3, 150);
        p->linger_ms = 5;
        p = add_producer("feed-side", "none", 1, feed, 2, 2, 3, 150);
        p->linger_ms = 5;
        p->wave_every = 3;
        group_id = "feed-readers";
        consume_topic = feed;
        consumers[nconsumers++].client_id = "feed-reader";
        waves = 30;
        wave_gap_ms = 250;
        broker_rtt[1] = SLOW_FETCH_RTT_MS; /* index of broker id 2 */
        note("broker 2 leads feed/0 and feed/1 and has an injected RTT of "
             "%d ms (the mock delays every response it sends, Fetch "
             "included); broker 1 leads feed/2 and answers at once. "
             "feed-svc (acks=1) sends 3 records to feed/0 and feed/1 every "
             "wave, feed-side 3 to feed/2 every third wave (30 waves 250 ms "
             "apart); feed-reader (group feed-readers, fetch.wait.max.ms "
             "200) reads all three partitions. ", SLOW_FETCH_RTT_MS);
}

/* -------------------------------- output -------------------------------- */

static void json_str(FILE *f, const char *s) {
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fputc('\\', f);
                fputc(*s, f);
        }
        fputc('"', f);
}

/* Kafka's names (the protocol's error table) for the codes injected here. */
static const char *kafka_err_name(rd_kafka_resp_err_t e) {
        switch ((int)e) {
        case 5: return "LEADER_NOT_AVAILABLE";
        case 6: return "NOT_LEADER_OR_FOLLOWER";
        case 7: return "REQUEST_TIMED_OUT";
        case 19: return "NOT_ENOUGH_REPLICAS";
        default: return rd_kafka_err2name(e);
        }
}

static void write_truth(const char *path) {
        FILE *f = fopen(path, "w");
        if (!f)
                die("%s: %s", path, strerror(errno));
        fprintf(f, "{\n  \"generator\": \"pcaps/recorder/mockgen.c\",\n");
        fprintf(f, "  \"librdkafka_version\": \"%s\",\n",
                rd_kafka_version_str());
        fprintf(f, "  \"scenario\": \"%s\",\n", scenario);
        fprintf(f, "  \"brokers\": [");
        for (int i = 0; i < nbrokers; i++)
                fprintf(f, "%s\n    {\"id\": %d, \"address\": \"127.0.0.1:%d\"}",
                        i ? "," : "", broker_id[i], broker_port[i]);
        fprintf(f, "\n  ],\n  \"broker_rtt_ms\": {");
        for (int i = 0; i < nbrokers; i++)
                fprintf(f, "%s\"%d\": %d", i ? ", " : "", broker_id[i],
                        broker_rtt[i]);
        if (onset_ts_us >= 0)
                fprintf(f, "},\n  \"rtt_onset\": {\"broker\": %d, \"rtt_ms\": %d, "
                           "\"wave\": %d, \"ts_us\": %lld",
                        broker_id[onset_broker_idx], onset_rtt_ms, onset_wave,
                        (long long)onset_ts_us);
        else
                fprintf(f, "},\n  \"rtt_onset\": null");
        fprintf(f, "%s,\n  \"topics\": {", onset_ts_us >= 0 ? "}" : "");
        for (int t = 0; t < ntopics; t++) {
                fprintf(f, "%s\n    \"%s\": {\"partitions\": %d, \"leaders\": [",
                        t ? "," : "", topics[t].name, topics[t].partitions);
                for (int p = 0; p < topics[t].partitions; p++)
                        fprintf(f, "%s%d", p ? ", " : "", topics[t].leader[p]);
                fprintf(f, "]}");
        }
        fprintf(f, "\n  },\n  \"producers\": [");
        for (int i = 0; i < nproducers; i++) {
                struct producer *p = &producers[i];
                fprintf(f,
                        "%s\n    {\"client_id\": \"%s\", \"compression\": "
                        "\"%s\", \"acks\": %d, \"topic\": \"%s\", "
                        "\"partitions\": [%d, %d], \"value_bytes\": %d",
                        i ? "," : "", p->client_id, p->codec, p->acks,
                        topics[p->topic].name, p->first_part, p->last_part,
                        p->value_size);
                if (p->max_inflight)
                        fprintf(f, ", \"max_in_flight\": %d", p->max_inflight);
                if (p->batch_msgs)
                        fprintf(f, ", \"batch_num_messages\": %d", p->batch_msgs);
                fprintf(f, "}");
        }
        fprintf(f, "\n  ],\n  \"partitions\": [");
        int first = 1;
        for (int t = 0; t < ntopics; t++)
                for (int part = 0; part < topics[t].partitions; part++)
                        for (int i = 0; i < nproducers; i++) {
                                struct producer *p = &producers[i];
                                if (p->topic != t || part < p->first_part ||
                                    part > p->last_part)
                                        continue;
                                fprintf(f,
                                        "%s\n    {\"topic\": \"%s\", "
                                        "\"partition\": %d, \"leader\": %d, "
                                        "\"producer\": \"%s\", "
                                        "\"compression\": \"%s\", \"acks\": %d, "
                                        "\"produced_records\": %ld, "
                                        "\"acked_records\": %ld, "
                                        "\"failed_records\": %ld, "
                                        "\"value_bytes\": %ld}",
                                        first ? "" : ",", topics[t].name, part,
                                        topics[t].leader[part], p->client_id,
                                        p->codec, p->acks, p->st[part].produced,
                                        p->st[part].acked, p->st[part].failed,
                                        p->st[part].bytes);
                                first = 0;
                        }
        fprintf(f, "\n  ],\n  \"injected_errors\": [");
        for (int i = 0; i < ninj; i++)
                fprintf(f,
                        "%s\n    {\"api\": \"%s\", \"api_key\": %d, \"error\": "
                        "\"%s\", \"librdkafka_name\": \"%s\", \"code\": %d, "
                        "\"count\": %d, \"broker\": %d, "
                        "\"response_delay_ms\": %d}",
                        i ? "," : "", inj[i].api, inj[i].api_key,
                        kafka_err_name(inj[i].err),
                        rd_kafka_err2name(inj[i].err), (int)inj[i].err,
                        inj[i].count, inj[i].broker, inj[i].rtt_ms);
        fprintf(f, "\n  ],\n  \"injected_errors_left_unused\": {");
        for (int i = 0; i < nbrokers; i++)
                fprintf(f, "%s\"%d\": %ld", i ? ", " : "", broker_id[i],
                        inj_remaining[i]);
        fprintf(f, "},\n  \"client_ids\": [");
        int n = 0;
        for (int i = 0; i < nproducers; i++, n++)
                fprintf(f, "%s\"%s\"", n ? ", " : "", producers[i].client_id);
        for (int i = 0; i < nconsumers; i++, n++)
                fprintf(f, "%s\"%s\"", n ? ", " : "", consumers[i].client_id);
        fprintf(f, "],\n  \"consumer_group\": ");
        if (group_id)
                json_str(f, group_id);
        else
                fprintf(f, "null");
        fprintf(f, ",\n  \"consumed_topic\": ");
        if (consume_topic >= 0)
                json_str(f, topics[consume_topic].name);
        else
                fprintf(f, "null");
        fprintf(f, ",\n  \"consumers\": [");
        for (int i = 0; i < nconsumers; i++) {
                struct consumer *cs = &consumers[i];
                struct topic *t = &topics[consume_topic];
                fprintf(f, "%s\n    {\"client_id\": \"%s\", \"consumed_records\": {",
                        i ? "," : "", cs->client_id);
                for (int p = 0; p < t->partitions; p++)
                        fprintf(f, "%s\"%s/%d\": %ld", p ? ", " : "", t->name,
                                p, cs->consumed[consume_topic][p]);
                fprintf(f, "}, \"duplicates\": {");
                for (int p = 0; p < t->partitions; p++)
                        fprintf(f, "%s\"%s/%d\": %ld", p ? ", " : "", t->name,
                                p, cs->dups[consume_topic][p]);
                fprintf(f, "}, \"final_assignment\": %s, "
                           "\"assignment_history\": [%s], "
                           "\"offset_commit_partition_errors\": {",
                        cs->assignment, cs->history);
                int n = 0;
                for (int e = 1; e < 64; e++)
                        if (cs->commit_errs[e])
                                fprintf(f, "%s\"%s\": %ld", n++ ? ", " : "",
                                        rd_kafka_err2name(
                                            (rd_kafka_resp_err_t)e),
                                        cs->commit_errs[e]);
                fprintf(f, "}, \"offset_commit_local_errors\": %ld}",
                        cs->commit_local_errs);
        }
        fprintf(f, "\n  ],\n  \"consumed_records\": {");
        if (consume_topic >= 0) {
                struct topic *t = &topics[consume_topic];
                for (int p = 0; p < t->partitions; p++) {
                        long d = 0;
                        for (long o = 0; o < seen_cap; o++)
                                d += seen[p][o];
                        fprintf(f, "%s\"%s/%d\": %ld", p ? ", " : "", t->name,
                                p, d);
                }
        }
        fprintf(f, "},\n  \"consumed_topic_waves_by_broker\": {");
        for (int i = 0; consume_topic >= 0 && i < nbrokers; i++)
                fprintf(f, "%s\"%d\": %ld", i ? ", " : "", broker_id[i],
                        consumed_topic_waves[i]);
        fprintf(f, "},\n  \"committed_offsets\": {");
        if (consume_topic >= 0) {
                struct topic *t = &topics[consume_topic];
                for (int p = 0; p < t->partitions; p++)
                        fprintf(f, "%s\"%s/%d\": %ld", p ? ", " : "", t->name,
                                p, committed[p]);
        }
        fprintf(f, "},\n  \"notes\": ");
        json_str(f, notes);
        fprintf(f, "\n}\n");
        fclose(f);
}

/* --------------------------------- main --------------------------------- */

static void write_ports(const char *path) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (!f)
                die("%s: %s", tmp, strerror(errno));
        for (int i = 0; i < nbrokers; i++)
                fprintf(f, "%s%d", i ? " " : "", broker_port[i]);
        fprintf(f, "\n");
        fclose(f);
        if (rename(tmp, path))
                die("rename %s", path);
}

static void wait_ready(const char *path) {
        struct stat st;
        int64_t t0 = now_ms();
        while (stat(path, &st) != 0) {
                if (now_ms() - t0 > 60000)
                        die("timed out waiting for %s", path);
                sleep_ms(50);
        }
}

static void poll_all(int ms) {
        int64_t end = now_ms() + ms;
        do {
                for (int i = 0; i < nproducers; i++)
                        rd_kafka_poll(producers[i].rk, 0);
                int polled = 0;
                for (int i = 0; i < nconsumers; i++)
                        if (consumers[i].started) {
                                consumer_poll(&consumers[i], 20);
                                polled = 1;
                        }
                if (!polled)
                        sleep_ms(10);
        } while (now_ms() < end);
}

int main(int argc, char **argv) {
        char err[256];
        if (argc != 5) {
                fprintf(stderr, "usage: mockgen SCENARIO PORTS_FILE "
                                "READY_FILE TRUTH_FILE\n");
                return 2;
        }
        scenario = argv[1];
        signal(SIGPIPE, SIG_IGN);

        /* The mock cluster lives in its own (otherwise idle) handle. */
        rd_kafka_conf_t *mc = rd_kafka_conf_new();
        setc(mc, "client.id", "mockgen-mock-cluster");
        rd_kafka_t *mrk = rd_kafka_new(RD_KAFKA_PRODUCER, mc, err, sizeof err);
        if (!mrk)
                die("%s", err);
        mcluster = rd_kafka_mock_cluster_new(mrk, 3);
        if (!mcluster)
                die("mock cluster");

        if (!strcmp(scenario, "produce-multi"))
                setup_produce_multi();
        else if (!strcmp(scenario, "slow-broker"))
                setup_slow_broker();
        else if (!strcmp(scenario, "produce-errors"))
                setup_produce_errors();
        else if (!strcmp(scenario, "consumer-group"))
                setup_consumer_group();
        else if (!strcmp(scenario, "load"))
                setup_load();
        else if (!strcmp(scenario, "skew"))
                setup_skew(60);
        else if (!strcmp(scenario, "skew-near-miss"))
                setup_skew(10);
        else if (!strcmp(scenario, "broker-skew"))
                setup_broker_skew(0);
        else if (!strcmp(scenario, "broker-skew-near-miss"))
                setup_broker_skew(1);
        else if (!strcmp(scenario, "slow-onset"))
                setup_slow_onset(0);
        else if (!strcmp(scenario, "slow-onset-near-miss"))
                setup_slow_onset(1);
        else if (!strcmp(scenario, "slow-alone"))
                setup_slow_alone(150);
        else if (!strcmp(scenario, "slow-alone-near-miss"))
                setup_slow_alone(70);
        else if (!strcmp(scenario, "inflight-5"))
                setup_inflight(5);
        else if (!strcmp(scenario, "inflight-1"))
                setup_inflight(1);
        else if (!strcmp(scenario, "slow-fetch"))
                setup_slow_fetch();
        else
                die("unknown scenario %s", scenario);

        for (int p = 0; p < MAX_PARTS; p++)
                seen[p] = calloc((size_t)seen_cap, 1);

        discover_brokers();
        if (broker_rcvbuf)
                shrink_broker_rcvbuf(broker_rcvbuf);
        for (int i = 0; i < nbrokers; i++)
                if (broker_rtt[i])
                        rd_kafka_mock_broker_set_rtt(mcluster, broker_id[i],
                                                     broker_rtt[i]);
        for (int i = 0; i < ninj; i++) {
                for (int k = 0; k < inj[i].count; k++)
                        if (rd_kafka_mock_broker_push_request_error_rtts(
                                mcluster, inj[i].broker,
                                (int16_t)inj[i].api_key, 1, inj[i].err,
                                inj[i].rtt_ms))
                                die("inject");
        }
        write_ports(argv[2]);
        wait_ready(argv[3]);
        sleep_ms(300);

        /* Run: consumers first (they join and wait), then producer waves. */
        int64_t t0 = now_ms();
        if (nconsumers > 0)
                start_consumer(&consumers[0]);
        for (int i = 0; i < nproducers; i++)
                start_producer(&producers[i]);
        poll_all(500);
        for (int w = 0; w < waves; w++) {
                if (w == onset_wave) {
                        struct timespec ts;
                        rd_kafka_mock_broker_set_rtt(
                            mcluster, broker_id[onset_broker_idx], onset_rtt_ms);
                        clock_gettime(CLOCK_REALTIME, &ts);
                        onset_ts_us = (int64_t)ts.tv_sec * 1000000 +
                                      ts.tv_nsec / 1000;
                }
                int hit[MAX_BROKERS] = {0};
                for (int i = 0; i < nproducers; i++) {
                        struct producer *p = &producers[i];
                        if ((p->max_waves && w >= p->max_waves) ||
                            (p->wave_every > 1 && w % p->wave_every != 0))
                                continue;
                        produce_wave(p);
                        if (p->topic != consume_topic)
                                continue;
                        for (int part = p->first_part; part <= p->last_part; part++)
                                for (int b = 0; b < nbrokers; b++)
                                        if (broker_id[b] == topics[p->topic].leader[part])
                                                hit[b] = 1;
                }
                for (int b = 0; b < nbrokers; b++)
                        consumed_topic_waves[b] += hit[b];
                poll_all(wave_gap_ms);
                if (nconsumers > 1 && !consumers[1].started &&
                    now_ms() - t0 >= second_consumer_ms)
                        start_consumer(&consumers[1]);
        }
        for (int i = 0; i < nproducers; i++) {
                while (rd_kafka_outq_len(producers[i].rk) > 0)
                        poll_all(20);
        }
        if (nconsumers > 1) { /* let every consumer get partitions */
                int64_t end = now_ms() + 20000;
                for (int i = 0; i < nconsumers; i++) {
                        if (!consumers[i].started)
                                start_consumer(&consumers[i]);
                        while (now_ms() < end) {
                                rd_kafka_topic_partition_list_t *l = NULL;
                                int n = 0;
                                if (!rd_kafka_assignment(consumers[i].rk, &l) &&
                                    l) {
                                        n = l->cnt;
                                        rd_kafka_topic_partition_list_destroy(
                                            l);
                                }
                                if (n)
                                        break;
                                poll_all(50);
                        }
                }
        }
        if (consume_topic >= 0) {
                long want = produced_to_topic(consume_topic);
                int64_t end = now_ms() + 30000;
                while (distinct_consumed() < want && now_ms() < end)
                        poll_all(50);
                if (distinct_consumed() < want)
                        note("consumers timed out: %ld of %ld consumed. ",
                             distinct_consumed(), want);
                poll_all(300);
                for (int i = 0; i < nconsumers; i++) {
                        rd_kafka_commit(consumers[i].rk, NULL, 0 /*sync*/);
                        record_assignment(&consumers[i]);
                }
                record_committed(&consumers[0]);
        }
        for (int i = 0; i < nconsumers; i++) {
                rd_kafka_consumer_close(consumers[i].rk);
                rd_kafka_destroy(consumers[i].rk);
        }
        for (int i = 0; i < nproducers; i++) {
                rd_kafka_flush(producers[i].rk, 10000);
                rd_kafka_destroy(producers[i].rk);
        }
        /* Errors still stacked (never returned) per broker, Produce. */
        for (int i = 0; i < nbrokers; i++) {
                size_t cnt = 0;
                rd_kafka_mock_broker_error_stack_cnt(mcluster, broker_id[i],
                                                     0, &cnt);
                inj_remaining[i] = (long)cnt;
        }
        sleep_ms(200);
        write_truth(argv[4]);
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(mrk);
        return 0;
}
