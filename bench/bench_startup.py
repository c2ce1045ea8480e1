"""Launch → first painted Home of `advisor` (the TUI), against a bare Textual hello-world.

Each run spawns a fresh process under a pseudo-terminal (100×32); the app is told
(ADVISOR_TUI_EXIT_AFTER_PAINT=1) to exit right after Home's first paint (on_mount +
call_after_refresh), and the hello-world does the same. The figure is wall time from spawn
to exit, so it includes interpreter start-up and every import. Runs alternate between the two.

    python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HELLO = """
from textual.app import App, ComposeResult
from textual.widgets import Static

class Hello(App):
    def compose(self) -> ComposeResult:
        yield Static("hello")
    def on_mount(self) -> None:
        self.call_after_refresh(self.exit)

Hello().run()
"""


def run_once(argv: list[str], env: dict[str, str], cols: int = 100, rows: int = 32) -> float:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def drain() -> None:
        while True:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    code = proc.wait(timeout=60)
    elapsed = time.perf_counter() - started
    os.close(slave)
    os.close(master)
    reader.join(timeout=1)
    if code != 0:
        raise SystemExit(f"{argv} exited with {code}")
    return elapsed


def advisor_cmd_base() -> list[str]:
    return [sys.executable, "-m", "advisor"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        hello = tmpdir / "hello.py"
        hello.write_text(HELLO)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
        env.update({
            "ADVISOR_HOME": str(tmpdir / "home"),
            "ADVISOR_CONFIG": str(tmpdir / "config.toml"),
            "ADVISOR_TUI_EXIT_AFTER_PAINT": "1",
            "TERM": env.get("TERM", "xterm-256color") if env.get("TERM") not in (None, "dumb") else "xterm-256color",
        })
        hello_cmd = [sys.executable, str(hello)]
        seed = tmpdir / "beliefs.yaml"  # a journal with something in it, as a returning user has
        seed.write_text("".join(
            f"- {{statement: Belief number {i} about labs and evals, credence: {10 + 7 * i}, reason: r{i}}}\n"
            for i in range(8)
        ))
        subprocess.run([*advisor_cmd_base(), "journal", "pre", "--about", "Seed", "--beliefs-file", str(seed)],
                       env=env, check=True, capture_output=True)
        advisor_cmd = advisor_cmd_base()
        data_env = {**env, "ADVISOR_TUI_EXIT_AFTER_PAINT": "data"}
        run_once(advisor_cmd, env)  # warm the file cache once
        run_once(hello_cmd, env)
        app_times, data_times, hello_times = [], [], []
        for _ in range(args.runs):
            app_times.append(run_once(advisor_cmd, env))
            data_times.append(run_once(advisor_cmd, data_env))
            hello_times.append(run_once(hello_cmd, env))
    app_med, hello_med = statistics.median(app_times), statistics.median(hello_times)
    data_med = statistics.median(data_times)
    print(f"runs: {args.runs} each, alternating, under a 100x32 pty, {os.cpu_count()} CPUs")
    print(f"advisor launch -> first painted Home: median {app_med:.3f} s "
          f"(min {min(app_times):.3f}, max {max(app_times):.3f})")
    print(f"advisor launch -> Home painted with its data (8 beliefs): median {data_med:.3f} s "
          f"(min {min(data_times):.3f}, max {max(data_times):.3f})")
    print(f"bare Textual hello-world:            median {hello_med:.3f} s "
          f"(min {min(hello_times):.3f}, max {max(hello_times):.3f})")
    print(f"ratio advisor / hello-world: {app_med / hello_med:.2f}x  (targets: <= 0.6 s and <= 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
