#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after another, and prints
# executions, coverage and crashes per target.
#
#   fuzz/run.sh SECONDS [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds come from
# fixtures/ and patterns/; the corpus grows in fuzz/corpus/TARGET, crashing inputs land in
# fuzz/artifacts/TARGET, and each run's libFuzzer output in fuzz/logs/TARGET.log.
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz_dir")
cd "$fuzz_dir"

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

seed() {
    local target=$1
    shift
    mkdir -p "corpus/$target"
    local file
    for file in "$@"; do
        [[ -f $file ]] && cp "$file" "corpus/$target/seed-$(basename "$file" | tr -c 'A-Za-z0-9._\n-' '_')"
    done
    return 0
}

seed_all() {
    shopt -s nullglob
    seed sniff "$root"/fixtures/cases/*/*.{csv,txt,xlsx,xls,sql,json}
    seed read_delimited "$root"/fixtures/cases/*/*.{csv,txt}
    seed header "$root"/fixtures/cases/*/*.{csv,txt}
    seed read_xlsx "$root"/fixtures/cases/*/*.xlsx
    seed read_xls "$root"/fixtures/cases/*/*.xls "$root"/fixtures/cases/case-12/*.xlsx
    seed read_schema "$root"/fixtures/cases/*/*.{sql,json}
    seed element_pack "$root"/patterns/elements/*.toml
    seed rule_pack "$root"/patterns/rules/*.toml
    mkdir -p corpus/validators corpus/read_ods
    local value
    for value in 11010519850312011X 110105850312011 6222021000000000017 91110000600000001X \
        LSVAU2180N2183294 13900000101 "+86 139-0000-0101" zs@example.com 1985-03-12 \
        "110105********0123" "1.10105E+17" "京A·12345" E12345678 C12345678 010-62345678; do
        printf '%s' "$value" > "corpus/validators/seed-$(printf '%s' "$value" | md5sum | cut -c1-12)"
    done
    if command -v python3 > /dev/null; then
        python3 - corpus/read_ods/seed-book.ods <<'PYTHON'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>name<text:s text:c="2"/>x</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3" office:value-type="float" office:value="13900000000"/></table:table-row><table:table-row table:number-rows-repeated="4"><table:table-cell table:number-columns-repeated="9"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
PYTHON
    fi
}

seed_all
mkdir -p logs
cargo +nightly fuzz build -O > logs/build.log 2>&1 || {
    echo "build failed; see fuzz/logs/build.log" >&2
    exit 1
}

printf '%-16s %10s %8s %8s %8s %8s\n' target execs exec/s cov features crashes
status=0
for target in "${targets[@]}"; do
    log="logs/$target.log"
    # -rss_limit_mb: an input that needs more memory than this is reported as a crash.
    # -timeout: an input that takes longer than this many seconds is reported too.
    if ! cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 \
        > "$log" 2>&1; then
        status=1
    fi
    execs=$(grep -oP 'stat::number_of_executed_units:\s*\K[0-9]+' "$log" | tail -1 || true)
    rate=$(grep -oP 'stat::average_exec_per_sec:\s*\K[0-9]+' "$log" | tail -1 || true)
    cov=$(grep -oP '\bcov: \K[0-9]+' "$log" | tail -1 || true)
    features=$(grep -oP '\bft: \K[0-9]+' "$log" | tail -1 || true)
    crashes=$(find "artifacts/$target" -type f 2> /dev/null | wc -l)
    printf '%-16s %10s %8s %8s %8s %8s\n' "$target" "${execs:--}" "${rate:--}" "${cov:--}" \
        "${features:--}" "$crashes"
done
exit $status
