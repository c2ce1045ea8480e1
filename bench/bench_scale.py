"""Scale benchmark: what indexing, re-adding, searching and listing cost as a notes vault grows.
Prints its figures; not a test.

    python bench/bench_scale.py                    # vaults of 100, 1,000 and 4,000 files
    python bench/bench_scale.py --sizes 100,1000   # other sizes
    python bench/bench_scale.py --large 0.5,1,2    # also single files of 0.5, 1 and 2 MB
    python bench/bench_scale.py --sizes 1000 --chunk-words 20   # the worst case: 20-word chunks

For each size N, a synthetic vault of N Markdown files (front matter, 2-5 `##` sections of 20-90
word paragraphs, some JSX-like markup: an import line, <Callout> blocks, <Figure /> tags; about
380 words a file, so 4,000 files are ~1.5M words and ~14,000 chunks) is added to a fresh
ADVISOR_HOME whose curated cards were indexed first, exactly as a user would:
`advisor notes add VAULT` in a child process. Reported:

- index: wall time of that command, and chunks/s over it (start-up and model load included);
- raw: the embedder alone on the same chunk texts (a sample of up to --raw-sample, in the
  indexer's batches), in another child process right after; `ratio` is index chunks/s over raw
  chunks/s. Timings are noisy on a shared machine, so the CPU time per chunk of both is given
  too: `cpu ratio` = raw CPU-s per chunk / indexing CPU-s per chunk (1.00 = no overhead);
- peak RSS of the indexing process (its VmHWM, from wait4's rusage);
- progress: seconds to the first progress line on stderr (not a terminal: plain lines) and the
  longest gap between two lines;
- re-add: `advisor notes add VAULT` again, nothing changed (wall and CPU time, peak RSS);
- search: p50/p95 of 40 hybrid searches in one process after 3 warm-up ones;
- `advisor notes list` and `advisor kb status` wall and CPU times;
- the 1-minute load average before and after each size (timings depend on it; RSS does not).

With --chunk-words N, the homes cut notes into chunks of at most N words (knowledge.chunk_words)
instead of the default 150: at 20, every chunk is cheap to embed and the per-chunk costs of
indexing (chunking, token states, SQLite, Chroma) weigh most against the raw embedder.

With --large, single files of unique text of the given sizes are added one by one to a fresh home:
time (wall and CPU), chunks and peak RSS each, so that time against size shows whether it grows
linearly (on a loaded machine, read the CPU time).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SYLLABLES = ("al", "ign", "ment", "in", "ter", "pret", "abil", "ity", "mod", "el", "cir", "cuit", "fea", "ture",
             "train", "ing", "eval", "u", "ation", "safe", "ty", "over", "sight", "re", "ward", "pol", "icy",
             "gov", "ern", "ance", "comp", "ute", "scal", "bench", "mark", "probe", "act", "iv", "spar", "se",
             "neu", "ron", "grad", "ient", "loss", "token", "em", "bed", "de", "cep", "tion", "hon", "est",
             "ro", "bust", "ness", "ad", "ver", "sar", "ial", "red", "team", "con", "trol", "mon", "it", "or")
COMMON = ("the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "with", "on", "this", "be",
          "are", "by", "we", "can", "not", "or", "from", "which", "but", "more", "models", "research",
          "safety", "work", "field", "question", "evidence", "training", "people", "lab", "career")
QUERIES = ("what does a research field share", "how do I choose between a lab and independent work",
           "sparse autoencoder features in the residual stream", "evaluations and red teaming careers",
           "scalable oversight with weaker judges", "reward hacking in training", "governance of compute",
           "how to find cruxes in a disagreement", "calibration of forecasts", "mentorship at a lab")


# ----------------------------------------------------------------------------- the synthetic vault
def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))) for _ in range(size)}
    return sorted(words)


def paragraph(rng: random.Random, vocab: list[str], n: int) -> str:
    words = [rng.choice(COMMON) if rng.random() < 0.45 else rng.choice(vocab) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def page(rng: random.Random, vocab: list[str], i: int) -> str:
    out = [f"---\ntitle: {paragraph(rng, vocab, 4)[:-1]} ({i})\ntags: [{rng.choice(vocab)}, {rng.choice(vocab)}]\n"
           f"slug: page-{i}\n---\n", "import { Callout, Figure } from '@/components'\n"]
    for h in range(rng.randint(2, 5)):
        out.append(f"## {paragraph(rng, vocab, rng.randint(2, 5))[:-1]}\n")
        for _ in range(rng.randint(1, 2)):
            out.append(paragraph(rng, vocab, rng.randint(20, 90)) + "\n")
        if rng.random() < 0.4:
            out.append(f'<Callout type="info" title="{rng.choice(vocab)}">\n{paragraph(rng, vocab, 30)}\n</Callout>\n')
        if rng.random() < 0.2:
            out.append(f'<Figure src="/img/{i}-{h}.png" caption="{paragraph(rng, vocab, 8)}" />\n')
    return "\n".join(out)


def make_vault(root: Path, n: int) -> int:
    """N files; returns the number of words written."""
    rng = random.Random(n)
    vocab = vocabulary(rng)
    root.mkdir(parents=True, exist_ok=True)
    words = 0
    for i in range(n):
        text = page(rng, vocab, i)
        words += len(text.split())
        (root / f"page-{i:05d}.md").write_text(text, encoding="utf-8")
    return words


def make_large_file(path: Path, megabytes: float) -> None:
    rng = random.Random(int(megabytes * 1000))
    vocab = vocabulary(rng)
    target = int(megabytes * 1e6)
    with path.open("w", encoding="utf-8") as fh:
        written = 0
        while written < target:
            text = paragraph(rng, vocab, rng.randint(40, 120)) + "\n\n"
            fh.write(text)
            written += len(text.encode())


# ----------------------------------------------------------------------------- running advisor
CHUNK_WORDS: list[str] = []  # --chunk-words, when given


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(ADVISOR_HOME=str(home), ADVISOR_CONFIG=str(home.parent / (home.name + ".toml")),
               ADVISOR_MODEL__PROVIDER="guide")
    if CHUNK_WORDS:
        env["ADVISOR_KNOWLEDGE__CHUNK_WORDS"] = CHUNK_WORDS[0]
    return env


def run_advisor(home: Path, *args: str) -> dict[str, Any]:
    """Run `advisor ARGS` as a child process: wall time, CPU time, peak RSS, progress timing."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "advisor", *args], env=env_for(home), cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stamps: list[float] = []
    err_lines: list[str] = []

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stamps.append(time.perf_counter() - started)
            err_lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=5)
    progress = [t for t, line in zip(stamps, err_lines, strict=False) if line.startswith("advisor: progress: ")]
    gaps = [b - a for a, b in itertools.pairwise(progress)]
    if proc.returncode != 0:
        print(f"  ! advisor {' '.join(args)} exited {proc.returncode}: {err_lines[-3:]}")
    return {
        "code": proc.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024, "out": out, "first_progress": progress[0] if progress else None,
        "max_gap": max(gaps) if gaps else None, "progress_lines": len(progress),
    }


