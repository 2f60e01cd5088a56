#!/usr/bin/env bash
# Profiles one exportscan scan with perf and prints the functions with the most samples
# (self time, `perf report --no-children`), and the CPU use of the scan over time.
#
# Usage: bench/profile.sh [--threads N] PATH...
#
# Samples the cpu-clock software event, which works in virtual machines without hardware
# counters (where `perf stat -e instructions true` reports "<not supported>"). The profile
# goes to $BENCH_DIR/perf.data (default /tmp/exportscan-bench).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_dir="${BENCH_DIR:-/tmp/exportscan-bench}"
threads=2
if [[ "${1:-}" == "--threads" ]]; then
    threads="${2:?--threads needs a number}"
    shift 2
fi
if (($# == 0)); then
    echo "usage: bench/profile.sh [--threads N] PATH..." >&2
    exit 2
fi
command -v perf >/dev/null 2>&1 || {
    echo "bench/profile.sh: perf not found; install the linux-perf package" >&2
    exit 2
}

cd "$repo"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
cargo build --release --locked --bin exportscan
mkdir -p "$bench_dir"
data="$bench_dir/perf.data"
usage="$bench_dir/cpu-usage.txt"

# Frame-pointer call graphs (-g) are cheap to record; the self-time ranking below does not
# depend on them.
perf record -e cpu-clock -F 999 -g -o "$data" -- \
    "$target_dir/release/exportscan" scan --threads "$threads" --as-of 2025-07-01 \
    --format json "$@" >/dev/null &
perf_pid=$!

# Samples the scan's CPU use every half second from /proc, to show serial phases: a
# 2-thread scan at 1.0 core is running one thread only.
ticks="$(getconf CLK_TCK)"
: >"$usage"
scan_pid=""
previous=0
samples=0
while kill -0 "$perf_pid" 2>/dev/null; do
    if [[ -z "$scan_pid" ]]; then
        scan_pid="$(pgrep -P "$perf_pid" -x exportscan || true)"
    fi
    if [[ -n "$scan_pid" && -r "/proc/$scan_pid/stat" ]]; then
        # Fields 14 and 15 of /proc/PID/stat are user and system time in clock ticks; the
        # command name (field 2) has no spaces here.
        total="$(awk '{print $14 + $15}' "/proc/$scan_pid/stat" 2>/dev/null || echo "$previous")"
        awk -v t="$samples" -v used="$((total - previous))" -v hz="$ticks" \
            'BEGIN { printf "%5.1f s  %4.2f cores\n", t / 2, used / hz / 0.5 }' >>"$usage"
        previous="$total"
    fi
    sleep 0.5
    samples=$((samples + 1))
done
wait "$perf_pid"

echo "== self time, top functions ($data)"
perf report -i "$data" --no-children --stdio --percent-limit 0.7 -g none 2>/dev/null |
    grep -v '^#' | grep -v '^$'
echo
echo "== CPU use of the scan every 0.5 s ($usage)"
cat "$usage"
