# KRaft Kafka (1 or 3 nodes) on loopback, tcpdump capture and Java tool launching
# for the capture harness (sourced by record.sh after env.sh). Every process
# started here runs in its own process group and is stopped by cleanup_all.
# Client listeners of nodes 1, 2, 3 (node 1 is also the only controller).
NODE_PORTS=(19092 19094 19095)
BROKER_PORT=${NODE_PORTS[0]}
CONTROLLER_PORT=19093
BOOTSTRAP="127.0.0.1:$BROKER_PORT"
# Admin tools and the truth query: the client listener, except with SASL
# (SCEN_SASL set), where they use a PLAINTEXT listener that is not captured.
SASL_ADMIN_PORT=19096
ADMIN_BOOTSTRAP=$BOOTSTRAP
RUN_DIR="$KAFKATAP_CACHE/run"
STARTED_PGIDS=()
BROKER_PIDS=()     # by node index 0..N-1
BROKER_LIST=""     # 127.0.0.1:port of every node, space separated
TCPDUMP_PID=""

# Start CMD... in a new session (own process group) with output to OUT; the pid
# (also the group id) is left in SPAWNED_PID. Not to be called inside $(...):
# the process must be a child of the main shell to be waited for.
spawn() {
    local out=$1; shift
    setsid "$@" >"$out" 2>&1 < /dev/null &
    SPAWNED_PID=$!
    STARTED_PGIDS+=("$SPAWNED_PID")
}

# True while process PID (a child of this shell) runs. bash reaps exited
# children by itself, so polling this needs no wait and leaves no zombie.
alive() {
    kill -0 "$1" 2>/dev/null
}

# Poll for at most SECONDS until process PID has exited; false if it still runs.
exited_within() {
    local pid=$1 secs=$2 i
    for ((i = 0; i < secs * 10; i++)); do
        alive "$pid" || return 0
        sleep 0.1
    done
    ! alive "$pid"
}

# Stop one process group: TERM, KILL after $2 seconds, kill stragglers.
# (No watchdog subshells: a subshell that sets a trap brings back the
# harness's own traps in bash, and would run cleanup_all.)
stop_group() {
    local pid=$1 wait_s=${2:-20}
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    exited_within "$pid" "$wait_s" || log "process group $pid ignored TERM for ${wait_s}s, killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
}

# Wait for a process group leader to exit by itself; after $2 seconds stop it.
wait_group() {
    local pid=$1 limit=$2
    if ! exited_within "$pid" "$limit"; then
        log "pid $pid still running after ${limit}s, stopping it"
        stop_group "$pid" 15
    fi
    kill -KILL -- "-$pid" 2>/dev/null || true
}

cleanup_all() {
    local pid
    for pid in "${STARTED_PGIDS[@]}"; do
        kill -0 -- "-$pid" 2>/dev/null && stop_group "$pid" 30
    done
    STARTED_PGIDS=()
}

# Run a Kafka main class (tools log WARN and above to their output).
# JAVA_TOOL_CMD is the command prefix, for spawn (which cannot run functions).
java_tool_cmd_init() {
    JAVA_TOOL_CMD=("$JAVA" -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
        -Dlog4j2.configurationFile="$RUN_DIR/tools-log4j2.properties"
        -cp "$HELPER_CLASSES:$(kafka_classpath)")
}
kafka_java() {
    "${JAVA_TOOL_CMD[@]}" "$@"
}

write_tool_log_config() {
    mkdir -p "$RUN_DIR"
    cat > "$RUN_DIR/tools-log4j2.properties" <<EOT
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
EOT
}

