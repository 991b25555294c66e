# Launching the real Kafka command-line clients for a scenario and recording
# what each one reported (sourced by record.sh after cluster.sh). Clients run
# in their own process groups; their logs and reports go to $SCEN_DIR.
CLIENT_PIDS=()
CLIENT_LOGS=()
CLIENT_KINDS=()
CLIENT_IDS=()
CLIENT_TOPICS=()

_client_spawn() {   # KIND CLIENT_ID TOPIC CMD...
    local kind=$1 cid=$2 topic=$3; shift 3
    local logf="$SCEN_DIR/client-$cid.log"
    spawn "$logf" "$@"
    CLIENT_PIDS+=("$SPAWNED_PID"); CLIENT_LOGS+=("$logf")
    CLIENT_KINDS+=("$kind"); CLIENT_IDS+=("$cid"); CLIENT_TOPICS+=("$topic")
}

# producer_bg CLIENT_ID TOPIC RECORDS SIZE THROUGHPUT [PROP=VALUE...]
producer_bg() {
    local cid=$1 topic=$2 n=$3 size=$4 tput=$5; shift 5
    # the producer properties as set (later ones win), for the truth file
    printf '%s\n' acks=all linger.ms=5 "$@" > "$SCEN_DIR/config-$cid.txt"
    _client_spawn producer "$cid" "$topic" "${JAVA_TOOL_CMD[@]}" org.apache.kafka.tools.ProducerPerformance \
        --bootstrap-server "$BOOTSTRAP" --topic "$topic" --num-records "$n" --record-size "$size" \
        --throughput "$tput" --key-distribution range --record-key-range 60 --print-metrics \
        --reporting-interval 1000 \
        --command-property client.id="$cid" acks=all linger.ms=5 "$@"
}

# delivery_bg CLIENT_ID TOPIC RECORDS SIZE PARTITIONS OVERSIZED PAUSE_MS [PROP=VALUE...]
# java/DeliveryCounter.java: a producer that counts its own delivery callbacks
# by outcome and partition (its last line, DELIVERY {json}, is its report).
delivery_bg() {
    local cid=$1 topic=$2; shift 2
    _client_spawn delivery "$cid" "$topic" "${JAVA_TOOL_CMD[@]}" DeliveryCounter "$BOOTSTRAP" "$cid" "$topic" "$@"
}

# txn_producer_bg NAME TOPIC TRANSACTIONAL_ID (COMMITS ABORTS | fence) RECORDS
# (java/TxnProducer.java; it prints its own counts, see wait_clients)
txn_producer_bg() {
    local name=$1 topic=$2; shift 2
    _client_spawn txn-producer "$name" "$topic" "${JAVA_TOOL_CMD[@]}" TxnProducer "$BOOTSTRAP" "$topic" "$@"
}

# consumer_bg CLIENT_ID GROUP PROTOCOL TIMEOUT_MS (--topic T | --include RE) [more args...]
consumer_bg() {
    local cid=$1 group=$2 proto=$3 tmo=$4; shift 4
    _client_spawn consumer "$cid" "$2" "${JAVA_TOOL_CMD[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer \
        --bootstrap-server "$BOOTSTRAP" --group "$group" --from-beginning --timeout-ms "$tmo" \
        --formatter-property print.value=false --formatter-property print.partition=true \
        --command-property client.id="$cid" --command-property group.protocol="$proto" "$@"
}

# Wait until FILE has COUNT lines matching the fixed string PATTERN (a client's
# progress), at most TIMEOUT seconds.
wait_log_lines() {
    local file=$1 pattern=$2 count=$3 limit=$4 i
    for ((i = 0; i < limit * 10; i++)); do
        [ "$(grep -cF -- "$pattern" "$file" 2>/dev/null || true)" -ge "$count" ] && return 0
        sleep 0.1
    done
    die "no $count lines '$pattern' in $file after ${limit}s"
}

# Stop one running client gently (SIGTERM: the tools close cleanly and report).
client_term() {
    local cid=$1 i
    for i in "${!CLIENT_IDS[@]}"; do
        [ "${CLIENT_IDS[$i]}" = "$cid" ] && kill -TERM -- "-${CLIENT_PIDS[$i]}" 2>/dev/null
    done
    return 0
}

