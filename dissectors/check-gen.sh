#!/bin/sh
# check-gen.sh - regenerate the Kafka protocol tables into a scratch
# directory and fail if they differ from the committed ones (the generator is
# deterministic, so any difference means a stale or hand-edited table).
# Run by `make check`; skipped (77) when python3 is not installed.
srcdir=${srcdir:-.}
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
python3 "$srcdir/tools/gen-kafka-tables.py" \
    --legacy "$srcdir/dissectors/schema-legacy" \
    "$srcdir/dissectors/schema" "$srcdir/dissectors/schema/errors.tsv" "$tmp" || exit 1
status=0
for f in kafka_ids_gen.h kafka_apis_gen.c kafka_schema_gen.c kafka_schema_gen.h; do
    if ! cmp -s "$tmp/$f" "$srcdir/dissectors/$f"; then
        echo "dissectors/$f differs from a fresh generation (run make regen-kafka-tables):"
        diff -u "$srcdir/dissectors/$f" "$tmp/$f" | head -40
        status=1
    fi
done
exit $status
