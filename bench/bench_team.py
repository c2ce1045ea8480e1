"""Team knowledge base benchmark: homes sharing notes on one real Chroma server. Prints figures; not a test.

    python bench/bench_team.py [--homes 3] [--notes 300] [--queries 40]

Starts `chroma run` (the installed chromadb) on a free loopback port with a temporary folder.
`--homes` homes each add `--notes` notes of ~150 words (cut from the seed essays, ../shared/seeds;
random words when absent) and share them; a further home then searches the shared base.

Figures, each against a baseline measured in the same process so that load on the machine cancels:
- the embedder's raw rate (texts/s, one `Embedder.embed` over the notes of a home): the baseline;
- a home's local indexing rate (add_paths: read, chunk, embed, write) and its upload rate
  (sharing the indexed notes: vectors read from the home's own index, upserted to the server);
- curated cards in the second and third homes: texts embedded (0 when they came from the server);
- the searching home: its first connection (the mirror of every team passage pulled into FTS5),
  then hybrid search p50/p95 over own + team notes, against the same queries in a home with no
  team server (the ratio is what the team costs a search);
- peak RSS; the load average (`uptime`) at start and end.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]
from bench_history import corpus_words  # noqa: E402 - the seed essays' words (random words when absent)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("chroma server did not start")


def write_notes(folder: Path, words: list[str], n: int, rng: random.Random, tag: str) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        start = rng.randrange(0, len(words) - 150)
        p = folder / f"{tag}-{i:04d}.txt"
        p.write_text(f"{tag} note {i}: " + " ".join(words[start:start + 150]) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


class Counting:
    """The shared embedder, counting what it embeds."""

    def __init__(self, inner: object) -> None:
        self.inner, self.texts = inner, 0

    def embed(self, texts: list[str]) -> object:
        self.texts += len(texts)
        return self.inner.embed(texts)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--homes", type=int, default=3)
    ap.add_argument("--notes", type=int, default=300)
    ap.add_argument("--queries", type=int, default=40)
    args = ap.parse_args()
    print("start:", uptime())
    from advisor.knowledge import KnowledgeBase
    from advisor.knowledge.embedder import Embedder
    from advisor.settings import Settings

    words = corpus_words()
    rng = random.Random(12)
    tmp = Path(tempfile.mkdtemp(prefix="bench-team-"))
    proc, url = start_server(tmp)
    embedder = Embedder()
    try:
        def home(name: str, team: bool = True) -> tuple[KnowledgeBase, Counting]:
            counting = Counting(embedder)
            knowledge = {"chroma_url": url, "member_name": name} if team else {}
            return KnowledgeBase(Settings(home=tmp / name, knowledge=knowledge), embedder=counting), counting  # type: ignore[arg-type]

        raw_texts = [f.read_text() for f in write_notes(tmp / "raw", words, args.notes, rng, "raw")]
        t = time.perf_counter()
        embedder.embed(raw_texts)
        raw_rate = len(raw_texts) / (time.perf_counter() - t)
        print(f"embedder raw rate: {raw_rate:.1f} texts/s ({len(raw_texts)} notes of ~150 words)  [baseline]")
        for i in range(args.homes):
            kb, counting = home(f"member{i}")
            t = time.perf_counter()
            kb._ready()
            cards_s, cards_embedded = time.perf_counter() - t, counting.texts
            counting.texts = 0
            paths = write_notes(tmp / f"notes{i}", words, args.notes, rng, f"member{i}")
            t = time.perf_counter()
            report = kb.add_paths(paths)
            index_s = time.perf_counter() - t
            ids = [item.note_id for item in report.items if item.note_id]
            t = time.perf_counter()
            kb._share(ids)  # type: ignore[arg-type]
            upload_s = time.perf_counter() - t
            chunks = sum(item.chunks for item in report.items)
            print(f"home {i}: curated cards: {cards_embedded} texts embedded in {cards_s:.1f}s; "
                  f"{len(ids)} notes ({chunks} chunks) indexed at {chunks / index_s:.1f} chunks/s "
                  f"({chunks / index_s / raw_rate:.2f}x raw), uploaded at {chunks / upload_s:.0f} chunks/s "
                  f"({chunks / upload_s / raw_rate:.1f}x the embedder's raw rate); notice: {kb.team_notice}")
            kb.close()
        searcher, _ = home("searcher")
        t = time.perf_counter()
        searcher._ready()
        status = searcher.team_status()
        print(f"searching home: ready + first connection (mirror pull of {status.team_passages} team passages) "
              f"in {time.perf_counter() - t:.1f}s")
        solo, _ = home("solo", team=False)
        solo.add_paths(write_notes(tmp / "solo-notes", words, 20, rng, "solo"))
        searcher.add_paths(write_notes(tmp / "searcher-notes", words, 20, rng, "searcher"))
        queries = [" ".join(words[s:s + rng.randint(3, 8)]) for s in (rng.randrange(0, len(words) - 10) for _ in range(args.queries))]
        timings: dict[str, list[float]] = {"solo": [], "team": []}
        team_hits = 0
        for q in queries:
            for name, kb in (("solo", solo), ("team", searcher)):
                t = time.perf_counter()
                hits = kb.search(q, k=5)
                timings[name].append((time.perf_counter() - t) * 1000)
                if name == "team":
                    team_hits += sum(1 for h in hits if h.owner == "team")
        for name, ms in timings.items():
            print(f"search {name:<4} ({'own notes + cards' if name == 'solo' else 'own + team notes + cards'}): "
                  f"p50 {statistics.median(ms):6.1f} ms  p95 {p(ms, 0.95):6.1f} ms over {len(ms)} queries")
        print(f"team search p95 / solo p95: {p(timings['team'], 0.95) / p(timings['solo'], 0.95):.2f}x; "
              f"{team_hits} of {5 * len(queries)} results were team notes")
        searcher.close()
        solo.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB (pid {os.getpid()})")
    print("end:", uptime())


if __name__ == "__main__":
    main()
