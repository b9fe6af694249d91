"""The JSON outputs of compare, eval, report, ``cluster --pair`` and ``filter --duplicates`` match
their documented schemas (``dedupe/schemas/*.schema.json``)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dedupe.cli import main

jsonschema = pytest.importorskip("jsonschema", reason="needs jsonschema (the test extra)")
referencing = pytest.importorskip("referencing", reason="needs referencing (installed with jsonschema)")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
S001, S002, S003 = (SEEDS / n for n in ("001_11fbaa8c86e3078d.txt", "002_c094ca8cd057c268.txt",
                                        "003_da02074730d16e77.txt"))


def _schemas() -> dict[str, Any]:
    folder = resources.files("dedupe").joinpath("schemas")
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".json")}


def _validator(name: str) -> Any:
    schemas = _schemas()
    registry = referencing.Registry().with_resources(
        (key, referencing.Resource.from_contents(value)) for key, value in schemas.items())
    return jsonschema.Draft202012Validator(schemas[name], registry=registry)


def _run(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("a, b", [(S001, S002), (S001, S003), (S003, None)])
def test_compare_output(tmp_path: Path, a: Path, b: Path | None) -> None:
    if b is None:  # an exact copy under another name
        b = tmp_path / "copy.txt"
        b.write_text(a.read_text(encoding="utf-8"), encoding="utf-8")
    [data] = _run("compare", str(a), str(b), "--format", "json")
    _validator("compare.schema.json").validate(data)


def test_schema_rejects_a_document_without_its_relation() -> None:
    [data] = _run("compare", str(S001), str(S002), "--format", "json")
    del data["relation"]
    assert not _validator("compare.schema.json").is_valid(data)


def test_pair_evidence_output() -> None:
    [data] = _run("cluster", str(SEEDS), "--pair", S001.name, S002.name, "--format", "json")
    _validator("evidence.schema.json").validate(data)


def test_report_output() -> None:
    [data] = _run("report", str(SEEDS), "--format", "json", "-q")
    _validator("report.schema.json").validate(data)


@pytest.mark.parametrize("with_input", [False, True])
def test_eval_output(tmp_path: Path, with_input: bool) -> None:
    predictions = tmp_path / "pred.jsonl"
    _run("cluster", str(SEEDS), "--format", "jsonl", "--evidence", "-o", str(predictions), "-q")
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"clusters": [[S001.name], [S002.name, S003.name]]}), encoding="utf-8")
    extra = ["--input", str(SEEDS)] if with_input else []

    [data] = _run("eval", str(truth), str(predictions), "--format", "json", *extra)

    _validator("eval.schema.json").validate(data)
    assert data["false_merges"] and data["false_splits"]


def test_filter_duplicates_output(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    texts = [p.read_text(encoding="utf-8") for p in (S001, S002, S003)]
    rows = [{"id": "a", "text": texts[0]}, {"id": "b", "text": texts[1], "source": "x"},
            {"id": "c", "text": texts[2]}, {"id": "d", "text": texts[2], "url": "https://example.org/d"}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    dups = tmp_path / "dups.jsonl"
    _run("filter", str(feed), "--duplicates", str(dups))
    found = [json.loads(line) for line in dups.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in found] == ["b", "d"]
    validator = _validator("filter-duplicate.schema.json")
    for row in found:
        validator.validate(row)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**found[0], "relation": "unique"})
