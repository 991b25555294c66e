#!/bin/bash
# Records the real-Kafka captures: for each scenario, starts a fresh KRaft
# cluster (one node, or three) on loopback, captures the client listeners with
# tcpdump into pcaps/kafka/NAME.pcap while real Java clients run, asks the
# broker for the ground truth (NAME.truth.json), and stops everything.
# Usage: record.sh [SCENARIO...]   (default: all; needs root for tcpdump,
# Java 17+, Maven, tcpdump, python3). Env: KAFKATAP_CACHE, PCAP_DIR.
set -euo pipefail
. "$(dirname "$0")/env.sh"
. "$HARNESS_DIR/cluster.sh"
. "$HARNESS_DIR/clients.sh"
. "$HARNESS_DIR/scenarios.sh"
PCAP_DIR=${PCAP_DIR:-$REPO_DIR/pcaps/kafka}
MAX_PCAP_BYTES=$((2 * 1024 * 1024))

trap 'cleanup_all' EXIT
trap 'exit 130' INT TERM

command -v tcpdump >/dev/null || die "tcpdump not found"
command -v python3 >/dev/null || die "python3 not found"
if (exec 3<>"/dev/tcp/127.0.0.1/$BROKER_PORT") 2>/dev/null; then
    die "port $BROKER_PORT is already in use"
fi
fetch_kafka
compile_helpers
java_tool_cmd_init
mkdir -p "$PCAP_DIR"

run_scenario() {
    local name=$1
    declare -F "scenario_$name" >/dev/null || die "unknown scenario $name (known: $SCENARIOS)"
    SCEN_DIR="$RUN_DIR/$name"
    SCEN_SASL=$(scenario_uses_sasl "$name")
    if [ -n "$SCEN_SASL" ]; then ADMIN_BOOTSTRAP="127.0.0.1:$SASL_ADMIN_PORT"; else ADMIN_BOOTSTRAP=$BOOTSTRAP; fi
    NOTES=""; THROTTLED=""; GROUPS_=""; DELETED=""; FAILED_NODE=""; TXN_FILE=""
    log "=== scenario $name"
    broker_start "$RUN_DIR/broker-$name" "$(scenario_nodes "$name")"
    rm -rf "$SCEN_DIR"; mkdir -p "$SCEN_DIR"
    echo "client.id=admin-$name" > "$SCEN_DIR/admin.properties"
    local tmp="$SCEN_DIR/$name.pcap"
    capture_start "$tmp"
    "scenario_$name"
    capture_stop
    # shellcheck disable=SC2086
    kafka_java BrokerTruth "$ADMIN_BOOTSTRAP" $GROUPS_ > "$SCEN_DIR/broker.json" 2> "$SCEN_DIR/truth.log" \
        || { cat "$SCEN_DIR/truth.log" >&2; die "truth query failed"; }
    broker_stop
    local size; size=$(stat -c %s "$tmp")
    PAUSED_ARG=()
    [ -f "$SCEN_DIR/paused.tsv" ] && PAUSED_ARG=(--paused "$SCEN_DIR/paused.tsv")
    [ -f "$SCEN_DIR/slowed.tsv" ] && PAUSED_ARG+=(--slowed "$SCEN_DIR/slowed.tsv")
    [ "$size" -le "$MAX_PCAP_BYTES" ] || die "$name.pcap is $size bytes (over 2 MiB)"
    python3 "$HARNESS_DIR/make-truth.py" --broker-json "$SCEN_DIR/broker.json" \
        --clients "$SCEN_DIR/clients.tsv" --brokers "$BROKER_LIST" --failed-broker "$FAILED_NODE" --kafka-version "$KAFKA_VERSION" \
        --scenario "$name" --notes "$NOTES" --throttled "$THROTTLED" --deleted "$DELETED" \
        --groups "$GROUPS_" --transactions "$TXN_FILE" ${PAUSED_ARG[@]+"${PAUSED_ARG[@]}"} > "$SCEN_DIR/truth.json"
    cp "$tmp" "$PCAP_DIR/$name.pcap"
    cp "$SCEN_DIR/truth.json" "$PCAP_DIR/$name.truth.json"
    log "=== $name: $size bytes -> $PCAP_DIR/$name.pcap"
}

for s in ${*:-$SCENARIOS}; do run_scenario "$s"; done
cleanup_all
if pgrep -f "kafka.Kafka $RUN_DIR" >/dev/null; then die "a broker is still running"; fi
log "done"
