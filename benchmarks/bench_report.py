"""Benchmark of `dedupe report` on a generated feed: its cost over `dedupe cluster`, page size and load time.

Usage: python benchmarks/bench_report.py [--docs 10000] [--seed 7]

Runs `dedupe cluster --format jsonl` and `dedupe report` on the same feed in
the same run (the report's extra cost is a ratio to the clustering it
includes), then opens the page in headless Chromium (when Playwright and
Chromium are installed) and times it until the cluster list is shown and a
cluster is opened. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_cluster import run  # noqa: E402
from benchmarks.feedgen import benchmark_feed  # noqa: E402


def page_seconds(path: Path) -> tuple[float, float] | None:
    """Seconds until the page shows its cluster list, and then until the largest cluster is open."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.locator("#clusters tbody tr").first.wait_for()
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        page.locator("#clusters tbody tr").first.click()
        page.locator("#members tbody tr").first.wait_for()
        opened = time.perf_counter() - start
        browser.close()
    return loaded, opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    _, feed = benchmark_feed(args.docs, args.seed)
    out = feed.parent
    cli = [sys.executable, "-m", "dedupe.cli"]
    cluster_s, cluster_mb, _ = run([*cli, "cluster", str(feed), "--format", "jsonl", "-q",
                                    "-o", str(out / "dedupe.jsonl")])
    report_s, report_mb, _ = run([*cli, "report", str(feed), "-q", "-o", str(out / "report.html")])
    size = (out / "report.html").stat().st_size / 1e6
    print(f"feed: {args.docs} documents, seed {args.seed}\n")
    print("| run | seconds | × cluster | peak RSS MB |")
    print("|---|---|---|---|")
    print(f"| dedupe cluster --format jsonl | {cluster_s:.1f} | 1.00 | {cluster_mb:.0f} |")
    print(f"| dedupe report | {report_s:.1f} | {report_s / cluster_s:.2f} | {report_mb:.0f} |")
    print(f"\nreport.html: {size:.1f} MB")
    timed = page_seconds(out / "report.html")
    if timed:
        print(f"Chromium: cluster list shown {timed[0]:.2f} s after opening; "
              f"largest cluster opened in {timed[1]:.2f} s")
    else:
        print("Chromium or Playwright not installed: page not timed")


if __name__ == "__main__":
    main()
