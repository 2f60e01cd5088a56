#!/usr/bin/env bash
# Builds exportscan and the bare calamine reader, then runs the benchmark (bench/run.py) on a
# generated corpus. Options go to bench/run.py; `bench/run.sh --help` lists them.
#
# Needs: cargo, python3 (3.9 or later), GNU time at /usr/bin/time (Debian package `time`),
# xsv (`cargo install xsv --locked`) and ripgrep (`rg`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

for arg in "$@"; do
    if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
        exec python3 bench/run.py --help
    fi
done

missing=()
for tool in cargo python3 xsv rg /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
    echo "bench/run.sh: missing ${missing[*]}; install xsv with 'cargo install xsv --locked'," \
        "and ripgrep and GNU time from your system's packages" >&2
    exit 2
fi

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
cargo build --release --locked --bin exportscan --example calamine_read

exec python3 bench/run.py \
    --exportscan "$target_dir/release/exportscan" \
    --calamine-read "$target_dir/release/examples/calamine_read" \
    "$@"
