"""Progress of indexing (issue 14): the counts the knowledge base reports, and how the CLI shows
them: a rich bar on a terminal, plain `advisor: progress:` lines otherwise."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

from support import KB_NOTES

from advisor.cli.progress import ProgressDisplay
from advisor.knowledge.models import Progress
from advisor.knowledge.progress import Ticker


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_ticker_counts_files_chunks_rate_and_time_left():
    clock, seen = Clock(), []
    ticker = Ticker(seen.append, clock=clock)
    ticker.phase("checking", files_total=3)
    for name in ("a.md", "b.md", "c.md"):
        ticker.file_done(name)
    ticker.phase("indexing", files_total=3, total_bytes=1000)
    clock.t += 2
    ticker.advance(250, "a.md", chunks=10)  # a quarter of the bytes in 2 s: 6 s left
    p = ticker.snapshot()
    assert (p.phase, p.files_done, p.files_total, p.chunks_done) == ("indexing", 0, 3, 10)
    assert p.rate == 5.0 and p.eta_s == 6.0 and p.fraction == 0.25
    assert p.line() == "indexing · 0/3 files · 10 chunks · 5.0 chunks/s · ETA 6s · 25% · a.md"
    clock.t += 0.01
    ticker.file_done("a.md", done_bytes=400)
    assert seen[-1].files_done == 0  # reports at most every 0.1 s: that one waits for the next
    clock.t += 0.2
    ticker.advance(500, "b.md", chunks=4)
    assert (seen[-1].files_done, seen[-1].chunks_done, seen[-1].done) == (1, 14, 500)
    ticker.finish()
    assert seen[-1].phase == "done" and seen[-1].done == 1000 and seen[-1].eta_s is None
    assert [p.phase for p in seen][:2] == ["checking", "indexing"]  # each new phase at once


def test_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    with ProgressDisplay("notes add", out, terminal=False, show_after=0.0, line_every=0.05) as display:
        display(Progress(done=10, total=100, phase="indexing", files_done=1, files_total=4, chunks_done=7,
                         rate=3.5, eta_s=75, current="x.md"))
        time.sleep(0.6)
        display.status("starting the local model SmolLM2")
        time.sleep(0.6)
        display(Progress(done=100, total=100, phase="done", files_done=4, files_total=4, chunks_done=30, rate=3.0))
    lines = out.getvalue().splitlines()
    assert len(lines) >= 3 and all(line.startswith("advisor: progress: notes add · ") for line in lines)
    assert any("indexing · 1/4 files · 7 chunks · 3.5 chunks/s · ETA 1m15s · 10% · x.md" in ln for ln in lines)
    assert any("starting the local model SmolLM2" in ln for ln in lines)
    assert re.search(r"indexed · 4/4 files · 30 chunks · 3.0 chunks/s \(\d+s\)$", lines[-1])


def test_a_bar_on_a_terminal_and_nothing_for_a_quick_command():
    out = io.StringIO()
    with ProgressDisplay("kb reindex", out, terminal=True, show_after=0.0) as display:
        display(Progress(done=30, total=100, phase="indexing", files_done=2, files_total=9, chunks_done=12))
        time.sleep(0.6)
    drawn = out.getvalue()
    assert "kb reindex" in drawn and "2/9 files" in drawn and "━" in drawn  # rich's bar
    quick = io.StringIO()
    with ProgressDisplay("kb search", quick, terminal=False) as display:
        display(Progress(done=0, total=0, phase="checking", files_total=3))
    assert quick.getvalue() == ""


def test_a_search_on_an_indexed_base_shows_no_progress_while_it_only_checks_the_files():
    """`kb search` and `ask` check the files first; an up-to-date base printed a misleading
    "first use: indexing · checking files" line. Checking alone stays quiet for `check_after`;
    once something is indexed the progress shows as before."""
    checked = io.StringIO()
    with ProgressDisplay("kb search", checked, terminal=False, show_after=0.0, check_after=5.0) as display:
        display(Progress(done=0, total=0, phase="checking", files_total=52))
        time.sleep(0.6)
        display(Progress(done=0, total=0, phase="done", files_total=52))
    assert checked.getvalue() == ""
    indexed = io.StringIO()
    with ProgressDisplay("kb search", indexed, terminal=False, show_after=0.0, check_after=5.0) as display:
        display(Progress(done=0, total=0, phase="checking", files_total=52))
        display(Progress(done=10, total=100, phase="indexing", files_done=0, files_total=1, chunks_done=3))
        time.sleep(0.6)
    assert "advisor: progress: kb search · indexing · 0/1 files · 3 chunks" in indexed.getvalue()


def test_cli_indexing_prints_progress_lines_and_refuses_a_file_over_the_limit(cli, advisor_env, tmp_path: Path):
    advisor_env["ADVISOR_KNOWLEDGE__CURATED_DIR"] = str(tmp_path / "no-cards")
    (tmp_path / "no-cards").mkdir()
    r = cli("notes", "add", str(KB_NOTES))
    assert r.code == 0, r.err
    lines = [ln for ln in r.err.splitlines() if ln.startswith("advisor: progress: notes add · ")]
    assert lines and re.search(r"indexed · \d+/\d+ files · \d+ chunks", lines[-1])
    big = tmp_path / "big.txt"
    big.write_text("Interpretability research notes. " * 100)  # 3.3 kB
    r = cli("notes", "add", str(big), env={"ADVISOR_KNOWLEDGE__MAX_FILE_MB": "0.002"})
    assert r.code == 1
    assert r.err.strip().splitlines()[-1] == (
        f"advisor: {big}: file is 3 kB, over the 2 kB limit (knowledge.max_file_mb); split it, or raise the limit")


def test_notes_list_indexes_nothing_and_lists_a_pending_file(cli, advisor_env, tmp_path: Path):
    advisor_env["ADVISOR_KNOWLEDGE__CURATED_DIR"] = str(tmp_path / "no-cards")
    (tmp_path / "no-cards").mkdir()
    assert cli("notes", "add", "-", "--title", "Sam", input="Sam says evals roles are open.").code == 0
    notes = Path(advisor_env["ADVISOR_HOME"]) / "notes"
    (notes / "0badc0de-dropped-in.md").write_text("# Dropped in\n\nA note copied here by hand.\n")
    r = cli("notes", "list", "--json")
    listed = {n["title"]: n for n in __import__("json").loads(r.out)}
    assert listed["Sam"]["status"] == "indexed"
    assert listed["dropped-in"]["status"] == "pending" and listed["dropped-in"]["id"] == "0badc0de"
    assert "not indexed yet" in listed["dropped-in"]["warning"]
    status = __import__("json").loads(cli("kb", "status", "--json").out)
    assert {s["title"]: s["state"] for s in status}["0badc0de-dropped-in.md"] == "changed"  # still not indexed


def test_re_adding_an_unchanged_folder_loads_neither_the_model_nor_chroma(cli, advisor_env, tmp_path: Path):
    """A re-add has nothing to embed: it must not pay for the embedding model and Chroma (on a
    300-note vault they were two thirds of its time: 1.04 CPU-s and 180 MB against 0.31 and 41)."""
    advisor_env["ADVISOR_KNOWLEDGE__CURATED_DIR"] = str(tmp_path / "no-cards")
    (tmp_path / "no-cards").mkdir()
    assert cli("notes", "add", str(KB_NOTES)).code == 0
    code = ("import sys\nfrom advisor.knowledge import KnowledgeBase\nfrom advisor.settings import load_settings\n"
            f"with KnowledgeBase(load_settings()) as kb:\n    report = kb.add_paths([{str(KB_NOTES)!r}])\n"
            "print(sorted({i.outcome for i in report.items}), sorted({'chromadb', 'onnxruntime'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], env=advisor_env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['unchanged'] []"
