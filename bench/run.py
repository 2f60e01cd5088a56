#!/usr/bin/env python3
"""Time exportscan and reference tools on one generated corpus and records the figures.

bench/run.sh builds the binaries and calls this script. The script generates the corpus with
`exportscan generate`, unless the corpus for the same seed and sizes exists. It reads every
file once so the page cache is warm, then runs each command N times and keeps the fastest
run. The figures go to a JSON file and to the marked section of BENCHMARKS.md.

Each run records the CPU time that other processes used while it ran (from /proc/stat). A run
during which they used more than --max-other-cores is rerun, up to --retries extra runs.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "BENCHMARKS.md"
DOC_BEGIN = "<!-- bench/run.sh results: begin -->"
DOC_END = "<!-- bench/run.sh results: end -->"

MB = 1_000_000
MIB = 1024 * 1024
AS_OF = "2025-07-01"

# Resident ID (6-digit region, birth date from 1800, 3-digit sequence, check character) and
# mainland mobile number, both bounded by ASCII word boundaries: the shapes exportscan
# validates, without the checks it adds.
ID_PATTERN = (
    r"(?-u:\b)[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?-u:\b)"
)
MOBILE_PATTERN = r"(?-u:\b)1[3-9][0-9]{9}(?-u:\b)"

PYTHON_CSV = REPO / "bench" / "csv_rows.py"


@dataclass(frozen=True)
class CorpusSpec:
    name: str
    layout: str
    rows: int
    people: int
    # Free disk space needed per generated row, in bytes (the bench-csv rows average 216).
    bytes_per_row: int = 250


CORPORA = {
    "csv": CorpusSpec("csv", "bench-csv", 4_600_000, 1_000_000),
    "xlsx": CorpusSpec("xlsx", "bench-xlsx", 1_750_000, 400_000),
    "mixed": CorpusSpec("mixed", "mixed", 1_000_000, 200_000),
    # The generator draws each row's person from the master list with replacement, so
    # 20 million rows of 14 million people cover about 14e6 * (1 - e^(-20/14)) = 10.6
    # million distinct people. 12 million rows of 10 million people cover only 7.0 million.
    "csv-10m": CorpusSpec("csv-10m", "bench-csv", 20_000_000, 14_000_000),
}


def parse_args():
    parser = argparse.ArgumentParser(
        description="Benchmark exportscan against xsv, ripgrep, calamine and Python's csv "
        "module on a generated corpus.",
    )
    parser.add_argument("--exportscan", required=True, type=Path, help="exportscan binary")
    parser.add_argument(
        "--calamine-read", required=True, type=Path, help="examples/calamine_read binary"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("BENCH_DIR", "/tmp/exportscan-bench")),
        help="directory for the corpus and scratch output, outside the repository "
        "(default $BENCH_DIR or /tmp/exportscan-bench)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command (default 3)")
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        help="extra runs allowed per command to replace disturbed runs (default 3)",
    )
    parser.add_argument(
        "--max-other-cores",
        type=float,
        default=0.3,
        help="CPU used by other processes during a run, in cores, above which the run counts "
        "as disturbed (default 0.3)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=120,
        help="seconds to wait before a run for other processes to go quiet (default 120)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply every corpus's rows and people by this factor, e.g. 0.01 to check "
        "the script quickly (default 1); the targets refer to scale 1",
    )
    parser.add_argument(
        "--only",
        default="csv,xlsx,mixed",
        help="comma-separated corpora to measure among csv, xlsx, mixed (default all three)",
    )
    parser.add_argument(
        "--ten-million",
        action="store_true",
        help="also generate a CSV of 20 million rows covering about 10.6 million people "
        "(about 4.3 GB) and measure the peak memory of its scan; takes several minutes",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="JSON file for the figures (default bench/results/DATE.json, or a file under "
        "--dir with --no-doc)",
    )
    parser.add_argument(
        "--no-doc", action="store_true", help="leave BENCHMARKS.md unchanged"
    )
    args = parser.parse_args()
    if args.runs < 1 or args.retries < 0:
        parser.error("--runs must be at least 1 and --retries at least 0")
    if not 0 < args.scale <= 1:
        parser.error("--scale must be greater than 0 and at most 1")
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in ("csv", "xlsx", "mixed")]
    if unknown:
        parser.error(f"--only: unknown corpus {', '.join(unknown)}; use csv, xlsx or mixed")
    args.only = names
    for binary in (args.exportscan, args.calamine_read):
        if not os.access(binary, os.X_OK):
            parser.error(f"{binary}: not an executable file; build it with bench/run.sh")
    return args


# --- machine state -------------------------------------------------------------------------


def cpu_seconds():
    """Return (busy, steal) CPU seconds summed over all cores since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    busy = user + nice + system + irq + softirq
    return busy / ticks, steal / ticks


