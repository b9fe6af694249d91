"""The naive streaming baseline: per record, query a datasketch MinHashLSH (0.5, raw 5-word shingles), then insert.

Usage: python benchmarks/baseline_filter.py FEED.jsonl[.gz] OUT.jsonl
Writes one {"id", "cluster"} line per document, in input order: a record whose
query finds anything joins the story of the first document found; otherwise
it starts its own.
"""

from __future__ import annotations

import gzip
import json
import sys

from datasketch import MinHash, MinHashLSH

from baseline import WORD


def main(feed: str, out: str) -> None:
    opener = gzip.open if feed.endswith(".gz") else open
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    story: dict[str, str] = {}
    with opener(feed, "rt", encoding="utf-8") as f, open(out, "w", encoding="utf-8") as sink:
        for line in f:
            r = json.loads(line)
            toks = WORD.findall(r["text"].lower())
            m = MinHash(num_perm=128)
            m.update_batch([" ".join(toks[i:i + 5]).encode() for i in range(max(1, len(toks) - 4))])
            found = sorted(lsh.query(m))
            story[r["id"]] = story[found[0]] if found else r["id"]
            lsh.insert(r["id"], m)
            sink.write(json.dumps({"id": r["id"], "cluster": story[r["id"]]}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
