#!/usr/bin/env bash
# Runs every benchmark in its default (quick) mode and rewrites the measured
# part of BENCHMARKS.md: everything below the marker line is replaced, the
# notes above it are kept.  Usage: bench/run_all.sh BUILD_DIR BENCHMARKS.md
set -euo pipefail
build=${1:-build}
out=${2:-BENCHMARKS.md}
marker='<!-- Everything below this line is written by `make bench`. -->'

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cores=$(nproc)
mem=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')
when=$(date -u '+%Y-%m-%d %H:%M UTC')

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.body"' EXIT
{
  echo "## Measured by \`make bench\`"
  echo
  echo "Machine: $cpu, $cores cores, $mem. Date: $when."
  echo "Each program prints medians over repeated runs; see its source for the method."
  echo
} > "$tmp.body"

run() {
  local name=$1; shift
  local exe="$build/bench/$name"
  exe=$(find "$build/bench" -type f -name "$name" -perm -u+x | head -n 1)
  if [ -z "$exe" ]; then
    echo "bench: $name not built, skipped" >&2
    return
  fi
  echo "bench: $name $*" >&2
  {
    echo "### $name $*"
    echo
    echo '```text'
    "$exe" "$@" 2>&1 || echo "($name exited with status $?)"
    echo '```'
    echo
  } >> "$tmp.body"
}

run bench_ec
run bench_msm
run bench_pst
run bench_engine
run bench_tokenizer
run bench_select

if [ -f "$out" ] && grep -qF "$marker" "$out"; then
  sed "/$(printf '%s' "$marker" | sed 's/[][\/.*`^$]/\\&/g')/q" "$out" > "$tmp"
else
  { echo "# Benchmarks"; echo; echo "$marker"; } > "$tmp"
fi
echo >> "$tmp"
cat "$tmp.body" >> "$tmp"
mv "$tmp" "$out"
echo "bench: wrote $out" >&2
