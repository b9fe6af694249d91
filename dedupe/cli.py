"""Command line: ``dedupe cluster``, ``filter``, ``compare``, ``report``, ``clean`` and ``eval``.

Data goes to standard output (or ``-o FILE``); warnings, the removed lines
and the summary go to standard error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import click

from . import __version__
from .cli_options import Inputs, input_options, param_options, run
from .errors import DedupeError
from .evaluate import evaluate, load_predictions, load_truth
from .compare import compare as compare_documents
from .dask_engine import dask_engine
from .deduper import Deduper, parse_window
from .document import Document
from .formats import (comparison_html, comparison_text, document_rows, evaluation_text, evidence_dict,
                      evidence_text, metadata_fields, to_json, to_table, write_jsonl)
from .params import Params
from .pipeline import Result, deduplicate, prepare_all
from .parallel import Engine, worker_count
from .parts import FORMATS as PART_FORMATS, check_destination, check_parquet, write_parquet, write_parts
from .progress import Progress
from .read import Record, read_inputs
from .report import report_data, to_html
from .verify import Verifier

_DEFAULTS = Params()


@click.group()
@click.version_option(__version__, prog_name="dedupe")
def main() -> None:
    """Find near-duplicate news articles: syndicated copies, truncations and rewrites."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "parquet"]), default="table",
              show_default=True, help="table for people; json one object; jsonl one line per document; parquet "
                                      "the jsonl rows as a table (with -o FILE or --output-dir; needs pyarrow).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to FILE instead of standard output.")
@click.option("--output-dir", metavar="URL",
              help="jsonl/parquet: write the rows as part-00000.jsonl, part-00001.jsonl, … of --part-size documents "
                   "each, in input order, into this folder or fsspec URL (with --engine dask, by the workers).")
