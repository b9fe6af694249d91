"""Output formats: ``dedupe cluster``'s table (people), json (one object) and jsonl (one line a
document); the texts and pages of ``compare`` and ``eval``.

The field names are an interface (documented in the README and tested):

jsonl, one object per input document, in input order::

    {"id", "cluster", "representative": bool, "representative_id",
     "cluster_size", "similarity", "relation", "match",
     "title"?, "url"?, "source"?, "published"?, "warning"?, "evidence"?, ...extra}

``relation`` is ``exact``, ``near-duplicate`` (also for rewrites, see
``match``), ``contained`` or ``unique``; ``match`` is the finer verdict of
the verifier (``exact``, ``near-duplicate``, ``contained``, ``rewrite``), or
``indirect`` (joined through other members of the cluster), ``representative``
or ``unique``.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from typing import IO, Any

import click

from .compare import Comparison
from .document import Document
from .evaluate import Evaluation
from .pipeline import Result
from .normalize import normalize
from .verify import Evidence

_RELATION = {"exact": "exact", "near-duplicate": "near-duplicate", "rewrite": "near-duplicate",
             "contained": "contained"}


def document_rows(result: Result, *, with_evidence: bool = False) -> list[dict[str, Any]]:
    """One dict per input document, in input order (the jsonl records)."""
    rows = []
    for doc in result.documents:
        c = result.clusters[result.labels[doc.index]]
        rep = result.documents[c.representative]
        ev = result.evidence[doc.index]
        row: dict[str, Any] = {
            "id": doc.record.id,
            "cluster": c.id,
            "representative": doc.index == c.representative,
            "representative_id": rep.record.id,
            "cluster_size": len(c.members),
        }
        if ev is not None and ev.same_story:
            row.update(similarity=round(ev.similarity, 4), relation=_RELATION[ev.relation], match=ev.relation)
        elif ev is not None:  # joined through other members, not directly like the representative
            row.update(similarity=round(ev.similarity, 4), relation="near-duplicate", match="indirect")
        elif len(c.members) > 1:
            # The closest member that is one story with it directly; members joined only through
            # others (a truncated copy of the other version of a rewrite) make it a near-duplicate.
            direct = [e for e in (result.evidence[m] for m in c.members[1:]) if e is not None and e.same_story]
            relation = _RELATION[max(direct, key=lambda e: e.similarity).relation] if direct else "near-duplicate"
            row.update(similarity=1.0, relation=relation, match="representative")
        else:
            row.update(similarity=1.0, relation="unique", match="unique")
        row.update(metadata_fields(doc))
        if with_evidence and ev is not None:
            row["evidence"] = evidence_dict(result, ev)
        rows.append(row)
    return rows


def metadata_fields(doc: Document) -> dict[str, Any]:
    """The record's metadata, its warning and its other JSON fields, for JSON outputs."""
    meta: dict[str, Any] = doc.record.metadata()
    if doc.warning:
        meta["warning"] = doc.warning
    for k, v in doc.record.extra.items():
        meta.setdefault(k, v)
    return meta


def evidence_dict(result: Result, ev: Evidence) -> dict[str, Any]:
    """Evidence with document ids in place of indices."""
    d = ev.to_dict()
    d["a"], d["b"] = result.documents[ev.a].record.id, result.documents[ev.b].record.id
    return d


