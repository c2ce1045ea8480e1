"""History search benchmark: what `advisor search` costs on a long journal. Prints figures; not a test.

    python bench/bench_history.py [--entries 500] [--sessions 300] [--turns 20] [--queries 50]

A synthetic history in a temporary home (real SQLite): `--entries` journal entries of 3 beliefs
each, with reasons, and `--sessions` sessions of `--turns` turns each, their text cut from the
seed essays (../shared/seeds; random words when absent). The knowledge base is left out: its
sources are synced one stamp at a time and add nothing per search when unchanged.

Figures, each against a baseline measured in the same process so that load on the machine
cancels out: the baseline is one plain FTS5 BM25 query over the same texts in a bare in-memory
table (SQLite's own speed for this corpus). Reported: building the index from nothing; the
refresh every search pays when nothing changed (reading the journal and the sessions and
comparing); a refresh after one new turn; a whole search (refresh + query + grouping) p50/p95;
the index file's size; peak RSS.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SEEDS = REPO.parent / "shared" / "seeds"


def corpus_words() -> list[str]:
    words = [w for f in sorted(SEEDS.glob("*.txt")) for w in f.read_text(encoding="utf-8").split()] if SEEDS.is_dir() else []
    if len(words) < 1000:
        rng = random.Random(1)
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(20000)]
    return words


def text(rng: random.Random, words: list[str], n: int) -> str:
    start = rng.randrange(0, len(words) - n)
    return " ".join(words[start:start + n])


def build(home: Path, entries: int, sessions: int, turns: int) -> tuple[object, object, list[str]]:
    from advisor.journal.store import JournalStore
    from advisor.session.store import SessionStore

    rng, words = random.Random(7), corpus_words()
    store = JournalStore.open(home / "journal.db")
    ss = SessionStore(store)
    texts: list[str] = []
    with store.transaction():
        for e in range(entries):
            entry = store.create_entry(text(rng, words, 8), with_whom=f"Person {e % 40}")
            for b in range(3):
                statement, reason = f"{text(rng, words, 9)} #{e}.{b}", text(rng, words, 14)
                store.add_pre_belief(entry.id, statement, rng.randint(5, 95), reason)
                texts += [statement, reason]
        for _ in range(sessions):
            record = ss.create(text(rng, words, 7), "explore")
            for t in range(turns):
                content = text(rng, words, 25 if t % 2 == 0 else 120)
                ss.add_turn(record.id, "explore", "user" if t % 2 == 0 else "advisor", content)
                texts.append(content)
    return store, ss, texts


def baseline_query(texts: list[str], queries: list[str]) -> float:
    """Seconds per plain FTS5 query over the same texts in memory (the same tokenizer, no joins)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61')")
    db.executemany("INSERT INTO t(body) VALUES (?)", [(x,) for x in texts])
    for q in queries[:5]:
        db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 200", (q,)).fetchall()
    started = time.perf_counter()
    for q in queries:
        db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 200", (q,)).fetchall()
    return (time.perf_counter() - started) / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()

    from advisor.history.search import HistorySearch
    from advisor.knowledge.catalog import fts_query

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        store, sessions, texts = build(home, args.entries, args.sessions, args.turns)
        print(f"history: {args.entries} entries ({3 * args.entries} beliefs), {args.sessions} sessions of "
              f"{args.turns} turns ({args.sessions * args.turns} turns), {len(texts)} texts; "
              f"written in {time.perf_counter() - started:.1f}s")
        rng, words = random.Random(3), corpus_words()
        queries = [" ".join(rng.sample(words, 2)) for _ in range(args.queries)]
        base = baseline_query(texts, [q for q in (fts_query(q) for q in queries) if q])
        print(f"baseline: one plain FTS5 query over the same texts in memory: {base * 1000:.2f} ms")

        index_path = home / "index" / "history.sqlite3"
        search = HistorySearch(store, index_path)  # type: ignore[arg-type]
        started = time.perf_counter()
        search.refresh()
        first = time.perf_counter() - started
        unchanged = []
        for _ in range(5):
            started = time.perf_counter()
            search.refresh()
            unchanged.append(time.perf_counter() - started)
        record = sessions.list()[0]  # type: ignore[attr-defined]
        sessions.add_turn(record.id, "explore", "user", "one more turn about sabbaticals")  # type: ignore[attr-defined]
        started = time.perf_counter()
        search.refresh()
        one_more = time.perf_counter() - started
        whole = []
        for q in queries:
            started = time.perf_counter()
            search.search(q, semantic=False)
            whole.append(time.perf_counter() - started)
        search.close()
        size = index_path.stat().st_size + sum(p.stat().st_size for p in index_path.parent.glob("history.sqlite3-*"))

        def ratio(seconds: float) -> str:
            return f"{seconds * 1000:8.1f} ms = {seconds / base:8.0f}x baseline"

        p95 = sorted(whole)[max(0, int(len(whole) * 0.95) - 1)]
        print(f"build the index from nothing:       {ratio(first)}")
        print(f"refresh, nothing changed (median):  {ratio(statistics.median(unchanged))}")
        print(f"refresh after one new turn:         {ratio(one_more)}")
        print(f"whole search p50 (refresh+query):   {ratio(statistics.median(whole))}")
        print(f"whole search p95:                   {ratio(p95)}")
        print(f"index file: {size / 1e6:.1f} MB; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        store.close()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
