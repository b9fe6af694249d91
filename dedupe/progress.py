"""Progress of the pipeline's stages on stderr, and the time each stage took.

A line per stage with counts and rates, rewritten in place while the stage
runs; silent unless enabled (by default: only when stderr is a terminal).
The seconds per stage are kept either way (:attr:`Progress.seconds`), and
so is the memory when each stage ended (:attr:`Progress.memory`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import TextIO

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]


class Progress:
    """Reports stages as they run.

    Args:
        enabled: Print progress (default: when ``stream`` is a terminal).
        stream: Where to print (default: stderr).
        every: Seconds between updates of a running stage's line.
    """

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None, every: float = 0.5) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.every = every
        self.seconds: dict[str, float] = {}
        self.memory: dict[str, tuple[float, float]] = {}  # (resident, peak so far) in MB at each stage's end

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Stage]:
        """Time a stage; the yielded :class:`Stage` counts its items."""
        stage = Stage(self, name, total)
        try:
            yield stage
        finally:
            elapsed = perf_counter() - stage.start
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            resident, peak = self.memory[name] = memory_mb()
            if self.enabled:
                self.stream.write(f"\r{stage.line(elapsed)}, memory {resident:,.0f} MB (peak {peak:,.0f} MB)\n")
                self.stream.flush()


class Stage:
    """One running stage: call :meth:`advance` as items are done."""

    def __init__(self, progress: Progress, name: str, total: int | None) -> None:
        self.progress = progress
        self.name = name
        self.total = total
        self.done = 0
        self.start = self._shown = perf_counter()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done."""
        self.done += count
        if self.progress.enabled:
            now = perf_counter()
            if now - self._shown >= self.progress.every:
                self._shown = now
                self.progress.stream.write(f"\r{self.line(now - self.start)}")
                self.progress.stream.flush()

    def advance_range(self, start: int, stop: int) -> None:
        """Count the items ``start`` to ``stop`` done (an engine's range)."""
        self.advance(stop - start)

    def line(self, elapsed: float) -> str:
        """The stage's status, e.g. ``sign: 5,000/10,000 in 1.2 s (4,166/s)``."""
        of = f"/{self.total:,}" if self.total is not None else ""
        rate = f" ({self.done / elapsed:,.0f}/s)" if elapsed > 0 and self.done else ""
        return f"{self.name}: {self.done:,}{of} in {elapsed:.1f} s{rate}"


def memory_mb() -> tuple[float, float]:
    """This process's resident memory now, and the peak so far of it or of any worker it has
    waited for (the largest single process), in MB. Linux; elsewhere the peaks only (0 on Windows)."""
    if resource is None:
        return 0.0, 0.0
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if sys.platform == "darwin":
        peak /= 1024  # bytes there, kilobytes on Linux
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            resident = int(f.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        resident = peak
    return resident, max(peak, resident)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
