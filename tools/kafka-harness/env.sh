# Shared settings for the Kafka capture harness scripts (sourced, not run):
# Kafka version, cache folder, classpath, and the Maven fetch step.
HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HARNESS_DIR/../.." && pwd)
# The Kafka version is the one pinned in pom.xml (single source of truth).
KAFKA_VERSION=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HARNESS_DIR/pom.xml")}
KAFKATAP_CACHE=${KAFKATAP_CACHE:-$HOME/.cache/kafkatap}
KAFKA_HOME="$KAFKATAP_CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
HELPER_CLASSES="$KAFKA_HOME/helper-classes"
JAVA=${JAVA:-java}
JAVAC=${JAVAC:-javac}

die() { echo "kafka-harness: $*" >&2; exit 1; }
log() { echo "kafka-harness: $*" >&2; }

# Resolve Kafka and its dependencies into $KAFKA_LIBS (once; a stamp marks success).
fetch_kafka() {
    command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
    command -v "$JAVA" >/dev/null || die "java not found (Java 17+ needed)"
    if [ -f "$KAFKA_HOME/.fetched" ]; then return 0; fi
    log "resolving Apache Kafka $KAFKA_VERSION with Maven into $KAFKA_LIBS"
    rm -rf "$KAFKA_LIBS"
    mkdir -p "$KAFKA_LIBS"
    mvn -q -B -Dstyle.color=never -f "$HARNESS_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" \
        || die "maven could not resolve Kafka $KAFKA_VERSION"
    [ -f "$KAFKA_LIBS/kafka-clients-$KAFKA_VERSION.jar" ] || die "kafka-clients jar missing after fetch"
    touch "$KAFKA_HOME/.fetched"
}

kafka_classpath() {
    local cp="" j
    for j in "$KAFKA_LIBS"/*.jar; do cp="$cp${cp:+:}$j"; done
    echo "$cp"
}

# Compile the small Java helpers in java/ against the Kafka jars (into the cache).
compile_helpers() {
    mkdir -p "$HELPER_CLASSES"
    "$JAVAC" -nowarn -d "$HELPER_CLASSES" -cp "$(kafka_classpath)" "$HARNESS_DIR"/java/*.java \
        || die "javac failed on the harness helpers"
}