def jsonl_line(row: dict[str, Any]) -> str:
    """One row of the jsonl format, with its newline."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def to_jsonl(result: Result, *, with_evidence: bool = False) -> str:
    """The jsonl format: one line per input document, in input order."""
    return "".join(map(jsonl_line, document_rows(result, with_evidence=with_evidence)))


def write_jsonl(result: Result, output: IO[str], *, with_evidence: bool = False) -> None:
    """Write the jsonl format a line at a time (the output of a large input does not fit one string)."""
    for row in document_rows(result, with_evidence=with_evidence):
        output.write(jsonl_line(row))


def to_json(result: Result, *, with_evidence: bool = True) -> str:
    """The json format: parameters, counts, clusters with members and pairwise evidence."""
    rows = document_rows(result, with_evidence=False)
    clusters = []
    for c in result.clusters:
        ids = set(c.members)
        clusters.append({
            "id": c.id,
            "size": len(c.members),
            "representative": result.documents[c.representative].record.id,
            "members": [rows[m] for m in c.members],
            "evidence": [evidence_dict(result, e) for e in result.pairs if e.a in ids and e.b in ids]
            if with_evidence else [],
        })
    payload = {
        "parameters": result.params.to_dict(),
        "stats": result.stats,
        "clusters": clusters,
        "warnings": [d.warning for d in result.documents if d.warning],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def to_table(result: Result, *, width: int = 100) -> str:
    """The table format: one block per cluster, stories with copies first."""
    out = []
    for c in result.clusters:
        label = "story" if len(c.members) > 1 else "unique"
        out.append(f"cluster {c.id} · {label} · {len(c.members)} document{'s' * (len(c.members) > 1)}")
        for m in c.members:
            doc = result.documents[m]
            ev = result.evidence[m]
            if m == c.representative:
                tag, score = "representative", ""
            else:
                assert ev is not None
                tag, score = ev.relation, f"{ev.similarity:.2f}"
            prefix = f"  {'*' if m == c.representative else ' '} {doc.record.id}  {tag:<15}{score:>5}  "
            title = _headline(doc)
            room = max(10, width - len(prefix))
            out.append(prefix + (title if len(title) <= room else title[: room - 1] + "…"))
            if doc.warning:
                out.append(f"      warning: {doc.warning}")
        out.append("")
    multi = sum(1 for c in result.clusters if len(c.members) > 1)
    out.append(f"{len(result.documents)} documents, {len(result.clusters)} clusters "
               f"({multi} with more than one document), representative marked *; "
               f"representative = longest clean text, then earliest published, then input order")
    return "\n".join(out) + "\n"


def _headline(doc: Document) -> str:
    if doc.record.title:
        return doc.record.title
    first = doc.text.strip().splitlines()[0] if doc.text.strip() else ""
    return first


def evidence_text(result: Result, ev: Evidence) -> str:
    """A pair's evidence, for people."""
    a, b = result.documents[ev.a].record.id, result.documents[ev.b].record.id
    d = ev.to_dict()
    lines = [f"{a}  vs  {b}", f"  relation     {ev.relation} ({'same story' if ev.same_story else 'different'})"]
    for key in ("similarity", "jaccard", "a_in_b", "b_in_a", "cosine", "aligned", "aligned_pairs"):
        if d[key] is not None:
            lines.append(f"  {key:<12} {d[key]}")
    p = result.params
    lines.append(f"  thresholds   near-duplicate jaccard >= {p.threshold}, contained >= {p.containment}, "
                 f"rewrite aligned >= {p.rewrite_threshold} with cosine >= {p.min_cosine}")
    return "\n".join(lines) + "\n"


def evaluation_text(e: Evaluation) -> str:
    """``dedupe eval``'s table: the scores, then the worst false merges and splits."""
    s = e.scores
    out = [f"documents {e.documents} ({e.not_in_truth} not in the truth, scored as stories of their own)",
           f"pairs: true {s.true_pairs}, predicted {s.predicted_pairs}, correct {s.correct_pairs}",
           f"precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}  adjusted Rand {s.adjusted_rand:.4f}",
           "", f"worst false merges ({len(e.false_merges)} shown):"]
    for m in e.false_merges:
        stories = ", ".join(f"story {story}: {n}" for story, n in m.stories)
        out.append(f"  cluster {m.cluster} ({m.size} documents, {m.wrong_pairs} wrong pairs): {stories}")
        out.append(f"    e.g. {_example_text(m.example)}")
    out += ["", f"worst false splits ({len(e.false_splits)} shown):"]
    for sp in e.false_splits:
        clusters = ", ".join(f"cluster {c}: {n}" for c, n in sp.clusters)
        out.append(f"  story {sp.story} ({sp.size} documents, {sp.missed_pairs} missed pairs): {clusters}")
        out.append(f"    e.g. {_example_text(sp.example)}")
    return "\n".join(out) + "\n"


def _example_text(example: dict[str, Any]) -> str:
    text = f"{example.get('id')} in cluster {example.get('cluster')}"
    if example.get("representative_id") not in (None, example.get("id")):
        text += f", {example.get('relation')} of {example['representative_id']}"
        if "similarity" in example:
            text += f" (similarity {example['similarity']})"
    evidence = example.get("evidence")
    if isinstance(evidence, dict):
        shown = {k: evidence[k] for k in ("relation", "jaccard", "cosine", "aligned") if evidence.get(k) is not None}
        against = example.get("against", example.get("representative_id"))
        text += f"; evidence against {against}: " + ", ".join(f"{k} {v}" for k, v in shown.items())
    return text


