"""The naive baseline: datasketch MinHash on raw 5-word shingles, MinHashLSH at 0.5, connected components.

Usage: python benchmarks/baseline.py FEED.jsonl[.gz] OUT.jsonl
Writes one {"id", "cluster"} line per document, in input order.
"""

from __future__ import annotations

import gzip
import json
import re
import sys

from datasketch import MinHash, MinHashLSH

WORD = re.compile(r"\w+")


def main(feed: str, out: str) -> None:
    opener = gzip.open if feed.endswith(".gz") else open
    with opener(feed, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    sketches = []
    for r in records:
        toks = WORD.findall(r["text"].lower())
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(toks[i:i + 5]).encode() for i in range(max(1, len(toks) - 4))])
        lsh.insert(r["id"], m)
        sketches.append(m)
    parent = {r["id"]: r["id"] for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, m in zip(records, sketches):
        for other in lsh.query(m):
            parent[find(other)] = find(r["id"])
    with open(out, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps({"id": r["id"], "cluster": find(r["id"])}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