def load_average():
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def other_cores(seconds=1.0):
    """Return the cores that other processes keep busy, sampled over `seconds`."""
    busy_before, steal_before = cpu_seconds()
    time.sleep(seconds)
    busy_after, steal_after = cpu_seconds()
    return (busy_after - busy_before + steal_after - steal_before) / seconds


def wait_until_quiet(limit, settle):
    """Wait up to `settle` seconds for other processes to use at most `limit` cores."""
    deadline = time.monotonic() + settle
    busy = other_cores()
    while busy > limit and time.monotonic() < deadline:
        time.sleep(4)
        busy = other_cores()
    return busy


def machine_info():
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
    }


def command_output(argv):
    try:
        result = subprocess.run(argv, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip().splitlines()[0] if result.stdout.strip() else "unknown"


def versions(args):
    return {
        "exportscan": command_output([str(args.exportscan), "--version"]),
        "rustc": command_output(["rustc", "--version"]),
        "xsv": "xsv " + command_output(["xsv", "--version"]),
        "ripgrep": command_output(["rg", "--version"]),
        "python": "Python " + platform.python_version(),
        "calamine": calamine_version(),
    }


def calamine_version():
    """Return the calamine version that Cargo.lock pins."""
    lock = (REPO / "Cargo.lock").read_text()
    found = re.search(r'name = "calamine"\nversion = "([^"]+)"', lock)
    return f"calamine {found.group(1)}" if found else "calamine unknown"


def git_state():
    commit = command_output(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"])
    status = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout
    return {"commit": commit, "dirty": bool(status.strip())}


# --- corpus ----------------------------------------------------------------------------------


def scaled(spec, scale):
    return CorpusSpec(
        spec.name,
        spec.layout,
        max(1, round(spec.rows * scale)),
        max(1, round(spec.people * scale)),
        spec.bytes_per_row,
    )


def ensure_corpus(args, spec):
    """Generate the corpus unless a complete one for the same parameters exists."""
    params = {
        "layout": spec.layout,
        "seed": args.seed,
        "rows": spec.rows,
        "people": spec.people,
        "as_of": AS_OF,
    }
    root = args.dir / "corpus" / f"{spec.name}-seed{args.seed}-rows{spec.rows}-people{spec.people}"
    stamp = root / "params.json"
    export = root / "export"
    truth = root / "truth.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == params:
        print(f"corpus {spec.name}: reusing {root}", flush=True)
    else:
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        needed = spec.rows * spec.bytes_per_row
        free = shutil.disk_usage(root).free
        if free < needed:
            sys.exit(
                f"bench/run.py: {root}: {free / 1e9:.1f} GB free, the {spec.name} corpus needs "
                f"about {needed / 1e9:.1f} GB; free space or set --dir / BENCH_DIR elsewhere"
            )
        print(f"corpus {spec.name}: generating {spec.rows:,} rows into {root}", flush=True)
        subprocess.run(
            [
                str(args.exportscan),
                "generate",
                "--layout", spec.layout,
                "--seed", str(args.seed),
                "--rows", str(spec.rows),
                "--people", str(spec.people),
                "--as-of", AS_OF,
                "--out", str(export),
                "--truth", str(truth),
            ],
            check=True,
        )
        stamp.write_text(json.dumps(params, indent=2) + "\n")
    files = sorted(path for path in export.rglob("*") if path.is_file())
    return {
        "name": spec.name,
        "params": params,
        "root": root,
        "export": export,
        "truth": json.loads(truth.read_text())["individuals"],
        "files": files,
        "bytes": sum(path.stat().st_size for path in files),
    }


def warm_page_cache(corpus):
    """Read every file of the corpus once so that timed runs read from memory."""
    buffer = bytearray(8 * MIB)
    for path in corpus["files"]:
        with open(path, "rb", buffering=0) as file:
            while file.readinto(buffer):
                pass


# --- timing ----------------------------------------------------------------------------------


def run_once(argv, scratch):
    """Run `argv` once and return its wall time, CPU time, peak RSS and disturbance."""
    stdout_path = scratch / "stdout"
    stderr_path = scratch / "stderr"
    rss_path = scratch / "max_rss_kib"
    # GNU time reports the peak RSS of the command alone. The rusage of a child forked from
    # this script would include the pages it shared with the Python process before exec.
    timed = ["/usr/bin/time", "--format", "%M", "--output", str(rss_path), *argv]
    busy_before, steal_before = cpu_seconds()
    start = time.perf_counter()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        # A session of its own lets an interrupted benchmark end the command it started.
        process = subprocess.Popen(timed, stdout=out, stderr=err, start_new_session=True)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
    wall = time.perf_counter() - start
    busy_after, steal_after = cpu_seconds()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(
            f"bench/run.py: {shlex.join(argv)} exited with {process.returncode}:\n"
            + stderr_path.read_text(errors="replace")[-2000:]
        )
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, busy_after - busy_before - cpu) + (steal_after - steal_before)
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "max_rss_bytes": int(rss_path.read_text().split()[-1]) * 1024,
        "other_cores": others / wall,
        "stdout": stdout_path.read_text(errors="replace"),
    }