@click.option("--part-size", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Documents per part with --output-dir.")
@param_options
@input_options
@click.option("--no-clean", is_flag=True, help="Compare the text as given, boilerplate included.")
@click.option("--show-removed", is_flag=True, help="Print every removed boilerplate line on stderr.")
@click.option("--evidence", "with_evidence", is_flag=True,
              help="jsonl: add each document's evidence against its representative.")
@click.option("--pair", nargs=2, multiple=True, metavar="ID ID",
              help="Print the evidence for this pair of ids instead of the clusters (repeatable).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (with --engine dask --scheduler local: Dask workers); 0 uses every core. "
                   "Same result for any number.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: Dask tasks (needs the dask extra).")
@click.option("--scheduler", metavar="ADDRESS", default="local", show_default=True,
              help="With --engine dask: a scheduler address (tcp://HOST:PORT), local (a LocalCluster of --jobs "
                   "workers), or synchronous, threads or processes.")
@click.option("--progress", "show_progress", is_flag=True,
              help="Progress of each stage on stderr even when it is not a terminal (e.g. into a log).")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress and no summary on stderr (warnings still printed).")
def cluster(inputs: tuple[str, ...], fmt: str, output: IO[str], output_dir: str | None, part_size: int,
            params: Params, reader: Inputs, no_clean: bool, show_removed: bool, with_evidence: bool,
            pair: tuple[tuple[str, str], ...], jobs: int, engine: str, scheduler: str, show_progress: bool,
            quiet: bool) -> None:
    """Cluster near-duplicate articles and pick one representative per story.

    INPUT is a folder (every readable file below it), a file (text, HTML,
    JSONL, JSON, RSS/Atom, WARC; gzipped too), or - for JSONL on standard
    input. JSON records are {"id", "text"} plus optional title, url, source,
    published.
    """
    parts = _parts_writer(fmt, output, output_dir, part_size, with_evidence, pair, quiet)
    keep_text = fmt == "table" or bool(pair)  # only the table shows text (a title from the first line)
    progress = Progress(enabled=True if show_progress else (False if quiet else None))
    if engine == "dask":
        result: Result = run(_deduplicate_on_dask, scheduler, jobs, reader.read(inputs, defer_html=True), params,
                             do_clean=not no_clean, progress=progress, keep_removed=show_removed, keep_text=keep_text,
                             then=parts)
    else:
        result = run(deduplicate, reader.read(inputs, defer_html=True), params, do_clean=not no_clean, jobs=jobs,
                     progress=progress, keep_removed=show_removed, keep_text=keep_text)
        if parts is not None:
            run(parts, result, None)
    _report_warnings(result)
    if show_removed:
        _print_removed(result.documents)
    if pair:
        _print_pairs(result, pair, fmt, output)
        return
    if parts is None:
        _write_result(result, fmt, output, with_evidence=with_evidence)
    if not quiet:
        s = result.stats
        click.echo(f"dedupe: {s['documents']} documents, {s['clusters']} clusters, "
                   f"{s['candidate_pairs']} candidate pairs (LSH index {s['lsh_index_bytes'] / 1e6:.1f} MB), "
                   f"{s['verified_pairs']} verified, "
                   f"{s['warnings']} warnings{reader.summary()}", err=True)


def _write_result(result: Result, fmt: str, output: IO[str], *, with_evidence: bool) -> None:
    if fmt == "parquet":
        run(write_parquet, document_rows(result, with_evidence=with_evidence), output.name)
    elif fmt == "jsonl":
        write_jsonl(result, output, with_evidence=with_evidence)
    elif fmt == "json":
        output.write(to_json(result))
    else:
        output.write(to_table(result))


def _deduplicate_on_dask(scheduler: str, workers: int, records: Iterable[Record], params: Params, *,
                         then: Callable[[Result, Engine], object] | None = None, **kwargs: Any) -> Result:
    """:func:`deduplicate` on a Dask engine for ``scheduler``, started and stopped here;
    ``then(result, engine)`` runs before it stops (writing the output in parts)."""
    with dask_engine(scheduler, workers=workers) as engine:
        result = deduplicate(records, params, engine=engine, **kwargs)
        if then is not None:
            then(result, engine)
        return result


def _parts_writer(fmt: str, output: IO[str], output_dir: str | None, part_size: int, with_evidence: bool,
                  pair: tuple[tuple[str, str], ...], quiet: bool) -> Callable[[Result, Engine | None], None] | None:
    """Check the output options before the run; with ``--output-dir``, the function that writes the parts."""
    if fmt == "parquet":
        run(check_parquet)
        if not output_dir and not pair and output.name in ("-", "<stdout>"):
            raise click.UsageError("parquet is binary: give -o FILE or --output-dir")
    if not output_dir:
        return None
    if pair:
        raise click.UsageError("--pair prints evidence; it does not combine with --output-dir")
    if output.name not in ("-", "<stdout>"):
        raise click.UsageError("give either -o FILE or --output-dir, not both")
    if fmt not in PART_FORMATS:
        raise click.UsageError(f"--output-dir writes {' or '.join(PART_FORMATS)} (--format)")
    run(check_destination, output_dir)

    def write(result: Result, engine: Engine | None) -> None:
        written = write_parts(document_rows(result, with_evidence=with_evidence), output_dir, fmt=fmt,
                              part_size=part_size, engine=engine)
        if not quiet:
            click.echo(f"dedupe: wrote {len(written)} part(s) to {output_dir}", err=True)

    return write


def _print_removed(documents: Iterable[Document]) -> None:
    """Every line the cleaner removed, as ``removed FILE:LINE [reason] text``, on stderr."""
    for doc in documents:
        for r in doc.removed:
            click.echo(f"removed {doc.record.origin}:{r.line} [{r.reason}] {r.text}", err=True)


def _report_warnings(result: Result) -> None:
    for doc in result.documents:
        if doc.warning:
            click.echo(f"warning: {doc.warning} (kept as unique: {doc.record.id})", err=True)


def _print_pairs(result: Result, pairs: tuple[tuple[str, str], ...], fmt: str, output: IO[str]) -> None:
    index = {d.record.id: d.index for d in result.documents}
    for a, b in pairs:
        missing = [x for x in (a, b) if x not in index]
        if missing:
            raise click.BadParameter(f"no document with id {missing[0]!r}", param_hint="--pair")
        assert result.verifier is not None
        ev = result.verifier.verify(index[a], index[b])
        if fmt == "table":
            output.write(evidence_text(result, ev))
        else:
            output.write(json.dumps(evidence_dict(result, ev), ensure_ascii=False) + "\n")


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text",
              show_default=True, help="text: cleaned articles; json/jsonl: text and removed lines.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to FILE instead of standard output.")
