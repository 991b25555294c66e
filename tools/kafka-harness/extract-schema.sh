#!/bin/bash
# Copies the Kafka message definitions (common/message/*.json) out of the
# kafka-clients jar of the harness's Kafka version into a schema folder, and
# writes that version's error table (errors.tsv) from its Errors enum.
# Usage: extract-schema.sh [OUTDIR]   (default: dissectors/schema in the repo)
set -euo pipefail
. "$(dirname "$0")/env.sh"
OUT=${1:-$REPO_DIR/dissectors/schema}

fetch_kafka
compile_helpers
JAR="$KAFKA_LIBS/kafka-clients-$KAFKA_VERSION.jar"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && unzip -q "$JAR" 'common/message/*.json')
n=$(ls "$TMP"/common/message/*.json | wc -l)
[ "$n" -gt 100 ] || die "only $n message files in $JAR"
mkdir -p "$OUT"
rm -f "$OUT"/*.json
cp "$TMP"/common/message/*.json "$OUT"/
"$JAVA" -cp "$HELPER_CLASSES:$(kafka_classpath)" ErrorsDump > "$OUT/errors.tsv.tmp"
mv "$OUT/errors.tsv.tmp" "$OUT/errors.tsv"
sha=$(sha256sum "$JAR" | cut -d' ' -f1)
cat > "$OUT/SOURCE.md" <<EOT
# Kafka protocol schema (Apache Kafka $KAFKA_VERSION)

- \`*.json\`: the request/response message definitions, unchanged, from
  \`common/message/\` inside the Maven artifact
  \`org.apache.kafka:kafka-clients:$KAFKA_VERSION\` (jar sha256 $sha).
  They are the same files as \`clients/src/main/resources/common/message/\` in
  the Apache Kafka $KAFKA_VERSION source tree. License: Apache License 2.0
  (Copyright The Apache Software Foundation).
- \`errors.tsv\`: protocol error codes and names (code, name; sorted by code),
  printed from \`org.apache.kafka.common.protocol.Errors.values()\` of the same jar.

This is the Kafka version that the capture harness (tools/kafka-harness/) runs.
Regenerate with \`tools/kafka-harness/extract-schema.sh\` (needs Java 17 and
Maven); the pinned version is \`kafka.version\` in tools/kafka-harness/pom.xml.
EOT
log "wrote $n message files, errors.tsv ($(($(wc -l < "$OUT/errors.tsv") - 1)) codes) and SOURCE.md to $OUT"
