#!/bin/sh
# check-raw-reads.sh - proves that every packet byte is read through the
# bounds-checked cursor (src/common/cursor.h): fails when a multi-byte value
# is assembled from bytes by hand anywhere else in src/ or dissectors/.
#
# A raw read is one of:
#   - an indexed byte shifted by a whole number of bytes   p[0] << 24
#   - a shift by a whole number of bytes, then or-ed       (x << 8) | ...
#   - the cursor's pointer indexed by hand                 c->ptr[16]
#   - a private endian reader, by its usual name           be32( le64(
#   - the socket byte-order functions                      ntohl( ntohs(
# cursor.h is where the bytes are assembled, once.  The files listed in
# EXCEPTIONS below do it for a stated reason; a file not listed fails.
#
# Usage: check-raw-reads.sh [DIR...]   (default: src dissectors under
# $srcdir).  Run by `make check`.
srcdir=${srcdir:-.}

# path (from the top of the tree) and why its byte arithmetic is allowed
EXCEPTIONS='
src/common/cursor.h        the bounds-checked reader itself
src/common/siphash.c       reads its key and the bytes it hashes as little-endian words, as SipHash is defined: it hashes bytes, it reads no field
src/kafka/topics.c         writes a topic id (16 bytes the cursor already returned as a slice) as base64 text
src/capture/decode_link.c  byte-swaps the DLT_NULL address family after reading it through the cursor (it is in the capturing host byte order)
'

PATTERN='\][[:space:]]*<<[[:space:]]*(8|16|24|32|40|48|56)([^0-9]|$)'
PATTERN="$PATTERN"'|<<[[:space:]]*(8|16|24|32|40|48|56)[[:space:]]*\)*[[:space:]]*\|([^|]|$)'
PATTERN="$PATTERN"'|->ptr[[:space:]]*\['
PATTERN="$PATTERN"'|(^|[^A-Za-z0-9_])(be|le)(16|32|64)[[:space:]]*\('
PATTERN="$PATTERN"'|(^|[^A-Za-z0-9_])ntoh[sl][[:space:]]*\('

if [ $# -eq 0 ]; then
    set -- "$srcdir/src" "$srcdir/dissectors"
fi
for d in "$@"; do
    [ -d "$d" ] || { echo "check-raw-reads: no directory $d"; exit 1; }
done

excused() {
    rel=${1#"$srcdir"/}
    printf '%s\n' "$EXCEPTIONS" | awk -v f="$rel" '$1 == f { found = 1 } END { exit !found }'
}

status=0
files=$(find "$@" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
for f in $files; do
    excused "$f" && continue
    if hits=$(grep -nE "$PATTERN" "$f"); then
        printf '%s\n' "$hits" | sed "s|^|${f#"$srcdir"/}:|"
        status=1
    fi
done
if [ $status -ne 0 ]; then
    echo "check-raw-reads: bytes assembled by hand above; read them through"
    echo "the cursor (src/common/cursor.h: kt_cur_u32, kt_cur_peek_u32, ...)"
fi
exit $status
