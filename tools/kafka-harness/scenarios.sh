# The capture scenarios (sourced by record.sh). Each scenario_NAME runs
# against a fresh single-node cluster, on topics it creates, while tcpdump
# records the client listener. It sets NOTES, THROTTLED (client ids that a
# quota throttles), GROUPS_ (consumer groups to report) and DELETED (topics
# deleted during the scenario) for the truth file.
SCENARIOS="codecs group-classic-rebalance group-consumer-protocol quota-throttle topic-deleted broker-failure skew client-failures sasl batching transactions replication-lag slow-follower-acks"

# How many nodes a scenario's cluster has (node 1 is broker and controller).
scenario_nodes() {
    case $1 in
        broker-failure|replication-lag|slow-follower-acks) echo 3 ;;
        *) echo 1 ;;
    esac
}

# Whether a scenario's node 1 takes clients on a SASL_PLAINTEXT listener
# (cluster.sh): non-empty for yes.
scenario_uses_sasl() {
    case $1 in
        sasl) echo 1 ;;
        *) echo "" ;;
    esac
}

# Five topics of three partitions, one per compression codec, produced with the
# producer perf test, then read back by one classic-protocol console consumer.
scenario_codecs() {
    local c
    for c in none gzip snappy lz4 zstd; do topic_create "codec-$c" 3; done
    for c in none gzip snappy lz4 zstd; do
        producer_bg "perf-$c" "codec-$c" 300 200 -1 compression.type="$c"
        wait_clients 120
        cat "$SCEN_DIR/clients.tsv" >> "$SCEN_DIR/clients.all"
    done
    consumer_bg reader-codecs codecs-readers classic 10000 --include 'codec-.*' --max-messages 1500
    wait_clients 120
    cat "$SCEN_DIR/clients.all" "$SCEN_DIR/clients.tsv" > "$SCEN_DIR/clients.tmp"
    mv "$SCEN_DIR/clients.tmp" "$SCEN_DIR/clients.tsv"; rm -f "$SCEN_DIR/clients.all"
    GROUPS_="codecs-readers"
    NOTES="Five topics (codec-none, -gzip, -snappy, -lz4, -zstd) of 3 partitions; 300 records of 200 bytes each with the producer perf test (client.id perf-CODEC, compression.type=CODEC, acks=all, keys 0..59 round-robin); then one console consumer (client.id reader-codecs, group codecs-readers, classic protocol) reads all 1500."
}

# Classic group protocol (JoinGroup/SyncGroup/Heartbeat): consumer-a alone,
# consumer-b joins (rebalance), consumer-b is stopped (rebalance again).
group_rebalance() {
    local proto=$1 t=$2 g=$3
    topic_create "$t" 4
    producer_bg "perf-$t" "$t" 480 100 40
    consumer_bg "$t-a" "$g" "$proto" 9000 --topic "$t"
    sleep 5
    consumer_bg "$t-b" "$g" "$proto" 9000 --topic "$t"
    sleep 7
    client_term "$t-b"
    wait_clients 120
    GROUPS_="$g"
}

scenario_group-classic-rebalance() {
    group_rebalance classic rebal-classic group-classic
    NOTES="Topic rebal-classic (4 partitions); producer perf test perf-rebal-classic sends 480 records of 100 bytes at 40/s; console consumer rebal-classic-a joins group group-classic (group.protocol=classic), rebal-classic-b joins 5 s later (rebalance), b is stopped with SIGTERM 7 s after that (LeaveGroup, rebalance); a exits after 9 s without records."
}

scenario_group-consumer-protocol() {
    group_rebalance consumer rebal-kip848 group-kip848
    NOTES="As group-classic-rebalance with group.protocol=consumer (KIP-848, ConsumerGroupHeartbeat): topic rebal-kip848 (4 partitions), producer perf-rebal-kip848 480 records at 40/s, consumers rebal-kip848-a then rebal-kip848-b in group group-kip848; b stopped after 7 s."
}

# A producer_byte_rate quota on one client.id; a second producer is unlimited.
scenario_quota-throttle() {
    topic_create quota-slow 2
    topic_create quota-fast 2
    client_quota_set throttled-producer producer_byte_rate=8192
    sleep 1
    producer_bg throttled-producer quota-slow 150 1000 -1 compression.type=none batch.size=16384
    producer_bg free-producer quota-fast 150 1000 -1 compression.type=none batch.size=16384
    wait_clients 180
    THROTTLED="throttled-producer"
    NOTES="Client quota producer_byte_rate=8192 set with kafka-configs (AlterClientQuotas) for client.id throttled-producer only. Two perf-test producers at the same time, 150 records of 1000 bytes each, no compression: throttled-producer to quota-slow, free-producer to quota-fast (2 partitions each). Produce responses to throttled-producer carry throttle_time_ms > 0."
}