# Config files of node N (1-based) in DIR: server-N.properties, log4j2-N.properties.
write_node_config() {
    local dir=$1 n=$2 port=${NODE_PORTS[$(($2 - 1))]}
    cat > "$dir/log4j2-$n.properties" <<EOT
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $dir/server-$n.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
EOT
    {
        if [ "$n" = 1 ] && [ -n "${SCEN_SASL:-}" ]; then
            # clients on a SASL_PLAINTEXT listener (PLAIN, users alice and
            # admin) on the captured port; admin tools and the truth query
            # on a PLAINTEXT one that is not captured
            echo "process.roles=broker,controller"
            echo "listeners=SASL_PLAINTEXT://127.0.0.1:$port,PLAINTEXT://127.0.0.1:$SASL_ADMIN_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
            echo "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port,PLAINTEXT://127.0.0.1:$SASL_ADMIN_PORT"
            echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
            echo "sasl.enabled.mechanisms=PLAIN"
            echo "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\" user_admin=\"admin-secret\";"
            echo "broker.session.timeout.ms=4000"
        elif [ "$n" = 1 ]; then
            echo "process.roles=broker,controller"
            echo "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
            echo "advertised.listeners=PLAINTEXT://127.0.0.1:$port"
            echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            # a killed broker is fenced (and leaves the ISRs) after this long
            echo "broker.session.timeout.ms=4000"
        else
            echo "process.roles=broker"
            echo "listeners=PLAINTEXT://127.0.0.1:$port"
            echo "advertised.listeners=PLAINTEXT://127.0.0.1:$port"
            echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
        fi
        cat <<EOT
node.id=$n
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
broker.heartbeat.interval.ms=1000
log.dirs=$dir/data-$n
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.heartbeat.interval.ms=1000
group.consumer.min.heartbeat.interval.ms=1000
delete.topic.enable=true
EOT
    } > "$dir/server-$n.properties"
}

# broker_start DIR [NODES]: format fresh storage for NODES (1 or 3) nodes and
# start them; wait until every one accepts clients.
broker_start() {
    local dir=$1 nodes=${2:-1} cid i n port
    rm -rf "$dir"; mkdir -p "$dir"
    write_tool_log_config
    cid=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    BROKER_PIDS=(); BROKER_LIST=""
    for ((n = 1; n <= nodes; n++)); do
        write_node_config "$dir" "$n"
        if [ "$n" = 1 ]; then set -- --standalone; else set -- --no-initial-controllers; fi
        kafka_java kafka.tools.StorageTool format "$@" -t "$cid" -c "$dir/server-$n.properties" \
            > "$dir/format-$n.log" 2>&1 || { cat "$dir/format-$n.log" >&2; die "storage format failed"; }
        spawn "$dir/broker-$n.out" "$JAVA" -Xms256m -Xmx1g -XX:+UseG1GC \
            -Dlog4j2.configurationFile="$dir/log4j2-$n.properties" \
            -cp "$(kafka_classpath)" kafka.Kafka "$dir/server-$n.properties"
        BROKER_PIDS+=("$SPAWNED_PID")
        BROKER_LIST="$BROKER_LIST${BROKER_LIST:+ }127.0.0.1:${NODE_PORTS[$((n - 1))]}"
    done
    for ((n = 1; n <= nodes; n++)); do
        port=${NODE_PORTS[$((n - 1))]}
        for ((i = 0; ; i++)); do
            [ "$i" -lt 600 ] || die "node $n did not start within 120 s (see $dir/server-$n.log)"
            kill -0 "${BROKER_PIDS[$((n - 1))]}" 2>/dev/null \
                || { tail -20 "$dir/broker-$n.out" >&2; die "node $n exited"; }
            if grep -q 'Kafka Server started' "$dir/server-$n.log" 2>/dev/null \
               && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                break
            fi
            sleep 0.2
        done
    done
    log "$nodes node(s) up: $BROKER_LIST"
}

# Kill node N (1-based) at once, as a crash would.
broker_kill() {
    local pid=${BROKER_PIDS[$(($1 - 1))]}
    log "killing node $1 (SIGKILL; bash reports it as Killed)"
    kill -KILL -- "-$pid" 2>/dev/null || true
    exited_within "$pid" 10 || true
}