@click.option("--explain", is_flag=True, help="Show every line, kept or removed with its reason.")
@input_options
def clean(inputs: tuple[str, ...], fmt: str, output: IO[str], explain: bool, reader: Inputs) -> None:
    """Strip boilerplate and print the article text (same inputs as cluster)."""
    documents = run(prepare_all, reader.read(inputs, defer_html=True), _DEFAULTS, jobs=worker_count(0), sign=False)
    rows = []
    for doc in documents:
        if doc.warning:
            click.echo(f"warning: {doc.warning}", err=True)
        removed = [{"line": r.line, "text": r.text, "reason": r.reason} for r in doc.removed]
        rows.append({"id": doc.record.id, "text": doc.text, "removed": removed, **metadata_fields(doc)})
        if explain:
            _explain(doc.record.id, doc.record.text, {r.line: r.reason for r in doc.removed}, output)
        elif fmt == "text":
            output.write(f"==> {doc.record.id} <==\n{doc.text}\n\n")
    if fmt == "jsonl" and not explain:
        output.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    elif fmt == "json" and not explain:
        output.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")


def _explain(id_: str, text: str, reasons: dict[int, str], output: IO[str]) -> None:
    color = output.isatty() if hasattr(output, "isatty") else False
    output.write(f"==> {id_} <==\n")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if n in reasons:
            mark = f"- {line}   [{reasons[n]}]"
            output.write((click.style(mark, fg="red") if color else mark) + "\n")
        else:
            output.write(f"+ {line}\n")
    output.write("\n")


@main.command(name="eval")
@click.argument("truth", type=click.Path(dir_okay=False))
@click.argument("predictions", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table for people; json one object.")
@click.option("--worst", type=click.IntRange(min=0), default=5, show_default=True,
              help="How many false merges and false splits to show.")
@click.option("--input", "inputs", multiple=True, metavar="INPUT",
              help="The clustered documents (as given to cluster; repeatable): each mistake shown "
                   "gets the evidence for its example pair.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to FILE instead of standard output.")
def eval_command(truth: str, predictions: str, fmt: str, worst: int, inputs: tuple[str, ...],
                 output: IO[str]) -> None:
    """Score a clustering against labelled stories.

    TRUTH is {"clusters": [[id, ...], ...]}; PREDICTIONS is the output of
    dedupe cluster --format jsonl (add --evidence there to see the evidence
    of each mistake here). Ids missing from TRUTH count as stories of their
    own; ids of TRUTH missing from PREDICTIONS are an error.
    """
    labels, rows = run(load_truth, truth), run(load_predictions, predictions)
    explain = _explainer(inputs) if inputs else None
    try:
        result = evaluate(labels, rows, worst=worst, explain=explain)
    except ValueError as err:
        raise click.ClickException(f"{predictions}: {err} in {truth}") from err
    if fmt == "json":
        output.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        output.write(evaluation_text(result))


def _explainer(inputs: tuple[str, ...]) -> Callable[[str, str], dict[str, Any] | None]:
    """Evidence for pairs of ids of ``inputs`` (None for an id they do not hold)."""
    documents = run(prepare_all, read_inputs(inputs, defer_html=True), _DEFAULTS, jobs=worker_count(0), sign=False)
    verifier = Verifier(documents, _DEFAULTS)
    index = {d.record.id: d.index for d in documents}

    def explain(a: str, b: str) -> dict[str, Any] | None:
        if a not in index or b not in index:
            return None
        ev = verifier.verify(index[a], index[b]).to_dict()
        return {**ev, "a": a, "b": b}

    return explain


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--id", "ids", multiple=True, metavar="ID",
              help="Compare the documents with these ids (give it twice) among those INPUT holds.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True,
              help="table: matched paragraphs side by side; json: the documented schema; html: a page.")
