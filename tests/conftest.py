"""Shared test setup: the repository root and tests folder on ``sys.path`` (for ``benchmarks.feedgen``
and ``feed_builders``) and the seeds."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``redis-server`` on 127.0.0.1 for the session; yields its URL (``.ci/run`` installs it)."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed (apt install redis-server; .ci/run installs it)")
    pytest.importorskip("redis", reason="the Redis index needs the redis package (pip install 'news-dedupe[redis]')")
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        server.kill()
        pytest.fail(f"redis-server did not start on port {port}")
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis server, emptied for this test."""
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    return redis_server
