"""``dedupe eval``: scores and worst mistakes of a clustering of the seeds, and bad truth/prediction files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dedupe.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ID_000, ID_001, ID_002, ID_003, ID_004 = sorted(p.name for p in SEEDS.glob("*.txt"))


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def predictions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eval") / "pred.jsonl"
    result = _invoke("cluster", str(SEEDS), "--format", "jsonl", "--evidence", "-o", str(path), "-q")
    assert result.exit_code == 0, result.stderr
    return path


def _truth(tmp_path: Path, clusters: list[list[str]]) -> Path:
    path = tmp_path / "truth.json"
    path.write_text(json.dumps({"clusters": clusters}), encoding="utf-8")
    return path


def _json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_right_truth_scores_one_and_shows_no_mistakes(tmp_path: Path, predictions: Path) -> None:
    truth = _truth(tmp_path, [[ID_001, ID_002], [ID_000], [ID_003], [ID_004]])

    data = _json(_invoke("eval", str(truth), str(predictions), "--format", "json"))

    assert data["scores"] == {"true_pairs": 1, "predicted_pairs": 1, "correct_pairs": 1, "precision": 1.0,
                              "recall": 1.0, "f1": 1.0, "adjusted_rand": 1.0}
    assert data["documents"] == 5 and data["not_in_truth"] == 0
    assert data["false_merges"] == [] and data["false_splits"] == []


def test_a_story_the_prediction_split_is_shown_with_its_evidence(tmp_path: Path, predictions: Path) -> None:
    truth = _truth(tmp_path, [[ID_001, ID_002, ID_000]])  # claims 000 is the same story

    data = _json(_invoke("eval", str(truth), str(predictions), "--format", "json", "--input", str(SEEDS)))

    assert data["scores"]["recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert data["not_in_truth"] == 2  # 003 and 004: stories of their own
    [split] = data["false_splits"]
    assert split["size"] == 3 and split["missed_pairs"] == 2
    assert sorted(n for _, n in split["clusters"]) == [1, 2]
    example = split["example"]
    assert example["id"] == ID_000 and example["against"] in (ID_001, ID_002)
    assert example["evidence"]["relation"] == "unrelated"
    assert example["evidence"]["a"] == ID_000


def test_a_cluster_the_truth_keeps_apart_is_a_false_merge(tmp_path: Path, predictions: Path) -> None:
    truth = _truth(tmp_path, [[ID_001], [ID_002], [ID_000], [ID_003], [ID_004]])

    result = _invoke("eval", str(truth), str(predictions), "--input", str(SEEDS))
    data = _json(_invoke("eval", str(truth), str(predictions), "--format", "json", "--input", str(SEEDS)))

    assert data["scores"]["precision"] == 0.0
    [merge] = data["false_merges"]
    assert merge["size"] == 2 and merge["wrong_pairs"] == 1
    assert merge["example"]["evidence"]["relation"] == "rewrite"
    assert "worst false merges (1 shown)" in result.stdout and "relation rewrite" in result.stdout


def test_without_inputs_the_rows_own_evidence_is_shown(tmp_path: Path, predictions: Path) -> None:
    truth = _truth(tmp_path, [[ID_001], [ID_002]])

    data = _json(_invoke("eval", str(truth), str(predictions), "--format", "json"))

    example = data["false_merges"][0]["example"]
    assert "against" not in example
    assert example["evidence"]["relation"] == "rewrite"  # written by cluster --evidence


def test_truth_id_without_prediction_is_an_error(tmp_path: Path, predictions: Path) -> None:
    truth = _truth(tmp_path, [[ID_001, "nowhere.txt"]])

    result = _invoke("eval", str(truth), str(predictions))

    assert result.exit_code == 1
    assert "'nowhere.txt'" in result.stderr and str(predictions) in result.stderr


@pytest.mark.parametrize("content, message", [
    ('{"clusters": [["a"], ["a"]]}', "id 'a' is in story 0 and in story 1"),
    ('{"stories": []}', 'expected {"clusters"'),
    ('{"clusters": [', "truth.json:1: not JSON"),
])
def test_bad_truth_file_is_named(tmp_path: Path, predictions: Path, content: str, message: str) -> None:
    truth = tmp_path / "truth.json"
    truth.write_text(content, encoding="utf-8")

    result = _invoke("eval", str(truth), str(predictions))

    assert result.exit_code == 1 and message in result.stderr


def test_bad_prediction_line_is_named(tmp_path: Path, predictions: Path) -> None:
    bad = tmp_path / "pred.jsonl"
    lines = predictions.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([lines[0], '{"id": "x"}', *lines[1:]]) + "\n", encoding="utf-8")

    result = _invoke("eval", str(_truth(tmp_path, [[ID_001]])), str(bad))

    assert result.exit_code == 1
    assert f'{bad}:2: expected an object with "id" and "cluster"' in result.stderr


def test_recall_of_counts_every_true_pair_that_involves_a_member_once() -> None:
    """Against the pair-by-pair definition, on random truths and predictions."""
    import random

    from dedupe.evaluate import recall_of

    rng = random.Random(4)
    for _ in range(20):
        ids = [f"d{k}" for k in range(rng.randint(1, 60))]
        truth = {i: rng.randint(0, 5) for i in ids}
        predicted = {i: rng.randint(0, 4) for i in ids}
        members = rng.sample(ids, rng.randint(0, len(ids)))
        pairs = [(a, b) for k, a in enumerate(ids) for b in ids[k + 1:]
                 if truth[a] == truth[b] and (a in members or b in members)]
        expected = sum(predicted[a] == predicted[b] for a, b in pairs) / len(pairs) if pairs else 1.0
        assert recall_of(members, truth, predicted) == expected