# A topic deleted while a producer is sending to it; another topic survives.
scenario_topic-deleted() {
    topic_create doomed 2
    topic_create survivor 2
    # max.block.ms: once the topic is gone every send() waits that long for
    # metadata that will never come, so keep it short.
    producer_bg perf-doomed doomed 400 100 40 delivery.timeout.ms=3000 request.timeout.ms=2000 max.block.ms=50
    producer_bg perf-survivor survivor 400 100 40
    # Delete once perf-doomed has been sending for 2 s (its 1 s progress lines),
    # well before its 10 s are over.
    wait_log_lines "$SCEN_DIR/client-perf-doomed.log" ' records sent, ' 2 60
    topic_delete doomed
    wait_clients 120
    DELETED="doomed"
    NOTES="Topics doomed and survivor (2 partitions each); perf-test producers perf-doomed and perf-survivor each send 400 records of 100 bytes at 40/s; after 2 s of sending, kafka-topics deletes doomed (DeleteTopics) while it is produced to: the later sends to it fail (UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID in Metadata and Produce responses, then metadata waits that time out after max.block.ms=50 and delivery timeouts of 3 s). The deleted topic has no end offsets to report, so only survivor is in partitions; perf-doomed's count is the records acknowledged before the deletion."
}

# Three nodes; node 3 is killed (SIGKILL) while a producer sends with acks=all
# to a topic replicated on all three: leaders move, the ISR shrinks.
scenario_broker-failure() {
    topic_create replicated 3 3 --config min.insync.replicas=2
    producer_bg perf-replicated replicated 400 100 40 request.timeout.ms=5000
    wait_log_lines "$SCEN_DIR/client-perf-replicated.log" ' records sent, ' 3 60
    broker_kill 3
    FAILED_NODE="127.0.0.1:${NODE_PORTS[2]}"
    wait_clients 180
    NOTES="Three nodes (node 1 broker+controller on 19092, brokers 2 and 3 on 19094 and 19095; all three ports captured, so inter-broker replication Fetch is in the capture too). Topic replicated: 3 partitions, replication factor 3, min.insync.replicas=2. Producer perf test perf-replicated sends 400 records of 100 bytes at 40/s with acks=all; after 3 s of sending, node 3 (127.0.0.1:19095) is killed with SIGKILL: its connections drop, it is fenced after broker.session.timeout.ms=4000, leadership of its partitions moves to nodes 1 and 2 and the producer goes on there."
}

# Load skew: topic orders has one partition and takes 1200 of the 1440
# records (83.3%) from an idempotent acks=all producer, next to a topic of
# 12 partitions that a consumer group reads.
scenario_skew() {
    topic_create orders 1
    topic_create events 12
    consumer_bg events-reader events-readers classic 12000 --topic events --max-messages 240
    producer_bg orders-svc orders 1200 100 200 enable.idempotence=true
    producer_bg events-svc events 240 100 40
    wait_clients 180
    GROUPS_="events-readers"
    NOTES="Topic orders (1 partition) and events (12 partitions). Producer perf tests at the same time, 100-byte records, acks=all: orders-svc (enable.idempotence=true) sends 1200 records to orders at 200/s, events-svc 240 records to events at 40/s (keys 0..59, spread over the 12 partitions by the default partitioner); orders/0 takes 1200 of 1440 records (83.3%). Console consumer events-reader (group events-readers, classic protocol) reads the 240 events."
}

# Per-client delivery: three producers to topic payments (max.message.bytes
# 1024, 3 partitions), each record its own batch (java/DeliveryCounter.java):
# bad-svc sends 60 of its 100 records with 4000 bytes (MESSAGE_TOO_LARGE),
# near-miss-svc 6 of 200, good-svc none of 200.
scenario_client-failures() {
    topic_create payments 3 1 --config max.message.bytes=1024
    delivery_bg good-svc payments 200 200 3 0 15
    delivery_bg bad-svc payments 100 200 3 60 30
    delivery_bg near-miss-svc payments 200 200 3 6 15
    wait_clients 180
    NOTES="Topic payments (3 partitions, max.message.bytes=1024). Three producers at the same time (java/DeliveryCounter.java: acks=all, no idempotence, batch.size=0 and linger.ms=0 so every record is its own batch and a rejected one is never split and retried, record i to partition i % 3, 200-byte values): good-svc sends 200 records, bad-svc 100 of which 60 carry 4000-byte values, near-miss-svc 200 of which 6 carry 4000-byte values. The broker rejects each oversized record with MESSAGE_TOO_LARGE (RecordTooLargeException in the client's callback). Each client's acked and failed counts by partition and error are its own delivery callbacks."
}

