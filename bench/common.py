"""Shared pieces of the benchmarks: a dedicated embedded database, timers, ranking metrics."""

from __future__ import annotations

import os
import platform
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from matcher.config import Settings
from matcher.db import open_database
from matcher.service import Service
from matcher.setup import migrate_all

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
ESCO = ROOT.parent / "shared" / "data" / "esco"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def bench_service(name: str, *, fresh: bool = False, encoder: str | None = None) -> Service:
    """A service on its own embedded database under bench/out/<name> (never the user's ./var);
    ``fresh``: an empty one (an earlier one of that name is removed first); ``encoder``: another installed one."""
    if fresh and (OUT / name).exists():
        shutil.rmtree(OUT / name)
    settings = Settings(data_dir=OUT / name / "var", models_dir=OUT / name / "models", log_json=False)
    if encoder:
        settings = settings.model_copy(update={"encoder": encoder})
    if not settings.models_dir.exists():
        shutil.copytree(ROOT / "models", settings.models_dir)
    migrate_all(settings)
    return Service(settings, open_database(settings))


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    out: dict[str, float] = {}
    start = time.perf_counter()
    yield out
    out["s"] = time.perf_counter() - start


def latencies(fn: Callable[[Any], Any], items: list[Any], warmup: int = 3) -> dict[str, float]:
    for item in items[:warmup]:
        fn(item)
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - start) * 1000)
    arr = np.array(times)
    return {"n": len(arr), "p50_ms": round(float(np.percentile(arr, 50)), 2),
            "p95_ms": round(float(np.percentile(arr, 95)), 2), "max_ms": round(float(arr.max()), 2)}


def ndcg_at_k(ranked_relevance: np.ndarray, all_relevance: np.ndarray, k: int = 10) -> float:
    """NDCG@k of one ranked list against the best possible list from the whole pool."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    gains = np.zeros(k)
    gains[: min(k, len(ranked_relevance))] = ranked_relevance[:k]
    ideal = np.sort(all_relevance)[::-1][:k]
    idcg = float((ideal * discounts[: len(ideal)]).sum())
    return float((gains * discounts).sum() / idcg) if idcg > 0 else 0.0


def recall_at_k(ranked: list[int], all_relevance: np.ndarray, k: int = 10) -> float:
    """Share of the truly best k (by hidden relevance) that the ranked top k contains."""
    ideal = set(np.argsort(-all_relevance, kind="stable")[:k].tolist())
    return len(ideal & set(ranked[:k])) / k


def roc_auc(labels: list[int], scores: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))
