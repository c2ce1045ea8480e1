"""Progress on stderr for the commands that index or start a model: a rich progress bar on a
terminal, otherwise (a log, a pipe) a plain line, starting "advisor: progress: ", at least every
2 s. Shown a quarter of a second after the start (a quicker command shows nothing), refreshed by
its own clock even while no count moves (loading a model), with the counts the knowledge base
reports: files and chunks done, rate, ETA.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from advisor.knowledge import Progress

SHOW_AFTER_S = 0.25  # a command done sooner shows no progress at all
QUIET_CHECK_S = 2.0  # a search on an indexed base shows nothing while it checks the files this long
LINE_EVERY_S = 1.5  # plain lines, when stderr is not a terminal (with TICK_S: a line at most 1.75 s after the last)
TICK_S = 0.25
LINE_PREFIX = "advisor: progress: "  # how a script tells progress lines from error lines on stderr


class ProgressDisplay:
    """A progress callback (`display(progress)`) and `status(text)` for phases without counts.
    Use as a context manager; `close()` clears the bar, or writes a last plain line."""

    def __init__(self, label: str, stream: TextIO | None = None, *, terminal: bool | None = None,
                 show_after: float = SHOW_AFTER_S, line_every: float = LINE_EVERY_S,
                 check_after: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)()) if terminal is None else terminal
        self.show_after, self.line_every = show_after, line_every
        # for a command that indexes only when something changed (a search): while it only checks
        # the files, show nothing until this long, so an up-to-date base prints no progress at all
        self.check_after = show_after if check_after is None else max(show_after, check_after)
        self.started = time.monotonic()
        self.latest: Progress | None = None
        self.text = ""  # what is happening when there are no counts
        self.shown = False
        self._last_line = 0.0
        self._bar: Any = None  # a rich Progress, on a terminal
        self._task: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="advisor-progress", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ what the command says
    def __call__(self, progress: Progress) -> None:
        with self._lock:
            self.latest, self.text = progress, ""
            if self.shown:
                self._draw(time.monotonic())

    def status(self, text: str) -> None:
        """A phase without counts, e.g. "starting the local model"; its elapsed time is shown."""
        with self._lock:
            self.text = text
            if self.shown:
                self._draw(time.monotonic())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
            elif self.shown and self.latest is not None and self.latest.phase == "done":
                self._write_line(time.monotonic())

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ drawing
    def _run(self) -> None:
        while not self._stop.wait(TICK_S):
            now = time.monotonic()
            with self._lock:
                said = self.latest is not None or bool(self.text)  # nothing to show before
                if not self.shown and said and now - self.started >= self._show_after():
                    self.shown = True
                    self._start()
                if self.shown:
                    self._draw(now)

    def _show_after(self) -> float:
        p = self.latest
        only_checking = not self.text and p is not None and p.phase in ("checking", "done") and not p.chunks_done
        return self.check_after if only_checking else self.show_after

    def _start(self) -> None:
        if not self.terminal:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream, stderr=self.stream is sys.stderr, force_terminal=True)
        self._bar = Progress(
            SpinnerColumn(), TextColumn("{task.fields[label]}"), BarColumn(bar_width=24),
            TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True, refresh_per_second=4, redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("", total=None, label=self.label)
        self._bar.start()

    def _message(self) -> str:
        if self.text or self.latest is None:
            return self.text
        return self.latest.line()

    def _draw(self, now: float) -> None:
        if self._bar is not None:
            p = self.latest
            indexing = p is not None and not self.text and p.phase in ("indexing", "done") and p.total > 0
            self._bar.update(self._task, description=self._message(),
                             total=p.total if indexing and p is not None else None,
                             completed=p.done if indexing and p is not None else 0)
        elif not self.terminal and (self._last_line == 0.0 or now - self._last_line >= self.line_every):
            self._write_line(now)

    def _write_line(self, now: float) -> None:
        self._last_line = now
        elapsed = now - self.started
        self.stream.write(f"{LINE_PREFIX}{self.label} · {self._message()} ({elapsed:.0f}s)\n")
        self.stream.flush()