def catalog_chunks(home: Path, kind: str = "note") -> int:
    db = sqlite3.connect(home / "index" / "lexical.sqlite3")
    try:
        return int(db.execute("SELECT count(*) FROM chunks c JOIN sources s USING(source_id) WHERE s.kind = ?",
                              (kind,)).fetchone()[0])
    finally:
        db.close()


RAW_SCRIPT = """
import json, sqlite3, sys, time
sys.path.insert(0, sys.argv[1])
from advisor.knowledge.embedder import Embedder
from advisor.knowledge.indexer import INDEX_BATCH, embed_text
db = sqlite3.connect(sys.argv[2]); limit = int(sys.argv[3])
rows = db.execute("SELECT c.title, c.location, c.text FROM chunks c JOIN sources s USING(source_id) "
                  "WHERE s.kind = 'note' ORDER BY c.rowid").fetchall()
step = max(1, len(rows) // limit)
texts = [embed_text(*r) for r in rows[::step]][:limit]
e = Embedder()
e.embed(texts[:16])  # warm-up
wall, cpu = time.perf_counter(), time.process_time()
for i in range(0, len(texts), INDEX_BATCH):
    e.embed(texts[i:i + INDEX_BATCH])
print(json.dumps({"n": len(texts), "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def raw_embedder(home: Path, limit: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", RAW_SCRIPT, str(REPO), str(home / "index" / "lexical.sqlite3"),
                          str(limit)], capture_output=True, text=True, check=True, env=env_for(home)).stdout
    data: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return data


def search_latency(home: Path, runs: int = 40) -> tuple[float, float]:
    from advisor.knowledge import KnowledgeBase
    from advisor.settings import Settings

    settings = Settings(home=home, model={"provider": "guide"})
    with KnowledgeBase(settings) as kb:
        for q in QUERIES[:3]:
            kb.search(q)
        times = []
        for i in range(runs):
            t = time.perf_counter()
            kb.search(QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {i}"))
            times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * (len(times) - 1))] * 1000


def load() -> float:
    return os.getloadavg()[0]


# ----------------------------------------------------------------------------- one size
def bench_size(root: Path, n: int, raw_sample: int) -> dict[str, Any]:
    vault, home = root / f"vault-{n}", root / f"home-{n}"
    words = make_vault(vault, n)
    load_before = load()
    cards = run_advisor(home, "kb", "reindex")  # the curated cards, as any first use does
    index = run_advisor(home, "notes", "add", str(vault))
    chunks = catalog_chunks(home)
    raw = raw_embedder(home, raw_sample)
    readd = run_advisor(home, "notes", "add", str(vault))
    p50, p95 = search_latency(home)
    listed = run_advisor(home, "notes", "list")
    status = run_advisor(home, "kb", "status")
    idx_rate = chunks / index["wall"]
    raw_rate = raw["n"] / raw["wall"]
    row = {
        "files": n, "words": words, "chunks": chunks, "cards_s": cards["wall"], "index_s": index["wall"],
        "index_rate": idx_rate, "raw_rate": raw_rate, "ratio": idx_rate / raw_rate,
        "cpu_ratio": (raw["cpu"] / raw["n"]) / (index["cpu"] / chunks), "rss_mb": index["rss_mb"],
        "first_progress_s": index["first_progress"], "max_gap_s": index["max_gap"], "readd_s": readd["wall"],
        "readd_cpu": readd["cpu"], "readd_rss_mb": readd["rss_mb"], "list_cpu": listed["cpu"], "status_cpu": status["cpu"],
        "readd_ok": "0 added" in readd["out"] and f"{n} unchanged" in readd["out"],
        "search_p50_ms": p50, "search_p95_ms": p95, "list_s": listed["wall"], "status_s": status["wall"],
        "load_before": load_before, "load_after": load(), "codes": [cards["code"], index["code"], readd["code"],
                                                                   listed["code"], status["code"]],
    }
    print(json.dumps(row))
    shutil.rmtree(vault, ignore_errors=True)
    return row


def bench_large(root: Path, sizes: list[float]) -> None:
    print("\nSingle large files (each added to a fresh home with its cards indexed):")
    print(f"{'MB':>6} {'chunks':>7} {'time s':>8} {'s per MB':>9} {'CPU s':>7} {'CPU s/MB':>8} {'chunks/s':>9} "
          f"{'peak RSS MB':>12} {'load':>5}")
    for mb in sizes:
        home = root / f"large-{mb}"
        run_advisor(home, "kb", "reindex")
        path = root / f"large-{mb}.txt"
        make_large_file(path, mb)
        res = run_advisor(home, "notes", "add", str(path))
        chunks = catalog_chunks(home)
        print(f"{mb:>6g} {chunks:>7,} {res['wall']:>8.1f} {res['wall'] / mb:>9.1f} {res['cpu']:>7.1f} "
              f"{res['cpu'] / mb:>8.1f} {chunks / res['wall']:>9.1f} "
              f"{res['rss_mb']:>12.0f} {load():>5.2f}")
        shutil.rmtree(home, ignore_errors=True)
        path.unlink()


def print_table(rows: list[dict[str, Any]]) -> None:
    print("\nadvisor notes add VAULT on a fresh home (curated cards indexed first):")
    head = (f"{'files':>6} {'words':>9} {'chunks':>7} {'index s':>8} {'chunks/s':>9} {'raw c/s':>8} {'ratio':>6} "
            f"{'cpu ratio':>9} {'peak RSS MB':>11} {'1st prog s':>10} {'max gap s':>9} {'re-add s':>8} "
            f"{'search p50/p95 ms':>17} {'list s':>7} {'status s':>8} {'load':>11}")
    print("  (re-add, list, status: wall s / CPU s; on a loaded machine the CPU time is what an idle one would take)")
    print(head)
    for r in rows:
        gap = f"{r['max_gap_s']:.1f}" if r["max_gap_s"] is not None else "-"
        first = f"{r['first_progress_s']:.1f}" if r["first_progress_s"] is not None else "-"
        print(f"{r['files']:>6,} {r['words']:>9,} {r['chunks']:>7,} {r['index_s']:>8.1f} {r['index_rate']:>9.1f} "
              f"{r['raw_rate']:>8.1f} {r['ratio']:>6.2f} {r['cpu_ratio']:>9.2f} {r['rss_mb']:>11.0f} {first:>10} "
              f"{gap:>9} {r['readd_s']:>4.1f}/{r['readd_cpu']:<3.1f} {r['search_p50_ms']:>7.0f}/{r['search_p95_ms']:<9.0f} "
              f"{r['list_s']:>3.1f}/{r['list_cpu']:<3.1f} {r['status_s']:>4.1f}/{r['status_cpu']:<3.1f} "
              f"{r['load_before']:>5.2f}/{r['load_after']:<5.2f}")
    bad = [r["files"] for r in rows if any(r["codes"]) or not r["readd_ok"]]
    if bad:
        print(f"! a command failed, or the re-add changed something, at sizes {bad}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,4000", help="vault sizes in files (comma-separated)")
    ap.add_argument("--raw-sample", type=int, default=1500, help="chunks embedded by the raw-embedder run")
    ap.add_argument("--large", default="", help="also single files of these sizes in MB, e.g. 0.5,1,2")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ap.add_argument("--chunk-words", type=int, help="knowledge.chunk_words of the homes (20: the worst case)")
    args = ap.parse_args()
    if args.chunk_words:
        CHUNK_WORDS.append(str(args.chunk_words))
    root = args.keep or Path(tempfile.mkdtemp(prefix="advisor-bench-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"bench_scale: chunk_words {args.chunk_words or 'default'}, {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"work folder {root}")
    try:
        rows = [bench_size(root, int(n), args.raw_sample) for n in re.split(r"[,\s]+", args.sizes) if n]
        print_table(rows)
        if args.large:
            bench_large(root, [float(x) for x in args.large.split(",") if x])
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
