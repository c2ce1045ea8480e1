"""Indexing in a process of its own, for a long-lived caller (the TUI): the ONNX session with its
arena and Chroma load there, not in the caller, whose memory stays small; and stopping it is
immediate (the process is ended), with nothing lost: a file's chunks commit in whole batches and
its record last, so the next run indexes what this one did not finish.

`IndexProcess(settings).run(on_progress)` starts `python -m advisor.knowledge.worker`, hands it the
settings it needs on stdin and reads one JSON object a line from its stdout: {"progress": ...}
while it works, then {"report": ...} or {"error": "one line"}.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from advisor.errors import AdvisorError, StorageError
from advisor.knowledge.models import Progress, ReindexReport

if TYPE_CHECKING:
    from advisor.settings import Settings

Operation = Literal["prepare", "reindex"]  # prepare: files changed by size or date; reindex: by hash


class IndexProcess:
    """One indexing run in a child process. `run` blocks (call it from a thread); `stop` ends it
    at once from any thread."""

    def __init__(self, settings: Settings, operation: Operation = "prepare") -> None:
        self.settings = settings
        self.operation = operation
        self._proc: subprocess.Popen[str] | None = None
        self._stopped = threading.Event()
        self._finished = threading.Event()

    def run(self, on_progress: Callable[[Progress], None] | None = None) -> ReindexReport | None:
        """The run's report; None when it was stopped. Raises AdvisorError if indexing failed.
        The worker's output is read by a daemon thread, so `stop` returns this call at once and
        nothing (not even the interpreter's exit) waits for the worker to wind down."""
        if self._stopped.is_set():
            return None
        payload = json.dumps({"operation": self.operation, "settings": worker_settings(self.settings)})
        self._proc = proc = subprocess.Popen(
            [sys.executable, "-m", "advisor.knowledge.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        if self._stopped.is_set():  # stopped while it started
            self.stop()
        assert proc.stdin is not None
        try:
            proc.stdin.write(payload + "\n")
            proc.stdin.flush()  # stdin stays open: the worker ends when it closes (the caller is gone)
        except OSError:
            pass
        outcome: dict[str, Any] = {}
        reader = threading.Thread(target=self._read, args=(proc, on_progress, outcome),
                                  name="advisor-index-worker", daemon=True)
        reader.start()
        self._finished.wait()
        if self._stopped.is_set():
            return None
        report: ReindexReport | None = outcome.get("report")
        if report is None:
            last = (outcome.get("stderr", "").strip().splitlines() or [f"it exited with status {proc.returncode}"])[-1]
            raise StorageError(outcome.get("error") or f"indexing stopped unexpectedly: {last}")
        return report

    def _read(self, proc: subprocess.Popen[str], on_progress: Callable[[Progress], None] | None,
              outcome: dict[str, Any]) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        try:
            for line in proc.stdout:
                try:
                    message: dict[str, Any] = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if self._stopped.is_set():
                    break
                if "progress" in message and on_progress is not None:
                    on_progress(Progress.model_validate(message["progress"]))
                elif "report" in message:
                    outcome["report"] = ReindexReport.model_validate(message["report"])
                elif "error" in message:
                    outcome["error"] = str(message["error"])
            if not self._stopped.is_set():
                outcome["stderr"] = proc.stderr.read()
                proc.wait()
        finally:
            _close(proc)
            self._finished.set()

    def stop(self) -> None:
        """End the run now; the next run resumes it."""
        self._stopped.set()
        self._finished.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                proc.terminate()
            except OSError:
                pass


def _close(proc: subprocess.Popen[str]) -> None:
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


def worker_settings(settings: Settings) -> dict[str, Any]:
    """What a worker needs to index the same files into the same index and reach the same team
    server: its token goes in clear, through the worker's stdin only (a dump masks it)."""
    data: dict[str, Any] = settings.model_dump(mode="json", include={"home", "knowledge"})
    token = settings.knowledge.chroma_token
    data["knowledge"]["chroma_token"] = token.get_secret_value() if token is not None else None
    return data


def main() -> int:
    """The child: settings from stdin, progress and the report as JSON lines on stdout."""
    signal.signal(signal.SIGTERM, _stop)

    def emit(key: str, value: object) -> None:
        sys.stdout.write(json.dumps({key: value}) + "\n")
        sys.stdout.flush()

    request = json.loads(sys.stdin.readline())
    threading.Thread(target=_exit_when_orphaned, daemon=True).start()
    from advisor.knowledge.base import KnowledgeBase
    from advisor.settings import Settings

    try:
        settings = Settings(**request["settings"])
        with KnowledgeBase(settings) as kb:
            def progress(p: Progress) -> None:
                emit("progress", p.model_dump(mode="json"))

            if request.get("operation") == "reindex":
                report: ReindexReport | None = kb.reindex(progress=progress)
            else:
                report = kb.prepare(progress=progress) or ReindexReport()
        emit("report", report.model_dump(mode="json") if report else {})
    except AdvisorError as exc:
        emit("error", exc.message)
        return exc.exit_code
    return 0


def _stop(*_: object) -> None:
    """SIGTERM: let go of stdout and stderr at once (the caller reading them is not kept
    waiting), then unwind: an open transaction rolls back, the stores close."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.exit(143)


def _exit_when_orphaned() -> None:
    """The caller holds our stdin open; when it is gone (it quit, or crashed), so are we."""
    sys.stdin.read()
    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    raise SystemExit(main())
