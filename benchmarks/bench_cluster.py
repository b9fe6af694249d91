"""Benchmark of `dedupe cluster` against the naive baseline on a generated feed with known truth.

Usage: python benchmarks/bench_cluster.py [--docs 10000[,100000,...]] [--seed 7] [--repeat 3]
           [--systems dedupe,jobs1,dask,baseline]

Builds the feed (benchmarks/feedgen.py) into benchmarks/out/, runs each system
as its own subprocess in the same run (wall time, peak RSS from wait4), and
scores both with dedupe.evaluate: pairwise precision/recall/F1, adjusted
Rand index, and recall per kind of variant; for dedupe, the seconds, rate
and memory of each stage. With --repeat N the systems run N times,
alternating, and the fastest run of each counts (the machine is shared and
noisy). With several sizes, a last table shows how time grows with N.
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.feedgen import KINDS, benchmark_feed  # noqa: E402
from dedupe.evaluate import pair_scores, recall_of  # noqa: E402


STAGE_LINE = re.compile(r"^(\w+): ([\d,]+)(?:/[\d,]+)? in ([\d.]+) s.*, memory ([\d,]+) MB \(peak ([\d,]+) MB\)$")


def run(cmd: list[str]) -> tuple[float, float, dict[str, tuple[float, float, float]]]:
    """Run a command; return its seconds, peak RSS in MB (its largest process) and, per
    stage it reported with ``--progress`` on stderr, its seconds, the memory of the main
    process at its end and the peak so far (MB)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr}")
    stages = {m[1]: (float(m[3]), _mb(m[4]), _mb(m[5]))
              for m in map(STAGE_LINE.match, re.split(r"[\r\n]", stderr)) if m}
    return elapsed, usage.ru_maxrss / 1024, stages


def _mb(figure: str) -> float:
    return float(figure.replace(",", ""))


def labels(path: Path) -> dict[str, object]:
    with path.open(encoding="utf-8") as f:
        return {r["id"]: r["cluster"] for r in map(json.loads, f)}


NAMES = {  # each system's key (--systems) and its name in the tables
    "dedupe": "dedupe (all cores)",
    "jobs1": "dedupe --jobs 1",
    "dask": "dedupe --engine dask (local cluster)",
    "baseline": "baseline (MinHashLSH 0.5, raw 5-shingles, components)",
}


def systems_for(path: Path, out: Path) -> dict[str, tuple[str, list[str]]]:
    """Each system's name in the tables, and its command (writing ``out / KEY.jsonl``)."""
    dedupe = [sys.executable, "-m", "dedupe.cli", "cluster", str(path), "--format", "jsonl", "--progress"]
    commands = {
        "dedupe": dedupe,
        "jobs1": [*dedupe, "--jobs", "1"],
        "dask": [*dedupe, "--engine", "dask"],
        "baseline": [sys.executable, str(ROOT / "benchmarks" / "baseline.py"), str(path)],
    }
    return {key: (NAMES[key], [*cmd, *(["-o"] if key != "baseline" else []), str(out / f"{key}.jsonl")])
            for key, cmd in commands.items()}


def measure(n_docs: int, seed: int, keys: list[str], repeat: int) -> dict[str, float]:
    """Build the feed, run the systems, print its tables; return each system's seconds."""
    feed, path = benchmark_feed(n_docs, seed)
    out = path.parent
    n = len(feed.records)
    systems = {k: v for k, v in systems_for(path, out).items() if k in keys}
    by_kind = defaultdict(list)
    for id_, kind in feed.kind.items():
        by_kind[kind].append(id_)
    timings: dict[str, list[tuple[float, float, dict[str, tuple[float, float, float]]]]] = defaultdict(list)
    for _ in range(max(1, repeat)):
        for key, (_, cmd) in systems.items():
            timings[key].append(run(cmd))
    rows = []
    for key, (name, _) in systems.items():
        seconds, _, stages = min(timings[key], key=lambda t: t[0])
        rss = max(r for _, r, _ in timings[key])
        pred = labels(out / f"{key}.jsonl")
        s = pair_scores(feed.truth, pred)
        kinds = {k: recall_of(by_kind[k], feed.truth, pred) for k in KINDS if by_kind[k]}
        rows.append((key, name, s, seconds, rss, kinds, stages))
    base_rate = next((n / seconds for key, _, _, seconds, *_ in rows if key == "baseline"), None)
    print(f"## feed: {n} documents, {len(set(feed.truth.values()))} stories, seed {seed}, "
          f"fastest of {max(1, repeat)} run(s) each\n")
    print("| system | precision | recall | F1 | ARI | docs/s | × baseline | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for _, name, s, seconds, rss, _, _ in rows:
        ratio = f"{n / seconds / base_rate:.2f}" if base_rate else "-"
        print(f"| {name} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | {s.adjusted_rand:.4f} "
              f"| {n / seconds:.0f} | {ratio} | {rss:.0f} |")
    print("\nrecall by kind of document (pairs involving a document of that kind):\n")
    print("| system | " + " | ".join(k for k in KINDS if by_kind[k]) + " |")
    print("|---|" + "---|" * len([k for k in KINDS if by_kind[k]]))
    for _, name, _, _, _, kinds, _ in rows:
        print(f"| {name} | " + " | ".join(f"{v:.4f}" for v in kinds.values()) + " |")
    for _, name, _, seconds, _, _, stages in rows:
        if not stages:
            continue
        print(f"\n{name}, stages in its fastest run (the rest of the wall time: start-up, output; read and "
              "clean overlap, records are cleaned as they are read); memory is the main process's at the "
              "stage's end, and the peak so far of it or of any worker:\n")
        print("| stage | seconds | share of wall time | docs/s | memory MB | peak MB |")
        print("|---|---|---|---|---|---|")
        for stage, (secs, resident, peak) in stages.items():
            print(f"| {stage} | {secs:.1f} | {secs / seconds:.0%} | {n / secs if secs else 0:,.0f} "
                  f"| {resident:,.0f} | {peak:,.0f} |")
    print()
    return {key: seconds for key, _, _, seconds, *_ in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="10000", help="feed size, or sizes separated by commas (e.g. 10000,100000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each system, alternating; fastest counts")
    parser.add_argument("--systems", default="dedupe,baseline",
                        help="comma-separated, of: dedupe (all cores), jobs1 (dedupe --jobs 1), "
                             "dask (dedupe --engine dask), baseline")
    args = parser.parse_args()
    keys = args.systems.split(",")
    unknown = set(keys) - set(NAMES)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    sizes = [int(x) for x in args.docs.split(",")]
    seconds = {n: measure(n, args.seed, keys, args.repeat) for n in sizes}
    if len(sizes) > 1:
        print("## growth with the feed's size: microseconds per document (and the exponent k in time ∝ N^k "
              "from the previous size; 1 is linear)\n")
        print("| system | " + " | ".join(f"{n:,}" for n in sizes) + " |")
        print("|---|" + "---|" * len(sizes))
        for key in keys:
            cells = []
            for k, n in enumerate(sizes):
                cell = f"{seconds[n][key] / n * 1e6:,.0f}"
                if k:
                    prev = sizes[k - 1]
                    cell += f" (k={math.log(seconds[n][key] / seconds[prev][key]) / math.log(n / prev):.2f})"
                cells.append(cell)
            print(f"| {NAMES[key]} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