def measure(args, scratch, label, argv, input_bytes, runs):
    """Run a command until `runs` undisturbed runs (or all retries) are done."""
    print(f"  {label}: {shlex.join(argv)}", flush=True)
    good, disturbed = [], []
    attempts = 0
    while len(good) < runs and attempts < runs + args.retries:
        attempts += 1
        quiet = wait_until_quiet(args.max_other_cores, args.settle)
        result = run_once(argv, scratch)
        result["load_before"] = load_average()
        result["other_cores_before"] = round(quiet, 2)
        ok = result["other_cores"] <= args.max_other_cores
        (good if ok else disturbed).append(result)
        note = "" if ok else f"  disturbed: other processes used {result['other_cores']:.2f} cores"
        print(
            f"    {result['wall_s']:8.2f} s  {result['max_rss_bytes'] / MIB:8.1f} MiB  "
            f"load {result['load_before']}{note}",
            flush=True,
        )
    selected = good if len(good) >= runs else good + disturbed
    walls = sorted(run["wall_s"] for run in selected)
    best = min(selected, key=lambda run: run["wall_s"])
    return {
        "label": label,
        "command": argv,
        "input_bytes": input_bytes,
        "runs": len(selected),
        "wall_best_s": round(walls[0], 3),
        "wall_median_s": round(statistics.median(walls), 3),
        "walls_s": [round(wall, 3) for wall in walls],
        "mb_per_s": round(input_bytes / walls[0] / MB, 1),
        "cpu_best_s": round(best["cpu_s"], 2),
        "peak_rss_bytes": max(run["max_rss_bytes"] for run in selected),
        "other_cores_max": round(max(run["other_cores"] for run in selected), 2),
        "load": [run["load_before"] for run in selected],
        "disturbed": len(good) < runs,
        "stdout": best["stdout"],
    }


