"""Benchmark of `dedupe filter` on a generated feed: speed and index size per backend, agreement with cluster.

Usage: python benchmarks/bench_filter.py [--docs 10000] [--seed 7] [--redis URL]

Builds the feed (benchmarks/feedgen.py), then, in one run, each as its own
subprocess: `dedupe cluster` (the batch answer), `dedupe filter` with the
index in memory, in a new SQLite file and in Redis (a redis-server started on
127.0.0.1 unless --redis is given), and the naive streaming baseline
(benchmarks/baseline_filter.py). Reports documents per second (and the ratio
to the baseline), peak RSS, the index's size, pairwise precision/recall/F1
against the truth, and how the filter's decisions differ from cluster's in
arrival order: a document is "new" for cluster when it is the first of its
cluster in the feed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_cluster import labels, run  # noqa: E402
from benchmarks.feedgen import benchmark_feed  # noqa: E402
from dedupe.evaluate import pair_scores  # noqa: E402


def filter_labels(new: Path, duplicates: Path) -> dict[str, object]:
    """Each document's story under the filter: itself when new, else its duplicate_of."""
    found: dict[str, object] = {}
    with new.open(encoding="utf-8") as f:
        for row in map(json.loads, f):
            found[row["id"]] = row["id"]
    with duplicates.open(encoding="utf-8") as f:
        for row in map(json.loads, f):
            found[row["id"]] = row["duplicate_of"]
    return found


def first_of_cluster(order: list[str], clusters: dict[str, object]) -> set[str]:
    """The ids that come first of their cluster in arrival order."""
    seen: set[object] = set()
    first = set()
    for id_ in order:
        if clusters[id_] not in seen:
            seen.add(clusters[id_])
            first.add(id_)
    return first


def start_redis(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server not found: install it (apt install redis-server) or pass --redis URL")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}/0", server


def redis_size(url: str) -> tuple[float, float]:
    """Redis's memory for the data set and the size of its snapshot on disk, in MB."""
    import redis

    client = redis.Redis.from_url(url)
    memory = client.info("memory")["used_memory_dataset"] / 1e6
    client.save()
    folder = Path(client.config_get("dir")["dir"])
    return memory, (folder / client.config_get("dbfilename")["dbfilename"]).stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--redis", help="use this Redis (its database is emptied) instead of starting one")
    args = parser.parse_args()
    feed, path = benchmark_feed(args.docs, args.seed)
    out = path.parent
    order = [r["id"] for r in feed.records]
    n = len(order)

    server = None
    redis_url = args.redis
    if redis_url is None:
        (out / "redis").mkdir(exist_ok=True)
        redis_url, server = start_redis(out / "redis")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    db = out / "filter.db"
    for stale in out.glob("filter.db*"):
        stale.unlink()
    dedupe = [sys.executable, "-m", "dedupe.cli"]
    runs = {
        "cluster (batch, all cores)": (dedupe + ["cluster", str(path), "--format", "jsonl", "-q",
                                                  "-o", str(out / "cluster.jsonl")]),
        "baseline (MinHashLSH query+insert)": [sys.executable, str(ROOT / "benchmarks" / "baseline_filter.py"),
                                               str(path), str(out / "baseline-filter.jsonl")],
    }
    for backend, location in (("memory", None), ("SQLite", str(db)), ("Redis", redis_url)):
        runs[f"filter, {backend} index"] = dedupe + [
            "filter", str(path), "-q", "-o", str(out / f"new-{backend}.jsonl"),
            "--duplicates", str(out / f"dups-{backend}.jsonl"), *(["--index", location] if location else [])]
    timings = {name: run(cmd)[:2] for name, cmd in runs.items()}
    sizes = {"SQLite": f"{sum(p.stat().st_size for p in out.glob('filter.db*')) / 1e6:.1f} MB file"}
    memory, snapshot = redis_size(redis_url)
    sizes["Redis"] = f"{memory:.1f} MB in memory, {snapshot:.1f} MB snapshot"
    if server is not None:
        server.terminate()

    clusters = labels(out / "cluster.jsonl")
    cluster_new = first_of_cluster(order, clusters)
    base_rate = n / timings["baseline (MinHashLSH query+insert)"][0]
    print(f"feed: {n} documents, {len(set(feed.truth.values()))} stories, seed {args.seed}; "
          f"cluster finds {len(set(clusters.values()))} clusters\n")
    print("| run | docs/s | × baseline | peak RSS MB | index size | P | R | F1 | decisions ≠ cluster |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (seconds, rss) in timings.items():
        if name.startswith("cluster"):
            pred = clusters
        elif name.startswith("baseline"):
            pred = labels(out / "baseline-filter.jsonl")
        else:
            backend = name.split(", ")[1].split()[0]
            pred = filter_labels(out / f"new-{backend}.jsonl", out / f"dups-{backend}.jsonl")
        s = pair_scores(feed.truth, pred)
        differ = len(first_of_cluster(order, pred) ^ cluster_new)
        size = next((v for k, v in sizes.items() if k in name), "")
        print(f"| {name} | {n / seconds:.0f} | {n / seconds / base_rate:.2f} | {rss:.0f} | {size} "
              f"| {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | {differ} ({differ / n:.2%}) |")


if __name__ == "__main__":
    main()