# SASL/PLAIN: the captured listener is SASL_PLAINTEXT (users alice, admin).
# wrong-password tries 12 times, 400 ms apart, with a bad password for alice;
# typo-svc 3 times; right-password (alice's real password) produces 100 records.
scenario_sasl() {
    local jaas='org.apache.kafka.common.security.plain.PlainLoginModule required username="alice"'
    topic_create secured 2
    delivery_bg right-password secured 100 100 2 0 20 security.protocol=SASL_PLAINTEXT sasl.mechanism=PLAIN \
        "sasl.jaas.config=$jaas password=\"alice-secret\";"
    delivery_bg wrong-password secured 12 100 2 0 400 security.protocol=SASL_PLAINTEXT sasl.mechanism=PLAIN \
        "sasl.jaas.config=$jaas password=\"not-the-secret\";" max.block.ms=300
    delivery_bg typo-svc secured 3 100 2 0 400 security.protocol=SASL_PLAINTEXT sasl.mechanism=PLAIN \
        "sasl.jaas.config=$jaas password=\"alice-secrte\";" max.block.ms=300
    wait_clients 180
    NOTES="One node whose client listener (captured) is SASL_PLAINTEXT with the PLAIN mechanism (JAAS users alice and admin in the server properties); admin tools use a PLAINTEXT listener that is not captured. Three producers (java/DeliveryCounter.java) as user alice: right-password (the right password) sends 100 records to topic secured (2 partitions); wrong-password tries 12 sends and typo-svc 3 sends, 400 ms apart, with a wrong password (max.block.ms=300). auth_failed and auth_succeeded are each client's own failed-/successful-authentication-total metrics; the broker answers every failed one SASL_AUTHENTICATION_FAILED."
}

# Batching: chatty-svc sends every record in a batch of its own (linger.ms=0,
# batch.size=0) at 200 records/s, batched-svc the same records/s with
# linger.ms=50 (many records a batch), trickle-svc one record a batch too but
# at 10 records/s.
scenario_batching() {
    topic_create clicks 2
    topic_create views 2
    topic_create audits 1
    producer_bg chatty-svc clicks 2000 50 200 linger.ms=0 batch.size=0 compression.type=none
    producer_bg batched-svc views 2000 50 200 linger.ms=50 compression.type=lz4
    producer_bg trickle-svc audits 100 50 10 linger.ms=0 batch.size=0 compression.type=zstd
    wait_clients 180
    NOTES="Three perf-test producers at the same time, 50-byte records, acks=all (idempotent by default): chatty-svc sends 2000 records to clicks (2 partitions) at 200/s with linger.ms=0 batch.size=0 (no batching: one record a batch) and compression.type=none; batched-svc sends 2000 records to views (2 partitions) at 200/s with linger.ms=50 and compression.type=lz4; trickle-svc sends 100 records to audits (1 partition) at 10/s with linger.ms=0 batch.size=0 and compression.type=zstd. Each producer's properties are in its config, and the batching metrics it printed at the end in its metrics."
}

# Transactions: payments-tx commits 10 and aborts 10 transactions of 5 records
# (abort share 50%), ledger-tx commits 20 and aborts 1 (4.8%, a near miss),
# fenced-tx is fenced by a second producer with the same transactional.id; a
# read_committed consumer then counts the records of committed transactions.
scenario_transactions() {
    topic_create payments 3
    topic_create ledger 2
    txn_producer_bg payments-tx payments payments-tx 10 10 5
    txn_producer_bg ledger-tx ledger ledger-tx 20 1 5
    txn_producer_bg fenced-tx ledger fenced-tx fence 5
    wait_clients 180
    cp "$SCEN_DIR/clients.tsv" "$SCEN_DIR/clients.all"
    consumer_bg txn-reader txn-readers classic 10000 --include 'payments|ledger' \
        --command-property isolation.level=read_committed
    wait_clients 120
    cat "$SCEN_DIR/clients.all" "$SCEN_DIR/clients.tsv" > "$SCEN_DIR/clients.tmp"
    mv "$SCEN_DIR/clients.tmp" "$SCEN_DIR/clients.tsv"; rm -f "$SCEN_DIR/clients.all"
    TXN_FILE="$SCEN_DIR/transactions.jsonl"
    GROUPS_="txn-readers"
    NOTES="Topics payments (3 partitions) and ledger (2 partitions). Transactional producers (java/TxnProducer, 5 records of about 80 bytes per transaction, flushed before the transaction ends, keys k0..k4): payments-tx commits 10 and aborts 10 transactions (alternating) to payments; ledger-tx commits 20 and aborts 1 (the last) to ledger; fenced-tx: producer fenced-tx-a writes 5 records to ledger in an open transaction, fenced-tx-b initializes the same transactional.id (the coordinator aborts a's transaction), a's commit fails fenced, b commits one transaction of 5. Then console consumer txn-reader (group txn-readers, isolation.level=read_committed) reads both topics: its count is the records of committed transactions. Partition records (end - start offset) include the transaction markers (control records)."
}

