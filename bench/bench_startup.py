"""Launch → the first frame a person sees, for `advisor` (the TUI) and for a bare Textual app.

Each run spawns a fresh process under a pseudo-terminal (100×32 unless told) and reads what it
writes to the terminal. The clock stops when the text on screen (escape codes stripped) contains
each marker in turn: for advisor, Home's action list ("Start a reflection session"), then Home's
data (a belief from the seeded journal; in an empty home, the "No beliefs yet" line), then the
knowledge base's status line with its note count; for the bare app, its one line of text. Then
the process is sent ctrl+q and waited for. Nothing in the apps is told it is being measured: the
figure includes interpreter start-up, every import and the real frames. Runs alternate between
an empty home (launched once before), a home with a journal (two entries, 9 beliefs) and three
indexed notes, and the bare app.

advisor's own modules are compiled to bytecode first, as `pip install` does (the bare app's
Textual is, in site-packages): with PYTHONDONTWRITEBYTECODE set, as on the build machine, an
editable install would otherwise compile them from source on every launch.

Also timed: `advisor --help` and `advisor journal list` against `python -c pass` (wall time to exit).

    python bench/bench_startup.py [--runs 15] [--size 100x32]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

BARE = """
from textual.app import App, ComposeResult
from textual.widgets import Static

class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static("A bare Textual app is on screen")