@click.option("--no-clean", is_flag=True, help="Compare the text as given, boilerplate included.")
@click.option("--show-removed", is_flag=True, help="Print every removed boilerplate line on stderr.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to FILE instead of standard output.")
@input_options
def compare(inputs: tuple[str, ...], ids: tuple[str, ...], fmt: str, no_clean: bool, show_removed: bool,
            output: IO[str], reader: Inputs) -> None:
    """Show which paragraphs two articles share and how they relate.

    Either INPUT holds exactly two documents (two text files, say), or give
    --id twice to pick two documents of a JSONL file or folder. Both are
    cleaned first (unless --no-clean).
    """
    records = list(run(reader.read, inputs, defer_html=True))
    if ids:
        if len(ids) != 2:
            raise click.UsageError("give --id exactly twice")
        by_id = {r.id: r for r in records}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise click.BadParameter(f"no document with id {missing[0]!r} in {' '.join(inputs)}", param_hint="--id")
        records = [by_id[i] for i in ids]
    elif len(records) != 2:
        raise click.UsageError(f"{' '.join(inputs)} holds {len(records)} documents; "
                               "give two documents, or pick two with --id")
    for r in records:
        if r.warning:
            raise click.ClickException(r.warning)
    documents = prepare_all(records, _DEFAULTS, do_clean=not no_clean, sign=False)
    if show_removed:
        _print_removed(documents)
    for d in documents:
        if d.warning:
            raise click.ClickException(d.warning)
    result = compare_documents(documents[0], documents[1], _DEFAULTS)
    if fmt == "json":
        output.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    elif fmt == "html":
        output.write(comparison_html(result))
    else:
        click.echo(comparison_text(result), file=output, nl=False)


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to FILE (e.g. report.html) instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True,
              help="html: one self-contained page; json: the same content as data.")
@click.option("--title", default="dedupe report", show_default=True, help="The page's title.")
@click.option("--no-clean", is_flag=True, help="Compare the text as given, boilerplate included.")
@click.option("--show-removed", is_flag=True, help="Print every removed boilerplate line on stderr.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (as for cluster).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@input_options
def report(inputs: tuple[str, ...], output: IO[str], fmt: str, title: str, no_clean: bool, show_removed: bool,
           jobs: int, quiet: bool, reader: Inputs) -> None:
    """Cluster INPUT and write a report: clusters largest first, each member's relation and
    overlap with the representative, side-by-side paragraphs, a filterable cluster list."""
    progress = Progress(enabled=False if quiet else None)
    result: Result = run(deduplicate, reader.read(inputs, defer_html=True), _DEFAULTS, do_clean=not no_clean,
                         jobs=jobs, progress=progress)
    _report_warnings(result)
    if show_removed:
        _print_removed(result.documents)
    data = report_data(result)
    if fmt == "json":
        output.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        output.write(to_html(data, title=title))


@main.command(name="filter")
@click.argument("inputs", nargs=-1, metavar="[INPUT...]")
@click.option("--index", "index_location", metavar="PATH|URL",
              help="Keep what was seen in a SQLite file (PATH) or Redis (redis://HOST:PORT/DB), so later runs "
                   "remember it. Default: memory, for this run only.")
@click.option("--duplicates", type=click.File("w", encoding="utf-8"), metavar="FILE",
              help="Write the duplicates here, each with duplicate_of, matched, similarity and relation added.")
@click.option("--rejects", type=click.File("w", encoding="utf-8", errors="surrogateescape"), metavar="FILE",
              help="Copy the lines that cannot be read here, unchanged.")
@click.option("--window", metavar="AGE",
              help="Forget articles older than AGE (e.g. 7d, 12h; units s, m, h, d, w), counted back from the "
                   "newest article's time (published, else arrival).")
@click.option("--no-clean", is_flag=True, help="Compare the text as given, boilerplate included.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", errors="surrogateescape"), default="-",
              help="Write the new stories to FILE instead of standard output.")
