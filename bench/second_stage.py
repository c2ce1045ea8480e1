"""Dev-set study of the ranking after the first stage (`bench_retrieval.py --dev-only --study`).

Each variant below re-ranks the same first-stage runs of every dev question (dense and BM25, 40
deep each, fused by RRF) and is compared with what search ships (the fused top 20 re-sorted by
MaxSim, `late.rerank`) question by question: r@1 / r@5 / MRR (over the top 10), how many
questions went up or down, and the change in MRR with a 95% bootstrap interval over questions
(5,000 resamples). A variant whose interval spans 0 is not a finding on 67 questions, whatever
its mean. The test set is never studied.

The variants are the usual ways to make a late-interaction second stage better:
- depth: how many fused candidates MaxSim re-sorts (the ceiling is the fused recall at that depth);
- IDF: query tokens weighted by the inverse document frequency of their wordpiece in the corpus
  (BM25's idf over the chunks' texts as embedded), or its square root, instead of a plain mean;
- query tokens: stop words, question words or punctuation left out on the query side;
- blends: MaxSim plus a share of the first stage (the RRF score over its best, or the BM25 or
  dense score min-max scaled over the candidates), instead of a pure re-sort.

Then (`second_stage_features.py`) per-candidate features beyond the one score: length-aware
MaxSim, symmetric MaxSim, the query's sentence vector as a token, the document's evidence, other
ways to pool each query token's best match, the first stage's top hits kept in the top 5, and a
pairwise logistic ranker over several features, reported leave-one-question-out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from advisor.knowledge import late
from advisor.knowledge.catalog import STOPWORDS
from advisor.knowledge.indexer import embed_text
from advisor.knowledge.search import RRF_K, rrf

DEPTH = 40  # each first-stage run, as search asks for k <= 10
QUESTION_WORDS = frozenset(["what", "why", "how", "which", "where", "when", "who", "should", "could", "would", "can", "do", "does", "is", "are", "will"])


@dataclass
class Case:
    """One dev question's first stage and what the second stage needs."""

    dense: list[tuple[str, float]]
    lexical: list[tuple[str, float]]
    fused: list[tuple[str, float]]
    tokens: np.ndarray  # the query's unit token vectors (late.query_tokens)
    vector: np.ndarray  # the query's unit sentence vector (what the dense index is asked with)
    pieces: list[str]  # their wordpieces
    ids: np.ndarray  # their wordpiece ids
    good: set[str]  # chunks that answer it


Ranker = Callable[[Case], list[str]]


def _rank(ids: Sequence[str], good: set[str], k: int = 10) -> int | None:
    return next((i for i, c in enumerate(ids[:k], 1) if c in good), None)


def _metrics(ranks: list[int | None]) -> tuple[float, float, float]:
    n = len(ranks)
    return (sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 5 for r in ranks) / n,
            sum(1 / r for r in ranks if r) / n)


