"""Retrieval benchmark: quality (recall@5, MRR) and speed. Prints its figures; not a test.

    /work/venv/bin/python bench/bench_retrieval.py [--quick]

1. Quality: the seed essays (../shared/seeds, relative to the repo) are added as notes to a
   temporary ADVISOR_HOME alongside the curated cards present; each question in
   bench/questions.json names a phrase of its answer passage. Reports recall@5 and MRR for
   dense-only, lexical-only and hybrid (RRF).
2. Speed at 10,000 chunks (synthetic text, 1,000 files of 10 paragraphs, chunk_words=20):
   indexing chunks/s against the embedder's raw chunks/s on the same texts, query latency
   p50/p95 (hybrid, query embedding included), and re-index time of the 1,000 unchanged files.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from advisor.knowledge import KnowledgeBase  # noqa: E402
from advisor.knowledge.base import embed_text  # noqa: E402
from advisor.knowledge.embedder import get_embedder  # noqa: E402
from advisor.settings import Settings  # noqa: E402

SEEDS = REPO / ".." / "shared" / "seeds"
QUESTIONS = Path(__file__).with_name("questions.json")


def quality(home: Path) -> None:
    kb = KnowledgeBase(Settings(home=home))
    t = time.perf_counter()
    report = kb.add_paths([SEEDS])
    n = kb.catalog.chunk_count()
    print(f"indexed {len(report.items)} seed essays + curated cards: {n} chunks "
          f"in {time.perf_counter() - t:.1f}s")
    questions = json.loads(QUESTIONS.read_text())
    print(f"{len(questions)} questions")
    results = {}
    for mode in ("dense", "lexical", "hybrid"):
        hits5 = 0
        rr = 0.0
        misses = []
        for item in questions:
            passages = kb.search(item["q"], k=10, mode=mode)
            rank = next((i for i, p in enumerate(passages, 1) if item["a"] in p.text), None)
            if rank is not None and rank <= 5:
                hits5 += 1
            else:
                misses.append(item["q"])
            rr += 1.0 / rank if rank else 0.0
        results[mode] = (hits5 / len(questions), rr / len(questions))
        print(f"  {mode:<8} recall@5 {results[mode][0]:.3f}   MRR {results[mode][1]:.3f}   "
              f"missed@5: {misses[:4]}{' …' if len(misses) > 4 else ''}")
    h = results["hybrid"]
    print(f"  target: hybrid recall@5 >= 0.9 and above both: "
          f"{'MET' if h[0] >= 0.9 and h[0] > results['dense'][0] and h[0] > results['lexical'][0] else 'NOT MET'}")
    kb.close()


WORDS = (
    "alignment interpretability oversight governance forecasting agency reward model policy "
    "compute scaling evaluation benchmark circuit feature probe debate honesty deception safety "
    "research career fellowship mentor paper experiment dataset training inference robustness "
    "adversarial monitoring control theory empirical conceptual lab startup academia funding"
).split()


def synthetic(root: Path, n_files: int, paras: int, rng: random.Random) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for f in range(n_files):
        lines = []
        for p in range(paras):
            words = [rng.choice(WORDS) for _ in range(16)]
            lines.append(f"Note {f} paragraph {p}: " + " ".join(words) + ".")
        (root / f"syn-{f:04d}.txt").write_text("\n\n".join(lines) + "\n")


def speed(home: Path, n_files: int) -> None:
    rng = random.Random(7)
    src = home.parent / "synthetic"
    synthetic(src, n_files, 10, rng)
    kb = KnowledgeBase(Settings(home=home, knowledge={"chunk_words": 20, "curated_dir": home.parent / "none"}))
    emb = get_embedder()
    emb.embed(["warm up"])
    kb.catalog  # open stores before timing
    kb.dense
    t = time.perf_counter()
    report = kb.add_paths([src])
    index_s = time.perf_counter() - t
    n = kb.catalog.chunk_count()
    assert report.ok, report.failed[:3]
    rows = kb.catalog.db.execute("SELECT title, location, text FROM chunks").fetchall()
    texts = [embed_text(r[0], r[1], r[2]) for r in rows]
    sample = texts[: min(len(texts), 2000)]
    t = time.perf_counter()
    for i in range(0, len(sample), 16):  # same batch size as indexing
        emb.embed(sample[i : i + 16])
    raw_cps = len(sample) / (time.perf_counter() - t)
    idx_cps = n / index_s
    print(f"indexing: {n} chunks from {n_files} files in {index_s:.1f}s = {idx_cps:.1f} chunks/s "
          f"(includes copying, hashing, chunking, SQLite, Chroma)")
    print(f"raw embedder on the same chunk texts ({len(sample)}): {raw_cps:.1f} chunks/s")
    print(f"  overhead: {100 * (raw_cps / idx_cps - 1):+.1f}% (target <= 5%)")

    queries = [q["q"] for q in json.loads(QUESTIONS.read_text())]
    for q in queries[:5]:
        kb.search(q)
    for mode in ("hybrid", "dense", "lexical"):
        lat = []
        for i in range(200):
            t = time.perf_counter()
            kb.search(queries[i % len(queries)], k=5, mode=mode)
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        p50 = statistics.median(lat)
        p95 = lat[int(0.95 * len(lat)) - 1]
        print(f"query latency at {n} chunks, {mode:<7}: p50 {p50:.1f} ms  p95 {p95:.1f} ms"
              + ("  (target p95 <= 25 ms)" if mode == "hybrid" else ""))

    kb.close()
    kb2 = KnowledgeBase(Settings(home=home, knowledge={"chunk_words": 20, "curated_dir": home.parent / "none"}))
    t = time.perf_counter()
    rep = kb2.reindex()  # hash-checks every file
    re_s = time.perf_counter() - t
    print(f"re-index of {n_files} unchanged files (sha256 of each): {re_s:.3f}s "
          f"({rep.unchanged} unchanged, {rep.indexed} re-indexed) (target <= 1 s)")
    kb2.close()
    kb3 = KnowledgeBase(Settings(home=home, knowledge={"chunk_words": 20, "curated_dir": home.parent / "none"}))
    t = time.perf_counter()
    kb3._ready()  # what every first search does: size+mtime check, hash only on mismatch
    print(f"first-use freshness check of {n_files} files (stat): {time.perf_counter() - t:.3f}s")
    kb3.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100 files (1,000 chunks) instead of 1,000")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        print("== quality")
        quality(Path(tmp) / "q" / "home")
        if not args.skip_speed:
            print("== speed")
            speed(Path(tmp) / "s" / "home", 100 if args.quick else 1000)


if __name__ == "__main__":
    main()
