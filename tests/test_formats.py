"""The jsonl rows of ``dedupe cluster``: relations stay within the documented values."""

from __future__ import annotations

from dataclasses import replace

from feed_builders import SEEDS
from dedupe.formats import document_rows
from dedupe.pipeline import deduplicate
from dedupe.read import read_inputs

RELATIONS = {"exact", "near-duplicate", "contained", "unique"}


def test_representative_whose_members_all_joined_through_others_is_a_near_duplicate() -> None:
    # The 100k benchmark met such a cluster: a rewrite's full version represents it, and its closest
    # members are truncated copies of the other version ("partial" against it, joined through that version).
    result = deduplicate(read_inputs([str(p) for p in SEEDS]))
    story = next(c for c in result.clusters if len(c.members) > 1)
    for m in story.members[1:]:
        evidence = result.evidence[m]
        assert evidence is not None and evidence.same_story
        result.evidence[m] = replace(evidence, relation="partial", similarity=0.9)

    rows = document_rows(result)
    representative = rows[story.representative]
    assert (representative["relation"], representative["match"]) == ("near-duplicate", "representative")
    assert all(rows[m]["match"] == "indirect" and rows[m]["relation"] == "near-duplicate" for m in story.members[1:])
    assert {row["relation"] for row in rows} <= RELATIONS
