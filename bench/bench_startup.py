"""Launch → the first frame a person sees, for `advisor` (the TUI) and for a bare Textual app.

Each run spawns a fresh process under a pseudo-terminal (100×32 unless told) and reads what it
writes to the terminal. The clock stops when the text on screen (escape codes stripped) contains
the marker: for advisor, Home's action list ("Start a reflection session") and then a belief from
the seeded journal (Home painted with its data); for the bare app, its one line of text. Then the
process is sent ctrl+q and waited for. Nothing in the apps is told it is being measured: the
figure includes interpreter start-up, every import and the first real frame. Runs alternate.

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
            "ADVISOR_HOME": str(tmpdir / "home"),
            "ADVISOR_CONFIG": str(tmpdir / "config.toml"),
            "ADVISOR_UI__AUTO_INDEX": "false",  # the background indexing is not part of the first frame
            "TERM": "xterm-256color" if env.get("TERM") in (None, "", "dumb") else env["TERM"],
        })
        advisor = [sys.executable, "-m", "advisor"]
        seed = tmpdir / "beliefs.yaml"  # a journal with something in it, as a returning user has
        seed.write_text("".join(
            f"- {{statement: Belief number {i} about labs and evals, credence: {10 + 7 * i}, reason: r{i}}}\n"
            for i in range(8)
        ))
        subprocess.run([*advisor, "journal", "pre", "--about", "Seed", "--beliefs-file", str(seed)],
                       env=env, check=True, capture_output=True)
        bare_cmd = [sys.executable, str(bare)]
        size = (cols, rows)
        time_to_markers(advisor, env, [HOME_MARKER, DATA_MARKER], size)  # warm the file cache once
        time_to_markers(bare_cmd, env, [BARE_MARKER], size)
        home, data, bare_times, home_cpu, bare_cpu, data_bytes = [], [], [], [], [], []
        helps, lists, passes = [], [], []
        for _ in range(args.runs):
            (t_home, t_data), (c_home, _), n = time_to_markers(advisor, env, [HOME_MARKER, DATA_MARKER], size)
            home.append(t_home)
            data.append(t_data)
            home_cpu.append(c_home)
            data_bytes.append(n)
            (t_bare,), (c_bare,), _ = time_to_markers(bare_cmd, env, [BARE_MARKER], size)
            bare_times.append(t_bare)
            bare_cpu.append(c_bare)
            helps.append(time_exit([*advisor, "--help"], env))
            lists.append(time_exit([*advisor, "journal", "list"], env))
            passes.append(time_exit([sys.executable, "-c", "pass"], env))
    load = os.getloadavg()
    med = statistics.median
    print(f"runs: {args.runs} each, alternating, under a {cols}x{rows} pty, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(summary("advisor: launch -> Home's text on screen", home) + f"; CPU {med(home_cpu) * 1000:.0f} ms")
    print(summary("advisor: launch -> Home with its data (8 beliefs)", data)
          + f"  [{med(data_bytes) / 1000:.1f} kB written by then]")
    print(summary("bare Textual app: launch -> its text on screen", bare_times) + f"; CPU {med(bare_cpu) * 1000:.0f} ms")
    print(f"ratio advisor Home / bare Textual: {med(home) / med(bare_times):.2f}x wall, "
          f"{med(home_cpu) / med(bare_cpu):.2f}x CPU  (target <= 1.3x)")
    print(f"ratio advisor Home with its data / bare Textual: {med(data) / med(bare_times):.2f}x wall")
    print(summary("advisor --help", helps))
    print(summary("advisor journal list", lists))
    print(summary("python -c pass", passes)
          + f"  (--help {med(helps) / med(passes):.1f}x, journal list {med(lists) / med(passes):.1f}x; "
          "target <= 250 ms on an idle machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
