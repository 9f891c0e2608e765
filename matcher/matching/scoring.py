"""The additive scoring model: a logistic model over the pair features.

score = sigmoid(base + Σ contribution_i) with contribution_i = w_i · (x_i − r_i), where r_i is the
feature's reference value (its mean on the training data, or a documented typical value for the
prior). The contributions therefore add up *exactly* to the log-odds, and each says how much this
pair differs from a typical pair because of that one feature.

Models are stored as JSON (no pickles): the weights, the reference values, the feature names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from matcher.matching.features import FEATURES


@dataclass
class AdditiveModel:
    version: str
    weights: np.ndarray
    intercept: float
    reference: np.ndarray
    features: tuple[str, ...] = FEATURES
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if tuple(self.features) != FEATURES:
            raise ValueError(f"model {self.version} was made for other features: {self.features}")
        self.weights = np.asarray(self.weights, dtype=np.float32)
        self.reference = np.asarray(self.reference, dtype=np.float32)

    @property
    def base(self) -> float:
        """The log-odds of a pair whose features all sit at their reference values."""
        return float(self.intercept + self.weights @ self.reference)

    def logit(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X @ self.weights + np.float32(self.intercept), dtype=np.float32)

    @cached_property
    def _range(self) -> tuple[float, float]:
        """The lowest and highest log-odds this model can give."""
        return (float(self.intercept + np.minimum(self.weights, 0).sum()),
                float(self.intercept + np.maximum(self.weights, 0).sum()))

    def points(self, logit: float) -> float:
        """The log-odds on a 0–100 scale: the share of the attainable range (every feature lies in [0, 1], so
        the lowest and highest log-odds this model can give are known). Unlike the probability it does not
        bunch up near 100 for good matches, so two people at 99 % still differ by a few points."""
        low, high = self._range
        return round(max(0.0, min(100.0, 100.0 * (logit - low) / (high - low))), 1) if high > low else 50.0

    def score(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(X)))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.weights * (x - self.reference), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "werkmatch-additive-logistic/1",
            "version": self.version,
            "features": list(self.features),
            "weights": [round(float(w), 6) for w in self.weights],
            "intercept": round(float(self.intercept), 6),
            "reference": [round(float(r), 6) for r in self.reference],
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AdditiveModel:
        if data.get("format") != "werkmatch-additive-logistic/1":
            raise ValueError("not a werkmatch additive model")
        return cls(version=data["version"], weights=np.array(data["weights"]), intercept=data["intercept"],
                   reference=np.array(data["reference"]), features=tuple(data["features"]),
                   meta=data.get("meta", {}))

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "model.json"
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path) -> AdditiveModel:
        return cls.from_json(json.loads((directory / "model.json").read_text()))
