#!/usr/bin/env bash
# tensorcommit-mpi with K = 1 and 2 ranks on one machine (docs/mpi.md):
# setup (shards), commit and one grid-point opening of a 2^LOG grid, with
# wall time, the largest resident set of any rank, and the bytes the ranks
# exchange (single points and digest states: counted by the model in
# docs/mpi.md, not measured).  Not part of `make bench`; run it on an idle
# machine.  Usage: bench/mpi/run.sh [BUILD_DIR] [LOG (default 20)] [REPS (3)]
set -euo pipefail
build=${1:-build}
log=${2:-20}
reps=${3:-3}
tc=$build/tensorcommit
tcm=$build/tensorcommit-mpi
[ -x "$tcm" ] || { echo "bench/mpi: $tcm not built (no MPI found)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# a 2^log grid as axes of 16 and one of 2^(log mod 4)
shape=$(python3 -c "l=$log; print(','.join(['16']*(l//4) + ([str(2**(l%4))] if l%4 else [])))")
point=$(python3 -c "print(','.join('1' for _ in '$shape'.split(',')))")
/usr/bin/python3 -c "
import numpy as np
s=[int(x) for x in '$shape'.split(',')]
np.save('$dir/g.npy', np.random.default_rng(1).integers(-2**39, 2**39, size=s, dtype=np.int64))"

# median wall seconds and the largest rank's max RSS (KiB) of REPS runs
measure() {
  local label=$1; shift
  local times=() rss=0
  for _ in $(seq "$reps"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
    local r
    r=$(grep -ho 'Maximum resident set size (kbytes): [0-9]*' "$dir"/rss.* 2>/dev/null |
        awk '{print $NF}' | sort -n | tail -1 || true)
    [ -n "$r" ] && [ "$r" -gt "$rss" ] && rss=$r
    rm -f "$dir"/rss.*
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-34s %8.3f s   max RSS per rank %8.1f MiB\n' "$label" "$med" "$(echo "$rss / 1024" | bc -l)"
}

echo "grid 2^$log ($shape), $(nproc) cores, median of $reps"
$tc setup --shape "$shape" --seed 01 --out "$dir/one.tcs" > /dev/null 2>&1
for k in 1 2; do
  wrap=(mpirun --oversubscribe -np "$k" sh -c '/usr/bin/time -v -o "$0.$$" "$@"' "$dir/rss")
  rm -rf "$dir/sh$k"
  measure "K=$k setup (shards)" bash -c "rm -rf '$dir/sh$k'; $(printf '%q ' "${wrap[@]}") $tcm setup --shape $shape --seed 01 --out $dir/sh$k/"
  measure "K=$k commit" "${wrap[@]}" "$tcm" commit --srs "$dir/sh$k" --tensor "$dir/g.npy"
  measure "K=$k open (one grid point)" "${wrap[@]}" "$tcm" open --srs "$dir/sh$k" \
      --tensor "$dir/g.npy" --point "$point" --out "$dir/p.json"
done
measure "one process: commit" "$tc" commit --srs "$dir/one.tcs" --tensor "$dir/g.npy"
echo "exchanged: commit one 96-byte point per rank; open one per rank and level;"
echo "setup and every SRS check (m+1)*K digest states of 112 bytes"