def scan_argv(args, threads, path):
    return [
        str(args.exportscan),
        "scan",
        "--threads", str(threads),
        "--as-of", AS_OF,
        "--date", AS_OF,
        "--format", "json",
        str(path),
    ]


def check_scan(measurement, truth):
    """Compare a scan's distinct-people counts with the generator's ground truth."""
    try:
        report = json.loads(measurement.pop("stdout"))
    except json.JSONDecodeError:
        measurement["check"] = "report is not JSON"
        return
    found = report.get("individuals", {})
    differences = [
        f"{key} {found.get(key)} (truth {truth[key]})"
        for key in ("total", "sensitive", "minors_under_14")
        if found.get(key) != truth[key]
    ]
    if not report.get("complete", False):
        differences.append("scan incomplete")
    measurement["people"] = found.get("total")
    measurement["check"] = "matches ground truth" if not differences else "; ".join(differences)


def check_count(measurement, expected, what):
    output = measurement.pop("stdout").strip()
    try:
        value = int(output.split()[0])
    except (IndexError, ValueError):
        measurement["check"] = f"unexpected output {output[:80]!r}"
        return
    measurement["check"] = (
        f"{value:,} {what}" if expected is None or value == expected
        else f"{value:,} {what}, expected {expected:,}"
    )


def measure_csv(args, scratch, corpus):
    path = corpus["files"][0]
    size = corpus["bytes"]
    rows = corpus["params"]["rows"]
    results = []
    for threads in (2, 1):
        result = measure(
            args, scratch, f"exportscan --threads {threads}", scan_argv(args, threads, path),
            size, args.runs,
        )
        check_scan(result, corpus["truth"])
        results.append(result)
    result = measure(args, scratch, "xsv count", ["xsv", "count", str(path)], size, args.runs)
    check_count(result, rows, "records")
    results.append(result)
    rg = ["rg", "-c", "-e", ID_PATTERN, "-e", MOBILE_PATTERN, str(path)]
    result = measure(args, scratch, "rg -c (ID, mobile)", rg, size, args.runs)
    check_count(result, None, "matching lines")
    results.append(result)
    python = [sys.executable, str(PYTHON_CSV), str(path)]
    result = measure(args, scratch, "python3 csv.reader", python, size, args.runs)
    check_count(result, rows + 1, "rows with the header")
    results.append(result)
    return results


def measure_xlsx(args, scratch, corpus):
    path = corpus["files"][0]
    size = corpus["bytes"]
    results = []
    for threads in (2, 1):
        result = measure(
            args, scratch, f"exportscan --threads {threads}", scan_argv(args, threads, path),
            size, args.runs,
        )
        check_scan(result, corpus["truth"])
        results.append(result)
    result = measure(
        args, scratch, "calamine read", [str(args.calamine_read), str(path)], size, args.runs
    )
    result["check"] = result.pop("stdout").strip()
    results.append(result)
    return results


def measure_mixed(args, scratch, corpus):
    results = []
    for threads in (2, 1):
        result = measure(
            args, scratch, f"exportscan --threads {threads}",
            scan_argv(args, threads, corpus["export"]), corpus["bytes"], args.runs,
        )
        check_scan(result, corpus["truth"])
        results.append(result)
    return results


def measure_ten_million(args, scratch, corpus):
    path = corpus["files"][0]
    result = measure(
        args, scratch, "exportscan --threads 2", scan_argv(args, 2, path), corpus["bytes"], 1
    )
    check_scan(result, corpus["truth"])
    return [result]


# --- targets and report ----------------------------------------------------------------------


def find(results, corpus, label):
    for result in results.get(corpus, []):
        if result["label"] == label:
            return result
    return None