Bare().run()
"""
BARE_MARKER = "A bare Textual app is on screen"
HOME_MARKER = "Start a reflection session"
DATA_MARKER = "Belief number 7 about labs"
EMPTY_MARKER = "No beliefs yet"
NOTES = 3
CTRL_Q = b"\x11"

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-character escapes (ESC =, ESC >, ...)
ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_=>()][0-9A-Za-z]?")


def screen_text(raw: bytes) -> str:
    return ESCAPES.sub(b"", raw).decode("utf-8", "replace")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) the process has used so far: less noisy than wall
    time on a loaded machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_to_markers(argv: list[str], env: dict[str, str], markers: list[str], size: tuple[int, int],
                    timeout: float = 60) -> tuple[list[float], list[float], int]:
    """Seconds from spawn until each marker is on screen (in order), the CPU seconds the process had
    used by then, and the bytes written by the last."""
    cols, rows = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    raw = b""
    found: list[float] = []
    cpu: list[float] = []
    try:
        while len(found) < len(markers):
            left = timeout - (time.perf_counter() - started)
            if left <= 0:
                raise SystemExit(f"{argv}: no {markers[len(found)]!r} on screen after {timeout:.0f} s; "
                                 f"it wrote: {screen_text(raw)[-400:]!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                raise SystemExit(f"{argv} closed its terminal before {markers[len(found)]!r}: "
                                 f"{screen_text(raw)[-400:]!r}")
            raw += chunk
            now = time.perf_counter()
            text = screen_text(raw)
            while len(found) < len(markers) and markers[len(found)] in text:
                found.append(now - started)
                cpu.append(cpu_seconds(proc.pid))
        os.write(master, CTRL_Q)
        _drain_until_exit(master, proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    return found, cpu, len(raw)


def _drain_until_exit(master: int, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.perf_counter() + timeout
    while proc.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                if not os.read(master, 1 << 16):
                    break
            except OSError:
                break
    try:
        proc.wait(timeout=max(0.1, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        pass


def time_exit(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def summary(name: str, values: list[float]) -> str:
    return (f"{name}: median {statistics.median(values) * 1000:.0f} ms "
            f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")


def seed(advisor: list[str], env: dict[str, str], tmpdir: Path) -> None:
    """A home as a returning user has it: two journal entries, 9 beliefs, three indexed notes."""
    beliefs = tmpdir / "beliefs.yaml"
    beliefs.write_text("".join(
        f"- {{statement: Belief number {i} about labs and evals, credence: {10 + 7 * i}, reason: r{i}}}\n"
        for i in range(8)
    ))
    subprocess.run([*advisor, "journal", "pre", "--about", "Seed", "--beliefs-file", str(beliefs)],
                   env=env, check=True, capture_output=True)
    talk = tmpdir / "talk.yaml"
    talk.write_text("- {statement: Evals work is as useful as interpretability, credence: 40, reason: Sam}\n")
    subprocess.run([*advisor, "journal", "pre", "--about", "Coffee with an evals lead", "--with", "Sam",
                    "--beliefs-file", str(talk)], env=env, check=True, capture_output=True)
    notes = tmpdir / "notes"
    notes.mkdir()
    for i in range(NOTES):
        (notes / f"note{i}.md").write_text(f"# Reading note {i}\n\nCircuits, probes and what I took from them ({i}).\n")
    subprocess.run([*advisor, "notes", "add", str(notes)], env=env, check=True, capture_output=True)


def compile_advisor(env: dict[str, str]) -> None:
    """advisor's bytecode, as `pip install` writes it (see the module's docstring)."""
    code = "import advisor, compileall, sys; sys.exit(not compileall.compile_dir(advisor.__path__[0], quiet=1))"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--size", default="100x32", help="terminal COLSxROWS")
    args = parser.parse_args()
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        bare = tmpdir / "bare.py"
        bare.write_text(BARE)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_") and k != "OPENAI_API_KEY"}
        env.update({
            "ADVISOR_CONFIG": str(tmpdir / "config.toml"),
            "ADVISOR_UI__AUTO_INDEX": "false",  # the background indexing is not part of the first frame
            "TERM": "xterm-256color" if env.get("TERM") in (None, "", "dumb") else env["TERM"],
        })
        full_env = {**env, "ADVISOR_HOME": str(tmpdir / "home")}
        empty_env = {**env, "ADVISOR_HOME": str(tmpdir / "empty-home")}
        advisor = [sys.executable, "-m", "advisor"]
        compile_advisor(env)
        seed(advisor, full_env, tmpdir)
        bare_cmd = [sys.executable, str(bare)]
        size = (cols, rows)
        homes = {  # name: (environment, markers: Home's text, its data, the status line's note count)
            "empty home": (empty_env, [HOME_MARKER, EMPTY_MARKER, "0 note(s)"]),
            f"home with 2 entries, 9 beliefs, {NOTES} notes": (full_env, [HOME_MARKER, DATA_MARKER, f"{NOTES} note(s)"]),
        }
        for home_env, markers in homes.values():  # warm the file cache once (and make the empty home)
            time_to_markers(advisor, home_env, markers, size)
        time_to_markers(bare_cmd, env, [BARE_MARKER], size)
        times: dict[str, list[list[float]]] = {name: [[], [], []] for name in homes}
        home_cpu, bare_times, bare_cpu, data_bytes = [], [], [], []
        helps, lists, passes = [], [], []
        for _ in range(args.runs):
            for name, (home_env, markers) in homes.items():
                found, cpu, n = time_to_markers(advisor, home_env, markers, size)
                for column, t in zip(times[name], found, strict=True):
                    column.append(t)
                if home_env is full_env:
                    home_cpu.append(cpu[1])
                    data_bytes.append(n)
            (t_bare,), (c_bare,), _ = time_to_markers(bare_cmd, env, [BARE_MARKER], size)
            bare_times.append(t_bare)
            bare_cpu.append(c_bare)
            helps.append(time_exit([*advisor, "--help"], full_env))
            lists.append(time_exit([*advisor, "journal", "list"], full_env))
            passes.append(time_exit([sys.executable, "-c", "pass"], env))
    load = os.getloadavg()
    med = statistics.median
    bare_med = med(bare_times)
    print(f"runs: {args.runs} each, alternating, under a {cols}x{rows} pty, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(summary("bare Textual app: launch -> its text on screen", bare_times) + f"; CPU {med(bare_cpu) * 1000:.0f} ms")
    for name, (text, data, status) in times.items():
        print(f"advisor, {name}:")
        print("  " + summary("launch -> Home's text on screen", text) + f"  = {med(text) / bare_med:.2f}x bare")
        print("  " + summary("launch -> Home with its data", data) + f"  = {med(data) / bare_med:.2f}x bare"
              "  (target <= 1.3x)")
        print("  " + summary("launch -> status line with the note count", status))
    print(f"CPU by Home with its data (home with data): {med(home_cpu) * 1000:.0f} ms = "
          f"{med(home_cpu) / med(bare_cpu):.2f}x bare; {med(data_bytes) / 1000:.1f} kB written by then")
    print(summary("advisor --help", helps))
    print(summary("advisor journal list", lists))
    print(summary("python -c pass", passes)
          + f"  (--help {med(helps) / med(passes):.1f}x, journal list {med(lists) / med(passes):.1f}x; "
          "target <= 250 ms on an idle machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
