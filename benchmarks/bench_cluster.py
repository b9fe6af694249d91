"""Benchmark of `dedupe cluster` against the naive baseline on a generated feed with known truth.

Usage: python benchmarks/bench_cluster.py [--docs 10000] [--seed 7] [--repeat 3]

Builds the feed (benchmarks/feedgen.py) into benchmarks/out/, runs each system
as its own subprocess in the same run (wall time, peak RSS from wait4), and
scores both with dedupe.evaluate: pairwise precision/recall/F1, adjusted
Rand index, and recall per kind of variant. With --repeat N the systems run
N times, alternating, and the fastest run of each counts (the machine is
shared and noisy). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
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


STAGE_LINE = re.compile(r"^(\w+): ([\d,]+)(?:/[\d,]+)? in ([\d.]+) s")


def run(cmd: list[str]) -> tuple[float, float, dict[str, float]]:
    """Run a command; return its seconds, peak RSS in MB (its largest process) and
    the seconds per stage it reported with ``--progress`` on stderr."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr}")
    stages = {m[1]: float(m[3]) for m in map(STAGE_LINE.match, re.split(r"[\r\n]", stderr)) if m}
    return elapsed, usage.ru_maxrss / 1024, stages


def labels(path: Path) -> dict[str, object]:
    with path.open(encoding="utf-8") as f:
        return {r["id"]: r["cluster"] for r in map(json.loads, f)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each system, alternating; fastest counts")
    args = parser.parse_args()
    feed, path = benchmark_feed(args.docs, args.seed)
    out = path.parent
    n = len(feed.records)
    systems = {
        "dedupe": [sys.executable, "-m", "dedupe.cli", "cluster", str(path), "--format", "jsonl", "--progress",
                   "-o", str(out / "dedupe.jsonl")],
        "baseline (MinHashLSH 0.5, raw 5-shingles, components)":
            [sys.executable, str(ROOT / "benchmarks" / "baseline.py"), str(path), str(out / "baseline.jsonl")],
    }
    by_kind = defaultdict(list)
    for id_, kind in feed.kind.items():
        by_kind[kind].append(id_)
    timings: dict[str, list[tuple[float, float, dict[str, float]]]] = defaultdict(list)
    for _ in range(max(1, args.repeat)):
        for name, cmd in systems.items():
            timings[name].append(run(cmd))
    rows = []
    stage_rows: tuple[dict[str, float], float] = ({}, 1.0)
    for name in systems:
        seconds, _, stages = min(timings[name], key=lambda t: t[0])
        rss = max(r for _, r, _ in timings[name])
        if stages:
            stage_rows = stages, seconds
        pred = labels(out / ("dedupe.jsonl" if name == "dedupe" else "baseline.jsonl"))
        s = pair_scores(feed.truth, pred)
        kinds = {k: recall_of(by_kind[k], feed.truth, pred) for k in KINDS if by_kind[k]}
        rows.append((name, s, n / seconds, rss, kinds))
    base_rate = rows[1][2]
    print(f"feed: {n} documents, {len(set(feed.truth.values()))} stories, seed {args.seed}, "
          f"fastest of {max(1, args.repeat)} run(s) each\n")
    print("| system | precision | recall | F1 | ARI | docs/s | × baseline | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, s, rate, rss, _ in rows:
        print(f"| {name} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | {s.adjusted_rand:.4f} "
              f"| {rate:.0f} | {rate / base_rate:.2f} | {rss:.0f} |")
    print("\nrecall by kind of document (pairs involving a document of that kind):\n")
    print("| system | " + " | ".join(k for k in KINDS if by_kind[k]) + " |")
    print("|---|" + "---|" * len([k for k in KINDS if by_kind[k]]))
    for name, _, _, _, kinds in rows:
        print(f"| {name} | " + " | ".join(f"{v:.4f}" for v in kinds.values()) + " |")
    stages, total = stage_rows
    print("\ndedupe's stages in its fastest run (the rest of the wall time: start-up, reading, output):\n")
    print("| stage | seconds | share of wall time |")
    print("|---|---|---|")
    for stage, secs in stages.items():
        print(f"| {stage} | {secs:.1f} | {secs / total:.0%} |")


if __name__ == "__main__":
    main()