def paired(base: list[int | None], other: list[int | None], resamples: int = 5000) -> tuple[float, float, float, int, int]:
    """(mean change in reciprocal rank, 2.5th and 97.5th percentile of its bootstrap, wins, losses)."""
    diff = np.array([(1 / b if b else 0.0) - (1 / a if a else 0.0) for a, b in zip(base, other, strict=True)])
    rng = np.random.default_rng(0)
    means = diff[rng.integers(0, len(diff), (resamples, len(diff)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(diff.mean()), float(lo), float(hi), int((diff > 0).sum()), int((diff < 0).sum())


class Study:
    def __init__(self, kb: Any, dev: list[dict[str, Any]], good_of: Callable[[dict[str, Any]], set[str]]) -> None:
        self.kb = kb
        cat = kb.catalog
        rows = cat.db.execute("SELECT chunk_id, title, location, text, source_id FROM chunks").fetchall()
        self.rows = rows
        self.states = {c: late.unpack(b, kb.embedder.dimensions) for c, b in cat.token_states([r[0] for r in rows]).items()}
        tok = kb.embedder._tokenizer
        self.vocab = {i: t for t, i in tok.get_vocab().items()}
        df = np.zeros(max(self.vocab) + 1)
        for enc in tok.encode_batch([embed_text(r[1], r[2], r[3]) for r in rows]):
            df[np.unique([i for i, m in zip(enc.ids, enc.attention_mask, strict=True) if m])] += 1
        n = len(rows)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))  # BM25's idf
        self.cases = []
        for item in dev:
            q = item["q"]
            _unit, hidden, ids, mask = kb.embedder._forward([q])
            length = int(mask[0].sum())
            dense = kb.dense.query(_unit[0], DEPTH)
            lexical = kb._lexical(q, DEPTH, None, None)
            inner = ids[0, 1 : length - 1]
            self.cases.append(Case(
                dense, lexical, rrf([dense, lexical]), late.query_tokens(hidden[0], length), _unit[0],
                [self.vocab[int(i)] for i in inner], inner, good_of(item),
            ))

    # --------------------------------------------------------------- scorers
    def maxsim(self, case: Case, ids: Sequence[str], weights: np.ndarray | None = None,
               keep: np.ndarray | None = None) -> dict[str, float]:
        q = case.tokens if keep is None or not keep.any() else case.tokens[keep]
        w = None if weights is None else (weights if keep is None or not keep.any() else weights[keep])
        out = {}
        for c in ids:
            if c in self.states:
                best = np.einsum("qd,td->qt", q, self.states[c]).max(axis=1)
                out[c] = float(best.mean() if w is None else (best * w).sum() / w.sum())
        return out

    def resort(self, depth: int = late.RERANK_DEPTH, **kw: Any) -> Ranker:
        def ranker(case: Case) -> list[str]:
            ids = [c for c, _ in case.fused]
            head = ids[:depth]
            sims = self.maxsim(case, head, **kw)
            return sorted(head, key=lambda c: -sims.get(c, -1.0)) + ids[depth:]
        return ranker

    def idf_weighted(self, power: float) -> Ranker:
        def ranker(case: Case) -> list[str]:
            return self.resort(weights=self.idf[case.ids] ** power)(case)
        return ranker

    def dropping(self, drop: Callable[[str], bool]) -> Ranker:
        def ranker(case: Case) -> list[str]:
            return self.resort(keep=np.array([not drop(p) for p in case.pieces]))(case)
        return ranker

    def blend(self, share: float, run: str) -> Ranker:
        """MaxSim + share * the first stage's score on the candidates, scaled to 0..1."""
        def ranker(case: Case) -> list[str]:
            ids = [c for c, _ in case.fused]
            head = ids[: late.RERANK_DEPTH]
            sims = self.maxsim(case, head)
            scores = dict({"fused": case.fused, "lexical": case.lexical, "dense": case.dense}[run])
            lo = min((scores[c] for c in head if c in scores), default=0.0)
            first = np.array([scores.get(c, lo) for c in head])
            span = float(first.max() - first.min()) or 1.0
            total = {c: sims.get(c, 0.0) + share * (f - first.min()) / span for c, f in zip(head, first, strict=True)}
            return sorted(head, key=lambda c: -total[c]) + ids[late.RERANK_DEPTH :]
        return ranker

    # --------------------------------------------------------------- report
    def compare(self, variants: Sequence[tuple[str, Ranker]], shipped: Ranker) -> None:
        """One line per variant: its r@1 / r@5 / MRR and its paired change against `shipped`."""
        base = [_rank(shipped(k), k.good) for k in self.cases]
        for label, ranker in variants:
            ranks = [_rank(ranker(k), k.good) for k in self.cases]
            print(_line(label, ranks, None if ranker is shipped else base))

    def run(self) -> None:
        cases = self.cases
        fused_recall = {d: sum(any(c in k.good for c, _ in k.fused[:d]) for k in cases) / len(cases) for d in (10, 20, 30, 40)}
        print(f"  second-stage study on the dev set ({len(cases)} questions; RRF k={RRF_K}, runs {DEPTH} deep). "
              "Fused recall at depth " + ", ".join(f"{d}: {r:.3f}" for d, r in fused_recall.items()))
        shipped = self.resort()
        variants: list[tuple[str, Ranker]] = [
            ("shipped: fused top 20 re-sorted by MaxSim", shipped),
            ("fused, no second stage", lambda k: [c for c, _ in k.fused]),
            *((f"re-sort depth {d}", self.resort(depth=d)) for d in (10, 30, 40)),
            ("query tokens weighted by idf", self.idf_weighted(1.0)),
            ("query tokens weighted by sqrt(idf)", self.idf_weighted(0.5)),
            ("query stop words left out", self.dropping(lambda p: p in STOPWORDS)),
            ("query question words left out", self.dropping(lambda p: p in QUESTION_WORDS)),
            ("query punctuation left out", self.dropping(lambda p: not any(ch.isalnum() for ch in p))),
            *((f"MaxSim + {s} x fused score", self.blend(s, "fused")) for s in (0.02, 0.1, 0.5)),
            *((f"MaxSim + {s} x BM25 score", self.blend(s, "lexical")) for s in (0.05, 0.2)),
            *((f"MaxSim + {s} x dense cosine", self.blend(s, "dense")) for s in (0.05, 0.2)),
        ]
        self.compare(variants, shipped)
        from second_stage_features import Features

        Features(self).run()


def _line(label: str, ranks: list[int | None], base: list[int | None] | None) -> str:
    """A study row: metrics, and against the shipped ranks (if given) the paired change in MRR."""
    r1, r5, mrr = _metrics(ranks)
    versus = ""
    if base is not None:
        d, lo, hi, wins, losses = paired(base, ranks)
        versus = (f"  vs shipped: MRR {d:+.3f} [{lo:+.3f}, {hi:+.3f}], up {wins} down {losses}"
                  f"{'' if lo <= 0 <= hi or math.isclose(lo, hi) else '  <- beyond noise'}")
    return f"    {label:<42} r@1 {r1:.3f}  r@5 {r5:.3f}  MRR {mrr:.3f}{versus}"
