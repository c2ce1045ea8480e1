"""Dev-set study, part 2 (`bench_retrieval.py --dev-only --study`): per-candidate features beyond
the one MaxSim score, each compared with the shipped re-sort on the same first-stage runs.

- length-aware MaxSim: a long chunk has more tokens for each query token to find a match in, so
  MaxSim - beta * ln(number of chunk tokens);
- symmetric MaxSim: plus the mean over the chunk's tokens of their best match in the query (how
  much of the chunk the query covers: favours focused passages);
- the query's sentence vector as one more query "token";
- other poolings of each query token's best match: squared, above a threshold, a soft maximum
  over the chunk's tokens, query tokens weighted by how much their best match varies over the
  candidates (an idf learnt from the candidates);
- the chunk's document: plus a share of the MaxSim over all the tokens of its source, or over
  its title and heading only;
- the first stage's own top hit (dense, BM25) kept within the top 5 (a recall safety net; the
  top 3 never change);
- a pairwise logistic ranker over several features (MaxSim, symmetric MaxSim, dense cosine, fused
  rank, ln tokens, note or card), its weights fitted leave-one-question-out: each question is
  ranked by weights fitted on the other 66, so the MRR reported is not the in-sample best.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from advisor.knowledge import late
from advisor.knowledge.indexer import embed_text

Score = Callable[[Any, str], float]  # (case, chunk id) -> score; higher first


class Features:
    def __init__(self, study: Any) -> None:
        self.study = study
        self.cases = study.cases
        emb = study.kb.embedder
        self.source = {r[0]: r[4] for r in study.rows}
        by_source: dict[str, list[np.ndarray]] = defaultdict(list)
        for cid, m in study.states.items():
            by_source[self.source[cid]].append(m)
        self.document = {s: np.concatenate(ms) for s, ms in by_source.items()}
        self.vector: dict[str, np.ndarray] = {}
        self.heading: dict[str, np.ndarray] = {}  # the title and heading's content tokens, as in the chunk's run
        keep = emb._content_mask()
        tok = emb._tokenizer
        for s in range(0, len(study.rows), 4):
            batch = study.rows[s : s + 4]
            unit, hidden, ids, _mask = emb._forward([embed_text(r[1], r[2], r[3]) for r in batch])
            for j, r in enumerate(batch):
                self.vector[r[0]] = unit[j]
                prefix = embed_text(r[1], r[2], "")
                n = len(tok.encode(prefix).ids) - 1  # up to, not including, [SEP]
                sel = keep[ids[j, 1:n]]
                states = hidden[j, 1:n][sel] if sel.any() else hidden[j, 1:n]
                self.heading[r[0]] = states / np.linalg.norm(states, axis=1, keepdims=True)

    # --------------------------------------------------------------- scores
    def best(self, case: Any, cid: str) -> np.ndarray:
        """Each query token's best cosine with the chunk's tokens."""
        best: np.ndarray = np.einsum("qd,td->qt", case.tokens, self.study.states[cid]).max(axis=1)
        return best

    def reverse(self, case: Any, cid: str) -> float:
        return float(np.einsum("qd,td->tq", case.tokens, self.study.states[cid]).max(axis=1).mean())

    def over(self, case: Any, m: np.ndarray) -> float:
        return float(np.einsum("qd,td->qt", case.tokens, m).max(axis=1).mean())

    def resort(self, score: Score) -> Callable[[Any], list[str]]:
        def ranker(case: Any) -> list[str]:
            ids = [c for c, _ in case.fused]
            head = [c for c in ids[: late.RERANK_DEPTH] if c in self.study.states]
            scores = {c: score(case, c) for c in head}
            rest = [c for c in ids if c not in scores]
            return sorted(head, key=lambda c: -scores[c]) + rest
        return ranker

    def spread_weighted(self, power: float) -> Callable[[Any], list[str]]:
        def ranker(case: Any) -> list[str]:
            ids = [c for c, _ in case.fused]
            head = [c for c in ids[: late.RERANK_DEPTH] if c in self.study.states]
            best = np.stack([self.best(case, c) for c in head])
            w = (best.std(axis=0) + 1e-3) ** power
            total = dict(zip(head, (best * w).sum(axis=1) / w.sum(), strict=True))
            return sorted(head, key=lambda c: -total[c]) + [c for c in ids if c not in total]
        return ranker

    def floor(self, runs: Sequence[str], slots: int = 5) -> Callable[[Any], list[str]]:
        """The shipped order, with each named first-stage run's top hit moved up into the last
        free places of the top `slots` when MaxSim put it lower."""
        shipped = self.study.resort()

        def ranker(case: Any) -> list[str]:
            order = shipped(case)
            kept: list[str] = []
            for run in runs:
                hits = getattr(case, run)
                if hits and hits[0][0] not in order[:slots] and hits[0][0] not in kept:
                    kept.append(hits[0][0])
            rest = [c for c in order if c not in kept]
            return rest[: slots - len(kept)] + kept + rest[slots - len(kept) :]
        return ranker

    # --------------------------------------------------------------- a learnt ranker
    def features(self, case: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(candidates, their features z-scored within the question, which answer it)."""
        head = [c for c, _ in case.fused[: late.RERANK_DEPTH] if c in self.study.states]
        rows = [[self.best(case, c).mean(), self.reverse(case, c), float(self.vector[c] @ case.vector),
                 1 / (5 + i), np.log(len(self.study.states[c])), self.source[c].startswith("note:")]
                for i, c in enumerate(head)]
        f = np.array(rows, dtype=float)
        return head, (f - f.mean(axis=0)) / (f.std(axis=0) + 1e-9), np.array([c in case.good for c in head])

    @staticmethod
    def fit(data: Sequence[tuple[np.ndarray, np.ndarray]], l2: float = 1.0) -> np.ndarray:
        """Pairwise logistic regression (each answer against each other candidate), by Newton steps."""
        x = np.array([f[g] - f[b] for f, y in data for g in np.where(y)[0] for b in np.where(~y)[0]])
        w = np.zeros(x.shape[1])
        for _ in range(30):
            p = 1 / (1 + np.exp(-x @ w))
            grad = -x.T @ (1 - p) + l2 * w
            hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
            w -= np.linalg.solve(hess, grad)
        return w

    def learnt(self, columns: Sequence[int]) -> tuple[list[list[str]], np.ndarray]:
        """Leave-one-question-out orders of a ranker over `columns`, and its weights on all 67."""
        cols = list(columns)
        data = [(h, f[:, cols], y) for h, f, y in map(self.features, self.cases)]
        orders = []
        for i, (head, f, _y) in enumerate(data):
            w = self.fit([(g, y) for j, (_, g, y) in enumerate(data) if j != i and y.any() and (~y).any()])
            orders.append([head[j] for j in np.argsort(-(f @ w), kind="stable")])
        return orders, self.fit([(g, y) for _, g, y in data if y.any() and (~y).any()])

    # --------------------------------------------------------------- report
    def run(self) -> None:
        cases = self.cases
        shipped = self.study.resort()
        print("  per-candidate features (second_stage_features.py), against the shipped re-sort:")
        ln = {c: float(np.log(len(m))) for c, m in self.study.states.items()}
        variants: list[tuple[str, Callable[[Any], list[str]]]] = [
            *((f"MaxSim - {b} x ln(chunk tokens)", self.resort(lambda k, c, b=b: self.best(k, c).mean() - b * ln[c]))
              for b in (0.02, 0.05)),
            *((f"MaxSim + {w} x chunk->query MaxSim", self.resort(lambda k, c, w=w: self.best(k, c).mean() + w * self.reverse(k, c)))
              for w in (0.25, 0.5, 1.0)),
            ("query sentence vector as a query token", self.resort(
                lambda k, c: float(np.einsum("qd,td->qt", np.vstack([k.tokens, k.vector]), self.study.states[c]).max(axis=1).mean()))),
            ("mean of best match squared", self.resort(lambda k, c: float((np.clip(self.best(k, c), 0, None) ** 2).mean()))),
            ("mean of best match above 0.3", self.resort(lambda k, c: float(np.clip(self.best(k, c) - 0.3, 0, None).mean()))),
            ("soft maximum over chunk tokens (t=0.02)", self.resort(self._soft_max)),
            ("query tokens weighted by spread^0.5", self.spread_weighted(0.5)),
            ("query tokens weighted by 1/spread^0.5", self.spread_weighted(-0.5)),
            *((f"MaxSim + {g} x MaxSim over its document", self.resort(
                lambda k, c, g=g: self.best(k, c).mean() + g * self.over(k, self.document[self.source[c]])))
              for g in (0.1, 0.5)),
            *((f"MaxSim + {g} x MaxSim over title+heading", self.resort(
                lambda k, c, g=g: self.best(k, c).mean() + g * self.over(k, self.heading[c])))
              for g in (0.1, 0.25)),
            ("dense top hit kept in the top 5", self.floor(["dense"])),
            ("BM25 top hit kept in the top 5", self.floor(["lexical"])),
            ("dense and BM25 top hits kept in the top 5", self.floor(["dense", "lexical"])),
        ]
        self.study.compare(variants, shipped)
        from second_stage import _line, _rank

        base = [_rank(shipped(k), k.good) for k in cases]
        families: dict[str, list[Callable[[Any], list[str]]]] = {
            "beta in 0..0.08 (length)": [self.resort(lambda k, c, b=b: self.best(k, c).mean() - b * ln[c])
                                         for b in (0.0, 0.01, 0.02, 0.03, 0.05, 0.08)],
            "share in 0..1 (chunk->query)": [self.resort(lambda k, c, w=w: self.best(k, c).mean() + w * self.reverse(k, c))
                                             for w in (0.0, 0.1, 0.25, 0.5, 1.0)],
            "share in 0..0.5 (document)": [self.resort(
                lambda k, c, g=g: self.best(k, c).mean() + g * self.over(k, self.document[self.source[c]]))
                for g in (0.0, 0.05, 0.1, 0.25, 0.5)],
            "threshold in 0..0.4 (best match above)": [self.resort(
                lambda k, c, t=t: float(np.clip(self.best(k, c) - t, 0, None).mean())) for t in (0.0, 0.1, 0.2, 0.3, 0.4)],
        }
        for name, grid in families.items():
            print(_line(f"LOO choice of {name}", self.chosen_out_of_sample(grid), base))
        names = ["MaxSim", "chunk->query", "dense cos", "fused rank", "ln tokens", "note"]
        for cols in ([0, 4], [0, 5], [0, 1], [0, 3], list(range(len(names)))):
            orders, w = self.learnt(cols)
            ranks = [_rank(o, k.good) for o, k in zip(orders, cases, strict=True)]
            label = "logistic LOO: " + ", ".join(names[i] for i in cols)
            print(_line(label, ranks, base) + "  weights on all: " + " ".join(f"{x:+.2f}" for x in w))

    def chosen_out_of_sample(self, grid: Sequence[Callable[[Any], list[str]]]) -> list[int | None]:
        """Each question ranked by the grid's ranker with the best MRR on the other questions
        (ties go to the first, the shipped setting): a parameter's leave-one-out figure."""
        from second_stage import _rank

        ranks = [[_rank(r(k), k.good) for k in self.cases] for r in grid]
        rr = np.array([[1 / x if x else 0.0 for x in row] for row in ranks])
        out = []
        for i in range(len(self.cases)):
            pick = int(np.argmax(rr.sum(axis=1) - rr[:, i]))
            out.append(ranks[pick][i])
        return out

    def _soft_max(self, case: Any, cid: str, t: float = 0.02) -> float:
        sims = np.einsum("qd,td->qt", case.tokens, self.study.states[cid])
        top = sims.max(axis=1, keepdims=True)
        return float((top[:, 0] + t * np.log(np.exp((sims - top) / t).sum(axis=1))).mean())