def comparison_text(c: Comparison, *, width: int = 100) -> str:
    """``dedupe compare``'s table: the figures, then matched paragraphs side by side with
    shared words highlighted (ANSI styles, which click drops when not writing to a terminal)."""
    d = c.to_dict()
    lines = [f"A: {c.a.record.id} ({len(c.a.paragraphs)} paragraphs, {c.a.size} tokens)",
             f"B: {c.b.record.id} ({len(c.b.paragraphs)} paragraphs, {c.b.size} tokens)",
             f"relation {c.relation}" + (f" ({c.direction})" if c.direction else "")
             + f" · similarity {d['similarity']} · A in B {d['a_in_b']} · B in A {d['b_in_a']} (share of tokens)"
             + f" · cosine {d['cosine']} · jaccard {d['jaccard']} · aligned in order {d['aligned']}", ""]
    column = (width - 3) // 2
    for m in c.pairs:
        lines.append(click.style(f"A{m.a} ↔ B{m.b}  {m.score:.2f} ({m.method})", bold=True))
        left, right = c.a.paragraphs[m.a], c.b.paragraphs[m.b]
        shared = set(normalize(left).split()) & set(normalize(right).split())
        wrapped_a, wrapped_b = textwrap.wrap(left, column), textwrap.wrap(right, column)
        for k in range(max(len(wrapped_a), len(wrapped_b))):
            x = wrapped_a[k] if k < len(wrapped_a) else ""
            y = wrapped_b[k] if k < len(wrapped_b) else ""
            lines.append(f"{_highlight(x, shared)}{' ' * (column - len(x))} │ {_highlight(y, shared)}")
        for sentence in m.shared_sentences:
            lines.append(f"  shared sentence: {sentence}")
        lines.append("")
    for side, doc, unmatched in (("A", c.a, c.unmatched_a), ("B", c.b, c.unmatched_b)):
        for i in unmatched:
            lines.append(f"{side}{i} has no match: {textwrap.shorten(doc.paragraphs[i], width - 20)}")
    return "\n".join(lines).rstrip() + "\n"


def _highlight(line: str, shared: set[str]) -> str:
    return " ".join(click.style(w, fg="green", bold=True) if normalize(w) in shared and normalize(w) else w
                    for w in line.split(" "))


_PAGE_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 20px; color: #1d2433; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ vertical-align: top; text-align: left; padding: 6px; border-bottom: 1px solid #e6e9f0; }}
td.score {{ white-space: nowrap; color: #6b7280; }}
mark {{ background: #ffe58a; padding: 0; }}
</style></head><body>
"""


def comparison_html(c: Comparison) -> str:
    """``dedupe compare --format html``: a self-contained page, matched paragraphs side by side,
    shared words marked, unmatched paragraphs after them."""
    d = c.to_dict()
    esc = html.escape
    out = [_PAGE_HEAD.format(title=esc(f"{c.a.record.id} ↔ {c.b.record.id}")),
           f"<h1>{esc(c.a.record.id)} ↔ {esc(c.b.record.id)}</h1>",
           f"<p id=\"figures\">relation <strong>{esc(c.relation)}</strong>"
           + (f" ({esc(c.direction)})" if c.direction else "")
           + f" · similarity {d['similarity']} · A in B {d['a_in_b']} · B in A {d['b_in_a']} (share of tokens)"
           f" · cosine {d['cosine']} · Jaccard {d['jaccard']} · aligned in order {d['aligned']}</p>",
           "<table><thead><tr><th>A</th><th>B</th><th>score</th></tr></thead><tbody>"]
    for m in c.pairs:
        left, right = c.a.paragraphs[m.a], c.b.paragraphs[m.b]
        shared = {w for w in set(normalize(left).split()) & set(normalize(right).split()) if len(w) > 3}
        out.append(f"<tr class=\"pair\"><td>A{m.a}: {_marked(left, shared)}</td>"
                   f"<td>B{m.b}: {_marked(right, shared)}</td><td class=\"score\">{m.score:.2f} {m.method}</td></tr>")
    for i in c.unmatched_a:
        out.append(f"<tr class=\"unmatched\"><td>A{i}: {esc(c.a.paragraphs[i])}</td><td></td><td>no match</td></tr>")
    for j in c.unmatched_b:
        out.append(f"<tr class=\"unmatched\"><td></td><td>B{j}: {esc(c.b.paragraphs[j])}</td><td>no match</td></tr>")
    out.append("</tbody></table></body></html>\n")
    return "\n".join(out)


def _marked(text: str, shared: set[str]) -> str:
    return "".join(f"<mark>{html.escape(part)}</mark>" if normalize(part) in shared else html.escape(part)
                   for part in re.split(r"(\w+)", text))