def targets(results):
    """Check the measured figures against the performance targets."""
    checks = []

    def add(name, limit, measured, met):
        checks.append({"target": name, "limit": limit, "measured": measured, "met": met})

    scan2 = find(results, "csv", "exportscan --threads 2")
    scan1 = find(results, "csv", "exportscan --threads 1")
    xsv = find(results, "csv", "xsv count")
    if scan2 and xsv:
        ratio = scan2["wall_best_s"] / xsv["wall_best_s"]
        add("1 GB CSV scan vs xsv count", "≤ 2.0×", f"{ratio:.2f}×", ratio <= 2.0)
    if scan2:
        rss = scan2["peak_rss_bytes"]
        add("1 GB CSV scan peak RSS", "< 400 MB", f"{rss / MB:.0f} MB", rss < 400 * MB)
    if scan1 and scan2:
        speedup = scan1["wall_best_s"] / scan2["wall_best_s"]
        add("1 GB CSV scan, 2 threads vs 1", "≥ 1.6×", f"{speedup:.2f}×", speedup >= 1.6)
    xlsx2 = find(results, "xlsx", "exportscan --threads 2")
    calamine = find(results, "xlsx", "calamine read")
    if xlsx2 and calamine:
        ratio = xlsx2["wall_best_s"] / calamine["wall_best_s"]
        add("200 MB xlsx scan vs calamine read", "≤ 1.3×", f"{ratio:.2f}×", ratio <= 1.3)
    big = find(results, "csv-10m", "exportscan --threads 2")
    if big:
        rss = big["peak_rss_bytes"]
        people = big.get("people") or 0
        add(
            "10 million distinct people, peak RSS",
            "< 2 GiB, at least 10,000,000 people",
            f"{rss / MIB:,.0f} MiB for {people:,} people",
            rss < 2 * 1024 * MIB and people >= 10_000_000,
        )
    return checks


def display_command(argv, paths):
    """Return the command with corpus paths replaced by their short names."""
    words = []
    for word in argv:
        for name, path in paths.items():
            word = word.replace(str(path), name)
        if word == sys.executable:
            word = "python3"
        word = word.replace(str(REPO) + "/", "")
        words.append(word)
    return shlex.join(words)


def markdown(record, paths):
    """Render the figures of one run as the Markdown that goes into BENCHMARKS.md."""
    sections = [
        summary_lines(record),
        figures_table(record),
        targets_table(record),
        load_lines(record),
        command_lines(record, paths),
        [f"Versions: {', '.join(record['versions'].values())}."],
    ]
    return "\n\n".join("\n".join(section) for section in sections if section)


def summary_lines(record):
    machine = record["machine"]
    git = record["git"]
    local_changes = " with local changes" if git["dirty"] else ""
    lines = [
        f"Run of {record['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB, Linux {machine['kernel']}. exportscan commit "
        f"`{git['commit']}`{local_changes}, {record['settings']['runs']} timed runs per "
        f"command, page cache warm, best run shown. Raw figures: `{record['results_file']}`."
    ]
    if record["settings"]["scale"] != 1:
        lines.append("")
        lines.append(
            f"Scale {record['settings']['scale']}: the corpus is smaller than the targets assume."
        )
    return lines


