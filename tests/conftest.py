"""Shared test setup: the repository root and tests folder on ``sys.path`` (for ``benchmarks.feedgen``
and ``feed_builders``) and the seeds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Tests run with --import-mode=importlib, which does not add the rootdir to sys.path;
# `from benchmarks.feedgen import ...` needs it.
# `from feed_builders import ...` needs the tests folder.
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture
def seeds_dir() -> Path:
    """The project's seed articles (``seeds/``): 001 and 002 are one story, 000, 003, 004 each alone."""
    return ROOT / "seeds"
