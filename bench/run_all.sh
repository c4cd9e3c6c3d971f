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

# a random model with stories110M proportions for the engine, the pipeline
# and the scores (about 440 MB, made once per build folder)
big="$build/rand110m"
if [ ! -f "$big/model.safetensors" ]; then
  echo "bench: making $big" >&2
  "$build/tools/make_random_model" --out "$big" >&2
fi
# the pipeline reads its prompt with a tokenizer; any 512-id tokenizer fits
cp models/stories260K/tokenizer.json "$big/"

run bench_ec
run bench_msm
run bench_msm --min-log 20 --max-log 20 --reps 3
run bench_pst
run bench_engine models/stories260K "$big"
run bench_tokenizer
run bench_select --model "$big"
# the audit: challenge policies, the verifier's cost, the honest BLAS-mode differences
run bench_audit policies --model models/stories260K --png "$build/audit-policies-260K.png"
run bench_audit policies --model "$big" --png "$build/audit-policies-110M.png"
run bench_audit cost --model "$big" --tokens 64 --budget 25
run bench_audit tolerance --model "$big" --prover-threads 1 --verifier-threads 2

# the main job, stage by stage: 64 new tokens on both models
pipeline() {
  local name=$1 model=$2
  local out="$build/bench-run-$name"
  echo "bench: tensorcommit run on $name" >&2
  {
    echo "### tensorcommit run, $name, 64 new tokens, 2 threads"
    echo
    echo '```text'
    "$build/tensorcommit" run --model "$model" --prompt "Once upon a time" \
        --max-new-tokens 64 --threads 2 --out "$out" --force 2>&1 || echo "(run exited with status $?)"
    echo '```'
    # the overhead moves with the generation time: four more runs for its spread
    echo
    echo "The same run four more times, overhead line only:"
    echo
    echo '```text'
    for i in 1 2 3 4; do
      "$build/tensorcommit" run --model "$model" --prompt "Once upon a time" \
          --max-new-tokens 64 --threads 2 --out "$out-$i" 2>&1 | grep "of the generation time" ||
        echo "(run exited with status $?)"
      rm -rf "$out-$i"
    done
    echo '```'
    echo
  } >> "$tmp.body"
}
pipeline stories260K models/stories260K
pipeline rand110m "$big"

if [ -f "$out" ] && grep -qF "$marker" "$out"; then
  awk -v m="$marker" '{ print } index($0, m) { exit }' "$out" > "$tmp"
else
  { echo "# Benchmarks"; echo; echo "$marker"; } > "$tmp"
fi
echo >> "$tmp"
cat "$tmp.body" >> "$tmp"
mv "$tmp" "$out"
echo "bench: wrote $out" >&2