@click.option("--batch", type=click.IntRange(min=1), metavar="N",
              help="Records decided per index transaction, printed once it is committed (same decisions for any "
                   "N). Default: 1 on standard input (each answered at once), 100 for files.")
@param_options
@input_options
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr (problems still printed).")
def filter_command(inputs: tuple[str, ...], index_location: str | None, duplicates: IO[str] | None,
                   rejects: IO[str] | None, window: str | None, no_clean: bool, output: IO[str],
                   batch: int | None, params: Params, reader: Inputs, quiet: bool) -> None:
    """Pass on only the articles that start a new story.

    Reads JSONL (standard input by default; same inputs as cluster) and
    writes each record that starts a new story, unchanged, as soon as it is
    decided (after it is recorded in the index). A record that cannot be read
    is reported with its line and copied to --rejects; the run goes on.
    """
    try:
        seconds = parse_window(window) if window else None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--window") from err
    deduper: Deduper = run(Deduper, index_location, params, do_clean=not no_clean, window=seconds)
    sources = inputs or ("-",)
    batch = batch or (1 if "-" in sources else 100)
    rejected = 0
    pending: list[Record] = []

    def decide_pending() -> None:
        for record, decision in zip(pending, run(deduper.check_records, pending)):
            if decision.warning:
                click.echo(f"warning: {decision.warning} (passed on, not recorded: {record.id})", err=True)
            if not decision.duplicate:
                output.write(_line_of(record))
            elif duplicates is not None:
                found = {k: v for k, v in decision.to_dict().items() if k not in ("id", "duplicate")}
                duplicates.write(json.dumps({**_object_of(record), **found}, ensure_ascii=False) + "\n")
        output.flush()
        if duplicates is not None:
            duplicates.flush()
        pending.clear()

    strict = reader.options.strict

    def source_problem(message: str) -> None:  # already printed; what came before is decided first
        decide_pending()
        if strict:
            raise click.ClickException(f"{message} (--strict)")

    with deduper:
        records = reader.read(sources, unique_ids=False, keep_raw=True, strict=False, on_problem=source_problem)
        for record in _guarded(records):
            if not record.warning:
                pending.append(record)
                if len(pending) >= batch:
                    decide_pending()
                continue
            decide_pending()
            rejected += 1
            click.echo(f"rejected: {record.warning}", err=True)
            if rejects is not None:
                rejects.write(_line_of(record))
                rejects.flush()
            if strict:
                raise click.ClickException(f"{record.warning} (--strict)")
        decide_pending()
        size = deduper.index.size()
    if not quiet:
        c = deduper.counts
        click.echo(f"dedupe filter: {c['new'] + c['duplicates'] + c['warnings'] + rejected} records, "
                   f"{c['new'] + c['warnings']} new, {c['duplicates']} duplicates, {rejected} rejected, "
                   f"{c['warnings']} warnings{reader.summary()}; index {deduper.index.location} holds {size} "
                   "documents", err=True)


def _guarded(records: Iterable[Record]) -> Iterator[Record]:
    """``records``, with a :class:`DedupeError` met while reading them turned into a click error."""
    try:
        yield from records
    except DedupeError as err:
        raise click.ClickException(str(err)) from err


def _object_of(record: Record) -> dict[str, Any]:
    """The record as a JSON object: its JSONL line parsed, or its fields."""
    if record.raw is not None:
        return json.loads(record.raw)
    return {"id": record.id, "text": record.text, **record.metadata(), **record.extra}


def _line_of(record: Record) -> str:
    """The record's line as read, or (for a text file) its JSON object, ending in a newline."""
    if record.raw is not None:
        return record.raw if record.raw.endswith("\n") else record.raw + "\n"
    return json.dumps(_object_of(record), ensure_ascii=False) + "\n"


__all__ = ["main"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