# Wait for every client (at most $1 seconds), then write $SCEN_DIR/clients.tsv:
# kind, client_id, topic, reported records, produce-throttle-time-max (producers)
# or the DELIVERY json (delivery clients: reported records = acknowledged), and
# for producers the properties set (space separated) and the batching metrics
# the producer printed (records-per-request-avg, batch-size-avg,
# compression-rate-avg as name=value, space separated).
# kind, client_id, topic, reported records, produce-throttle-time-max (producers);
# a transactional producer's records are those of its committed transactions,
# and its "txn-truth" line is appended to $SCEN_DIR/transactions.jsonl.
wait_clients() {
    local limit=${1:-120} i n thr conf met
    for i in "${!CLIENT_PIDS[@]}"; do
        wait_group "${CLIENT_PIDS[$i]}" "$limit"
    done
    : > "$SCEN_DIR/clients.tsv"
    for i in "${!CLIENT_PIDS[@]}"; do
        if [ "${CLIENT_KINDS[$i]}" = delivery ]; then
            thr=$(sed -n 's/^DELIVERY //p' "${CLIENT_LOGS[$i]}" | tail -1)
            n=$(printf '%s' "$thr" | sed -n 's/.*"acked":\([0-9][0-9]*\).*/\1/p')
            conf=""; met=""
        elif [ "${CLIENT_KINDS[$i]}" = producer ]; then
            n=$(sed -n 's/^\([0-9][0-9]*\) records sent,.*/\1/p' "${CLIENT_LOGS[$i]}" | tail -1)
            thr=$(sed -n 's/^producer-metrics:produce-throttle-time-max:{client-id=[^}]*} *: *\([0-9.NaE-]*\).*/\1/p' "${CLIENT_LOGS[$i]}" | tail -1)
            conf=$(tr '\n' ' ' < "$SCEN_DIR/config-${CLIENT_IDS[$i]}.txt")
            met=$(sed -n 's/^producer-metrics:\(records-per-request-avg\|batch-size-avg\|compression-rate-avg\):{client-id=[^}]*} *: *\([0-9.NaE-]*\).*/\1=\2/p' "${CLIENT_LOGS[$i]}" | tr '\n' ' ')
        elif [ "${CLIENT_KINDS[$i]}" = txn-producer ]; then
            n=$(sed -n 's/^txn-truth .*"records_committed": \([0-9][0-9]*\).*/\1/p' "${CLIENT_LOGS[$i]}" | tail -1)
            thr=""; conf=""; met=""
            sed -n 's/^txn-truth //p' "${CLIENT_LOGS[$i]}" >> "$SCEN_DIR/transactions.jsonl"
        else
            n=$(sed -n 's/.*Processed a total of \([0-9][0-9]*\) messages.*/\1/p' "${CLIENT_LOGS[$i]}" | tail -1)
            thr=""; conf=""; met=""
        fi
        [ -n "$n" ] || die "client ${CLIENT_IDS[$i]} reported no count (see ${CLIENT_LOGS[$i]})"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${CLIENT_KINDS[$i]}" "${CLIENT_IDS[$i]}" "${CLIENT_TOPICS[$i]}" "$n" "$thr" "${conf% }" "${met% }" \
            >> "$SCEN_DIR/clients.tsv"
    done
    CLIENT_PIDS=(); CLIENT_LOGS=(); CLIENT_KINDS=(); CLIENT_IDS=(); CLIENT_TOPICS=()
}

# Admin commands (run in the foreground; fail the scenario on error).
topic_create() {   # TOPIC PARTITIONS [REPLICATION_FACTOR [--config K=V ...]]
    local t=$1 np=$2 rf=${3:-1}
    shift $(($# < 3 ? $# : 3))
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$ADMIN_BOOTSTRAP" \
        --command-config "$SCEN_DIR/admin.properties" --create --topic "$t" --partitions "$np" \
        --replication-factor "$rf" "$@" >> "$SCEN_DIR/admin.log" 2>&1 || die "create topic $t failed"
}
topic_delete() {
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$ADMIN_BOOTSTRAP" \
        --command-config "$SCEN_DIR/admin.properties" --delete --topic "$1" \
        >> "$SCEN_DIR/admin.log" 2>&1 || die "delete topic $1 failed"
}
client_quota_set() {   # CLIENT_ID CONFIGS
    kafka_java org.apache.kafka.tools.ConfigCommand --bootstrap-server "$ADMIN_BOOTSTRAP" \
        --command-config "$SCEN_DIR/admin.properties" --alter --entity-type clients \
        --entity-name "$1" --add-config "$2" >> "$SCEN_DIR/admin.log" 2>&1 || die "quota for $1 failed"
}
