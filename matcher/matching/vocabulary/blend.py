"""The similarity blend: one probability that two job-domain phrases name the same thing, from their
spelling, their character n-grams and (when an encoder is loaded) their meaning.

The weights are fitted, not chosen: `matcher.learning.blend` fits a logistic regression on ESCO
occupations and writes them, with a card saying on what, to ``data/blend.json`` (one blend per encoder,
and one for letters only). This module only computes the pair features and applies the weights, so the
normaliser needs no ESCO and no scikit-learn at run time.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz

BLEND_FILE = Path(__file__).parent / "data" / "blend.json"
FEATURES = ("spelling", "word_order", "contained", "ngrams", "weighted_ngrams", "meaning")


def pair_features(a: str, b: str, meaning: float | None, weighted_ngrams: float) -> np.ndarray:
    """The features of two folded phrases, each in [0, 1]. ``meaning`` is the encoder's cosine (0 without);
    ``weighted_ngrams`` the cosine of their character n-grams weighted by how rare each n-gram is among the
    vocabulary's labels (the normaliser's candidate search), where ``ngrams`` counts every n-gram alike."""
    return np.array([
        fuzz.ratio(a, b) / 100,
        fuzz.token_sort_ratio(a, b) / 100,
        fuzz.partial_ratio(a, b) / 100 if min(len(a), len(b)) >= 4 else 0.0,
        ngram_cosine(a, b),
        max(weighted_ngrams, 0.0),
        max(meaning, 0.0) if meaning is not None else 0.0,
    ], dtype=np.float64)


def _grams(text: str) -> Counter[str]:
    """Character 2- to 4-grams inside each word padded with spaces (scikit-learn's ``char_wb``)."""
    grams: Counter[str] = Counter()
    for word in text.split():
        padded = f" {word} "
        for n in (2, 3, 4):
            grams.update(padded[i:i + n] for i in range(max(len(padded) - n + 1, 1)))
    return grams


def ngram_cosine(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    dot = sum(count * gb[g] for g, count in ga.items())
    norm = math.sqrt(sum(v * v for v in ga.values()) * sum(v * v for v in gb.values()))
    return dot / norm if norm else 0.0


@dataclass
class Blend:
    encoder: str | None  # the encoder whose cosines the weights were fitted on; None: letters only
    weights: list[float]
    intercept: float
    threshold: float  # accept the best label at or above this probability
    card: dict[str, Any] = field(default_factory=dict)
    # mean and spread of this encoder's cosines on one fixed sample of job-title pairs (`learning.blend`)
    cosines: dict[str, float] | None = None

    def probability(self, features: np.ndarray) -> float:
        z = self.intercept + float(np.dot(self.weights, features))
        return 1.0 / (1.0 + math.exp(-z))


def load_all(path: Path = BLEND_FILE) -> dict[str | None, Blend]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("features") != list(FEATURES):  # weights fitted on other features would be applied to the wrong ones
        raise ValueError(f"{path}: the blend was fitted on the features {data.get('features')}, this version computes "
                         f"{list(FEATURES)}: fit it again with `matcher vocab fit-blend`")
    return {b["encoder"]: Blend(**b) for b in data["blends"]}


@lru_cache(maxsize=8)
def for_encoder(name: str | None, path: Path = BLEND_FILE) -> Blend:
    """The blend fitted for this encoder; for an encoder without one, the letters-only blend (its cosines
    would be read with another model's weights)."""
    blends = load_all(path)
    return blends.get(name) or blends[None]


REFERENCE = "all-MiniLM-L6-v2"  # the encoder whose cosine scale the shipped scoring model was set on


@lru_cache(maxsize=8)
def meaning_scale(name: str | None, path: Path = BLEND_FILE) -> tuple[float, float]:
    """(offset, gain) that put this encoder's cosines on the reference encoder's scale.

    The prior's weight and reference value for `semantic_similarity` were set on all-MiniLM-L6-v2's cosines
    (spread about 0.1 between job texts). multilingual-e5-small gives every pair of job texts a cosine near
    0.85 with a spread of about 0.02: on the raw scale its meaning would hardly move a score. Matching the
    mean and spread measured on the same pairs keeps the feature's meaning when the encoder changes.
    Identity for the reference encoder and for an encoder without measured cosines."""
    blends = load_all(path)
    own, ref = blends.get(name), blends.get(REFERENCE)
    if own is None or ref is None or not own.cosines or not ref.cosines or name == REFERENCE:
        return 0.0, 1.0
    gain = ref.cosines["std"] / own.cosines["std"]
    return ref.cosines["mean"] - gain * own.cosines["mean"], gain


def save_all(blends: list[Blend], path: Path = BLEND_FILE) -> None:
    path.write_text(json.dumps({"format": "werkmatch-similarity-blend/1", "features": list(FEATURES),
                                "blends": [asdict(b) for b in blends]}, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