# Replication lag: every partition is led by node 1 with followers 2 and 3;
# a producer with acks=1 keeps writing while node 2 is frozen for 2 s (short
# of the replication-lag finding's 5 s, and of the 4 s broker session
# timeout) and then node 3 for 8 s (past both: it is fenced and leaves the
# ISR, the high watermark moves on without it, and when it resumes its first
# fetches start 8 s of records behind).
scenario_replication-lag() {
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
        --command-config "$SCEN_DIR/admin.properties" --create --topic lagged \
        --replica-assignment 1:2:3,1:3:2 --config min.insync.replicas=1 \
        >> "$SCEN_DIR/admin.log" 2>&1 || die "create topic lagged failed"
    _client_spawn consumer lag-reader lagged "${JAVA_TOOL_CMD[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer \
        --bootstrap-server "$BOOTSTRAP" --topic lagged --partition 0 --offset earliest \
        --timeout-ms 8000 --formatter-property print.value=false \
        --command-property client.id=lag-reader
    producer_bg lag-producer lagged 2400 40 100 acks=1 linger.ms=100 request.timeout.ms=5000
    wait_log_lines "$SCEN_DIR/client-lag-producer.log" ' records sent, ' 3 60
    broker_pause 2 2
    sleep 2
    broker_pause 3 8
    wait_clients 180
    NOTES="Three nodes (node 1 broker+controller on 19092, brokers 2 and 3 on 19094 and 19095, all captured). Topic lagged: 2 partitions, both led by node 1 (replica assignment 1:2:3 and 1:3:2), min.insync.replicas=1. Producer perf test lag-producer sends 2400 records of 40 bytes at 100/s with acks=1 and linger.ms=100 (production never waits for the followers); console consumer lag-reader (no group, partition 0 assigned) reads partition 0. After 3 s of sending, node 2 is frozen with SIGSTOP for 2 s (under the 4 s broker session timeout: it stays in the ISR), 2 s later node 3 is frozen for 8 s (it is fenced and leaves the ISR); both resume with SIGCONT and catch up. paused lists the freezes (node, address, start, end in the capture's clock)."
}

# Slow follower under acks=all: two topics of 3 partitions, every partition
# led by node 1 with followers 2 and 3 (replication factor 3,
# min.insync.replicas=2). First steady-svc sends to steady with nothing
# slowed (the near miss: no follower stands out), then pay-svc sends to
# payments while node 3 is slowed in cycles (broker_slow: 40 ms stopped,
# 10 ms running, for 10 s): every acks=all Produce waits for node 3's next
# fetch. Both producers keep up to 5 requests in flight.
scenario_slow-follower-acks() {
    local t
    for t in steady payments; do
        kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
            --command-config "$SCEN_DIR/admin.properties" --create --topic "$t" \
            --replica-assignment 1:2:3,1:3:2,1:2:3 --config min.insync.replicas=2 \
            >> "$SCEN_DIR/admin.log" 2>&1 || die "create topic $t failed"
    done
    producer_bg steady-svc steady 600 40 100 acks=all linger.ms=10 \
        max.in.flight.requests.per.connection=5
    wait_clients 120
    cp "$SCEN_DIR/clients.tsv" "$SCEN_DIR/clients.all"
    producer_bg pay-svc payments 1200 40 100 acks=all linger.ms=10 \
        max.in.flight.requests.per.connection=5
    wait_log_lines "$SCEN_DIR/client-pay-svc.log" ' records sent, ' 1 60
    broker_slow 3 10 40 10
    wait_clients 120
    cat "$SCEN_DIR/clients.all" "$SCEN_DIR/clients.tsv" > "$SCEN_DIR/clients.tmp"
    mv "$SCEN_DIR/clients.tmp" "$SCEN_DIR/clients.tsv"; rm -f "$SCEN_DIR/clients.all"
    NOTES="Three nodes (node 1 broker+controller on 19092, brokers 2 and 3 on 19094 and 19095, all captured). Topics steady and payments: 3 partitions each, all led by node 1 (replica assignment 1:2:3, 1:3:2, 1:2:3), min.insync.replicas=2. Producer perf tests with acks=all, linger.ms=10 and max.in.flight.requests.per.connection=5, 40-byte records at 100/s: first steady-svc sends 600 records to steady with nothing slowed; then pay-svc sends 1200 records to payments and, after its first progress line, node 3 is slowed for 10 s in cycles of 40 ms stopped (SIGSTOP) and 10 ms running (SIGCONT): it stays in the ISR, so every acks=all Produce appended while it is stopped waits for its next fetch. slowed lists the slowing (node, address, start, end in the capture's clock, stop_ms, run_ms)."
}