def figures_table(record):
    lines = [
        "| corpus | command | best (s) | median (s) | MB/s | peak RSS (MiB) | CPU (s) "
        "| vs xsv count | output |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for corpus_name, results in record["results"].items():
        corpus = record["corpus"][corpus_name]
        xsv = find(record["results"], corpus_name, "xsv count")
        for result in results:
            ratio = ""
            if xsv:
                ratio = f"{result['wall_best_s'] / xsv['wall_best_s']:.2f}×"
            flag = " (disturbed)" if result["disturbed"] else ""
            lines.append(
                f"| {corpus_name} ({corpus['bytes'] / MB:,.0f} MB) | {result['label']}{flag} "
                f"| {result['wall_best_s']:.2f} | {result['wall_median_s']:.2f} "
                f"| {result['mb_per_s']:,.1f} | {result['peak_rss_bytes'] / MIB:,.0f} "
                f"| {result['cpu_best_s']:.1f} | {ratio} | {result.get('check', '')} |"
            )
    return lines


def targets_table(record):
    if not record["targets"]:
        return []
    lines = ["| target | limit | measured | met |", "|---|---|---|---|"]
    for check in record["targets"]:
        met = "yes" if check["met"] else "**no**"
        lines.append(f"| {check['target']} | {check['limit']} | {check['measured']} | {met} |")
    return lines


def load_lines(record):
    lines = ["Load average (1, 5, 15 min) before each timed run:", ""]
    for corpus_name, results in record["results"].items():
        for result in results:
            loads = "; ".join(result["load"])
            lines.append(
                f"- {corpus_name}, {result['label']}: {loads} (other processes used at most "
                f"{result['other_cores_max']:.2f} cores during a selected run)"
            )
    return lines


def command_lines(record, paths):
    lines = ["Commands (corpus paths shortened):", "", "```"]
    for name, path in paths.items():
        lines.append(f"{name}={path}")
    for results in record["results"].values():
        for result in results:
            lines.append(display_command(result["command"], paths))
    lines.append("```")
    return lines


def update_doc(text):
    doc = DOC.read_text()
    begin = doc.find(DOC_BEGIN)
    end = doc.find(DOC_END)
    if begin < 0 or end < begin:
        sys.exit(f"bench/run.py: {DOC}: markers {DOC_BEGIN!r} and {DOC_END!r} not found")
    updated = doc[: begin + len(DOC_BEGIN)] + "\n" + text + "\n" + doc[end:]
    DOC.write_text(updated)


def stop_on_sigterm(signum, frame):
    raise SystemExit(f"bench/run.py: stopped by signal {signum}")


def main():
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    args = parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.dir.resolve().is_relative_to(REPO):
        sys.exit(f"bench/run.py: --dir {args.dir} lies inside the repository; choose another")
    started = datetime.datetime.now(datetime.timezone.utc)
    names = list(args.only) + (["csv-10m"] if args.ten_million else [])
    corpora = {name: ensure_corpus(args, scaled(CORPORA[name], args.scale)) for name in names}

    measure_corpus = {
        "csv": measure_csv,
        "xlsx": measure_xlsx,
        "mixed": measure_mixed,
        "csv-10m": measure_ten_million,
    }
    results = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch_dir:
        scratch = Path(scratch_dir)
        for name, corpus in corpora.items():
            print(f"{name}: {corpus['bytes'] / MB:,.0f} MB in {len(corpus['files'])} files",
                  flush=True)
            warm_page_cache(corpus)
            results[name] = measure_corpus[name](args, scratch, corpus)

    stamp = started.strftime("%Y-%m-%dT%H%M%SZ")
    if args.results:
        results_file = args.results
    elif args.no_doc:
        results_file = args.dir / "results" / f"{stamp}.json"
    else:
        results_file = REPO / "bench" / "results" / f"{stamp}.json"
    results_file.parent.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, corpus in corpora.items():
        key = name.upper().replace("-", "_")
        paths[key] = corpus["files"][0] if name != "mixed" else corpus["export"]
    record = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "git": git_state(),
        "versions": versions(args),
        "settings": {
            "runs": args.runs,
            "retries": args.retries,
            "max_other_cores": args.max_other_cores,
            "seed": args.seed,
            "scale": args.scale,
            "as_of": AS_OF,
        },
        "corpus": {
            name: {
                "params": corpus["params"],
                "path": str(paths[name.upper().replace("-", "_")]),
                "bytes": corpus["bytes"],
                "files": len(corpus["files"]),
                "truth": corpus["truth"],
            }
            for name, corpus in corpora.items()
        },
        "results": results,
        "targets": targets(results),
        "results_file": str(
            results_file.relative_to(REPO) if results_file.is_relative_to(REPO) else results_file
        ),
    }
    results_file.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    text = markdown(record, paths)
    print()
    print(text)
    if not args.no_doc:
        update_doc(text)
        print(f"\nwrote {results_file} and updated {DOC}")
    else:
        print(f"\nwrote {results_file}")


if __name__ == "__main__":
    main()
