#!/bin/sh
# The shared library exports exactly the functions the public header
# declares: nothing internal leaks, nothing declared is missing.
#   test_api_exports.sh libtensorcommit.so include/tensorcommit.h
set -eu
lib=$1 header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a declaration starts at the beginning of a line with its return type
grep -E '^[a-z].*[ *]tc_[a-z0-9_]+\(' "$header" | grep -oE 'tc_[a-z0-9_]+\(' | tr -d '(' |
    sort -u >"$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TWDBR]$/ { print $3 }' | sort -u >"$tmp/exported"
[ "$(wc -l <"$tmp/declared")" -ge 40 ] || { echo "too few declarations read from $header"; exit 1; }
if ! diff -u "$tmp/declared" "$tmp/exported"; then
    echo "$lib: exported symbols differ from the functions of $header (- declared, + exported)"
    exit 1
fi
readelf -d "$lib" | grep -q 'SONAME.*libtensorcommit\.so\.0' || { echo "$lib: no SONAME libtensorcommit.so.0"; exit 1; }
echo "$(wc -l <"$tmp/exported") symbols exported, all declared"