# broker_pause N SECONDS: freeze node N (1-based) with SIGSTOP for SECONDS,
# then SIGCONT: its connections stay open but it sends nothing (a follower that
# stops fetching). Appends "node, address, start, end" (epoch seconds, the
# clock tcpdump stamps packets with) to $SCEN_DIR/paused.tsv.
broker_pause() {
    local n=$1 secs=$2 pid=${BROKER_PIDS[$(($1 - 1))]} t0 t1
    log "pausing node $n for ${secs}s (SIGSTOP, then SIGCONT)"
    t0=$(date +%s.%N)
    kill -STOP -- "-$pid"
    sleep "$secs"
    kill -CONT -- "-$pid"
    t1=$(date +%s.%N)
    printf '%s\t127.0.0.1:%s\t%s\t%s\n' "$n" "${NODE_PORTS[$((n - 1))]}" "$t0" "$t1" >> "$SCEN_DIR/paused.tsv"
}

# broker_slow N SECONDS STOP_MS RUN_MS: slow node N (1-based) down for
# SECONDS by freezing it in cycles, STOP_MS stopped (SIGSTOP) then RUN_MS
# running (SIGCONT): its connections stay open and it stays in the ISRs
# (each freeze is far under replica.lag.time.max.ms and the broker session
# timeout), but whatever it sends waits for the end of a freeze: a slow
# follower. Appends "node, address, start, end, stop_ms, run_ms" (epoch
# seconds, tcpdump's clock) to $SCEN_DIR/slowed.tsv.
broker_slow() {
    local n=$1 secs=$2 stop_ms=$3 run_ms=$4 pid=${BROKER_PIDS[$(($1 - 1))]} t0 t1
    log "slowing node $n for ${secs}s (${stop_ms} ms stopped, ${run_ms} ms running)"
    t0=$(date +%s.%N)
    python3 - "$pid" "$secs" "$stop_ms" "$run_ms" <<'PY'
import os, signal, sys, time
pgid, secs, stop_ms, run_ms = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
end = time.monotonic() + secs
try:
    while time.monotonic() < end:
        os.killpg(pgid, signal.SIGSTOP)
        time.sleep(stop_ms / 1000)
        os.killpg(pgid, signal.SIGCONT)
        time.sleep(run_ms / 1000)
finally:
    os.killpg(pgid, signal.SIGCONT)
PY
    t1=$(date +%s.%N)
    printf '%s\t127.0.0.1:%s\t%s\t%s\t%s\t%s\n' "$n" "${NODE_PORTS[$((n - 1))]}" "$t0" "$t1" \
        "$stop_ms" "$run_ms" >> "$SCEN_DIR/slowed.tsv"
}

broker_stop() {
    local i
    # brokers first, the controller (node 1) last
    for ((i = ${#BROKER_PIDS[@]} - 1; i >= 0; i--)); do stop_group "${BROKER_PIDS[$i]}" 60; done
    BROKER_PIDS=()
}

# Capture the client listeners on lo (full snaplen) into FILE.
capture_start() {
    local file=$1 i filter="" b
    for b in $BROKER_LIST; do filter="$filter${filter:+ or }tcp port ${b##*:}"; done
    spawn "$file.tcpdump.log" tcpdump -i lo -s 0 -U -Z root -w "$file" "$filter"
    TCPDUMP_PID=$SPAWNED_PID
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$file.tcpdump.log" 2>/dev/null && return 0
        kill -0 "$TCPDUMP_PID" 2>/dev/null || { cat "$file.tcpdump.log" >&2; die "tcpdump failed"; }
        sleep 0.1
    done
    die "tcpdump did not start"
}

capture_stop() {
    sleep 1   # let the last responses and FINs land
    stop_group "$TCPDUMP_PID" 10
    TCPDUMP_PID=""
}
