"""Counting an indexing run for its progress reports: files and chunks done, bytes of source text
read, the rate and the time left. The indexer calls it after every embedding batch (a few chunks),
so a report is never more than a batch old; reports reach the callback at most every 0.1 s, and at
once when the phase changes or the run ends."""

from __future__ import annotations

import time
from collections.abc import Callable

from advisor.knowledge.models import Phase, Progress, ProgressCallback

EVERY_S = 0.1  # at most this often to the callback (phase changes and the end go at once)


class Ticker:
    """Counts of one run. Without a callback it only counts."""

    def __init__(self, callback: ProgressCallback | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.callback = callback
        self.clock = clock
        self.started = clock()
        self.phase_name: Phase = "checking"
        self.total = self.done = 0
        self.files_total = self.files_done = 0
        self.chunks_done = 0
        self.current = ""
        self._indexing_since: float | None = None
        self._last = 0.0

    # ------------------------------------------------------------------ what the run tells it
    def phase(self, name: Phase, *, files_total: int = 0, total_bytes: int = 0, current: str = "") -> None:
        """A new phase: its file count (and bytes) to do; counts of files start again."""
        self.phase_name, self.files_total, self.files_done = name, files_total, 0
        if name == "indexing":
            self.total, self.done, self.chunks_done = total_bytes, 0, 0
            self._indexing_since = self.clock()
        self.current = current
        self.emit(force=True)

    def advance(self, done_bytes: int, current: str, chunks: int = 0) -> None:
        """Bytes of source read so far and chunks just embedded, in the file `current`."""
        self.done = max(self.done, min(done_bytes, self.total) if self.total else done_bytes)
        self.chunks_done += chunks
        self.current = current
        self.emit()

    def file_done(self, current: str = "", done_bytes: int | None = None) -> None:
        self.files_done += 1
        if done_bytes is not None:
            self.done = max(self.done, done_bytes)
        if current:
            self.current = current
        self.emit()

    def finish(self) -> None:
        self.phase_name = "done"
        self.done = self.total
        self.current = ""
        self.emit(force=True)

    # ------------------------------------------------------------------ reports
    def snapshot(self) -> Progress:
        now = self.clock()
        rate = eta = None
        if self._indexing_since is not None:
            spent = now - self._indexing_since
            if spent > 0 and self.chunks_done:
                rate = self.chunks_done / spent
            if self.phase_name == "indexing" and spent > 0 and 0 < self.done < self.total:
                eta = spent * (self.total - self.done) / self.done
        return Progress(
            done=self.done, total=self.total, current=self.current, phase=self.phase_name,
            files_done=self.files_done, files_total=self.files_total, chunks_done=self.chunks_done,
            elapsed_s=now - self.started, rate=rate, eta_s=eta,
        )

    def emit(self, force: bool = False) -> None:
        if self.callback is None:
            return
        now = self.clock()
        if force or now - self._last >= EVERY_S:
            self._last = now
            self.callback(self.snapshot())
