"""Learning the normaliser's similarity blend: how much spelling, character n-grams and meaning each count
when deciding that two job-domain phrases name the same thing.

The examples come from an ESCO download (the user's own; none ships here): every Dutch alternative label
of an occupation, set against the preferred labels the normaliser's candidate search puts in front of it,
is a positive pair for its own occupation and a negative pair for the others. Occupations are split by a
hash of their URI (`split_of`), fixed before anything was fitted: weights are fitted on ``train``, the
acceptance threshold is chosen on ``dev``, and ``test`` is only ever reported (bench/).

The weights are fitted for ranking, as a pairwise logistic regression (RankNet with a linear scorer): for
each query, the right label's features minus a wrong label's should score above zero. That orders the
candidates of one query, which is the normaliser's job; a plain classifier over all pairs puts the weight
where positives and negatives differ on average, which on ESCO ranks worse than the encoder alone. A
one-feature logistic regression on the scores (Platt scaling) then turns them into probabilities. The
regularisation strength is chosen on dev. The few weights go to a small JSON file with a card, which the
normaliser loads. One blend is fitted per encoder, and one without an encoder (letters only).
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matcher.matching.embeddings import Encoder
from matcher.matching.vocabulary.blend import FEATURES, Blend, pair_features
from matcher.matching.vocabulary.normalise import proposed
from matcher.text import fold

# Buckets of sha256(conceptUri) % 10. Frozen: changing them would put fitted-on concepts into the test split.
SPLITS = {"train": range(0, 6), "dev": range(6, 8), "test": range(8, 10)}
CANDIDATES = 20  # labels per query from each candidate source (the normaliser's search, widened)


def split_of(uri: str) -> str:
    bucket = int(hashlib.sha256(uri.encode()).hexdigest()[:8], 16) % 10
    return next(name for name, buckets in SPLITS.items() if bucket in buckets)


@dataclass(frozen=True)
class Occupation:
    uri: str
    pref: str
    alts: tuple[str, ...]
    description: str

    @property
    def split(self) -> str:
        return split_of(self.uri)


def occupations(esco_dir: Path, lang: str = "nl") -> list[Occupation]:
    """The occupations of an ESCO CSV download, with their labels in one language."""
    path = esco_dir / f"occupations_{lang}.csv"
    if not path.exists():
        raise FileNotFoundError(f"no occupations_{lang}.csv in {esco_dir}")
    csv.field_size_limit(10_000_000)
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            pref = (row.get("preferredLabel") or "").strip()
            if not pref:
                continue
            alts = tuple(dict.fromkeys(a.strip() for a in (row.get("altLabels") or "").split("\n")
                                       if a.strip() and fold(a) != fold(pref)))
            out.append(Occupation(row["conceptUri"], pref, alts, (row.get("description") or "").strip()))
    return out


def _pairs(queries: list[tuple[str, int]], prefs: list[str], encoder: Encoder | None
           ) -> Iterator[tuple[int, int, np.ndarray, int]]:
    """(query, label, features, same) for each query against the labels its candidate search finds."""
    from rapidfuzz import fuzz, process
    from sklearn.feature_extraction.text import TfidfVectorizer

    folded = [fold(p) for p in prefs]
    texts = [fold(q) for q, _ in queries]
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(folded)
    ngram = (tfidf.transform(texts) @ tfidf.transform(folded).T).toarray()
    spelling = process.cdist(texts, folded, scorer=fuzz.WRatio, workers=-1)
    embed = None
    if encoder is not None:
        embed = encoder.encode(texts) @ encoder.encode(folded).T
    for qi, (text, gold) in enumerate(zip(texts, (g for _, g in queries), strict=True)):
        found = proposed((ngram[qi], spelling[qi], None if embed is None else embed[qi]), CANDIDATES)
        for li in sorted(found):  # the right label only where a signal finds it, as in use
            cos = None if embed is None else float(embed[qi, li])
            yield qi, li, pair_features(text, folded[li], cos, float(ngram[qi, li])), int(li == gold)


def fit(esco_dir: Path, encoder: Encoder | None, *, max_queries: int = 4000, seed: int = 7) -> Blend:
    """Fit a blend on the train occupations, choose its strength and threshold on dev, describe both on its card."""
    from sklearn.linear_model import LogisticRegression

    occs = occupations(esco_dir)
    prefs = [o.pref for o in occs]
    rng = random.Random(seed)

    def queries(split: str) -> list[tuple[str, int]]:
        found = [(alt, i) for i, o in enumerate(occs) if o.split == split for alt in o.alts]
        rng.shuffle(found)
        return found[:max_queries]

    train, dev = _grouped(_pairs(queries("train"), prefs, encoder)), _grouped(_pairs(queries("dev"), prefs, encoder))
    found = [(x, gold) for x, gold in train if gold >= 0]  # a query no signal finds teaches the ranking nothing
    differences = np.array([x[gold] - x[k] for x, gold in found for k in range(len(x)) if k != gold])
    ranked = {}
    for c in C_GRID:  # the ranking weights: right-minus-wrong scores above zero, and wrong-minus-right below
        model = LogisticRegression(C=c, fit_intercept=False, max_iter=3000).fit(
            np.vstack([differences, -differences]), np.r_[np.ones(len(differences)), np.zeros(len(differences))])
        ranked[c] = (_mrr(model.coef_[0], dev), model.coef_[0])
    best_c = max(ranked, key=lambda c: ranked[c][0])
    weights = ranked[best_c][1]
    scores = np.concatenate([x @ weights for x, _ in train])[:, None]
    same = np.concatenate([np.arange(len(x)) == gold for x, gold in train])  # gold -1: none of them
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(scores, same)
    scale = float(platt.coef_[0, 0])
    blend = Blend(encoder=encoder.name if encoder else None, weights=(weights * scale).round(4).tolist(),
                  intercept=round(float(platt.intercept_[0]), 4), threshold=0.5, card={})
    blend.threshold, dev_metrics = _threshold(blend, dev, rng)
    blend.cosines = _cosines(occs, encoder) if encoder else None
    blend.card = {
        "fitted": datetime.now(UTC).date().isoformat(),
        "data": "ESCO v1.1.1 occupations (Dutch): alternative label -> preferred label",
        "split": "sha256(conceptUri) % 10: 0-5 train, 6-7 dev (strength, threshold), 8-9 test (reported in bench/)",
        "train": {"queries": len(train), "found_by_a_signal": len(found), "pairs": int(same.size),
                  "ranking_pairs": len(differences)},
        "dev": {"mrr_by_C": {str(c): round(m, 4) for c, (m, _) in ranked.items()}, "C": best_c} | dev_metrics,
        "features": list(FEATURES),
        "model": "pairwise logistic regression (scikit-learn, no intercept) + Platt scaling",
    }
    return blend


C_GRID = (0.1, 1.0, 10.0)
COSINE_SAMPLE = 2000


def _cosines(occs: list[Occupation], encoder: Encoder) -> dict[str, float]:
    """Mean and spread of the encoder's cosines on one fixed sample of train pairs, half of them an alternative
    label with its own preferred label, half with another occupation's: the same texts for every encoder, so
    two encoders' scales can be matched (`matching.vocabulary.blend.meaning_scale`)."""
    rng = random.Random(1)
    train = [o for o in occs if o.split == "train" and o.alts]
    left, right = [], []
    for n in range(COSINE_SAMPLE):
        occ = rng.choice(train)
        left.append(fold(rng.choice(occ.alts)))
        right.append(fold(occ.pref if n % 2 == 0 else rng.choice(train).pref))
    cos = (encoder.encode(left) * encoder.encode(right)).sum(axis=1)
    return {"mean": round(float(cos.mean()), 4), "std": round(float(cos.std()), 4), "pairs": COSINE_SAMPLE}


def _grouped(pairs: Iterator[tuple[int, int, np.ndarray, int]]) -> list[tuple[np.ndarray, int]]:
    """Per query: the features of its candidate labels and which one is right (-1: none of them)."""
    rows: dict[int, list[tuple[np.ndarray, int]]] = {}
    for qi, _, features, same in pairs:
        rows.setdefault(qi, []).append((features, same))
    return [(np.array([f for f, _ in group]), next((k for k, (_, s) in enumerate(group) if s), -1))
            for group in rows.values()]


def _mrr(weights: np.ndarray, groups: list[tuple[np.ndarray, int]]) -> float:
    """Mean reciprocal rank of the right label among the candidates (0 where no signal found it)."""
    return float(np.mean([1.0 / (1 + int(((x @ weights) > (x[gold] @ weights)).sum())) if gold >= 0 else 0.0
                          for x, gold in groups]))


def _threshold(blend: Blend, dev: list[tuple[np.ndarray, int]], rng: random.Random) -> tuple[float, dict[str, Any]]:
    """The threshold with the best F1 for "accept the best label" on dev, where half the queries have their
    own occupation taken away (so that saying "unknown" is sometimes right, as it is in use)."""
    best = []
    for x, gold in dev:
        hidden = rng.random() < 0.5
        probabilities = np.array([blend.probability(f) for f in x])
        if hidden and gold >= 0:
            probabilities[gold] = -1.0
        top = int(np.argmax(probabilities))
        best.append((float(probabilities[top]), int(top == gold), hidden))
    findable = sum(not hidden for _, _, hidden in best)
    top_f1 = (0.0, 0.5, 0.0, 0.0)
    tp = fp = 0
    for p, right, _ in sorted(best, reverse=True):
        tp, fp = tp + right, fp + (1 - right)
        precision, recall = tp / (tp + fp), tp / max(findable, 1)
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if f1 > top_f1[0]:
            top_f1 = (f1, p, precision, recall)
    return round(top_f1[1], 4), {"queries": len(dev), "own_occupation_removed": len(dev) - findable,
                                 "f1": round(top_f1[0], 4), "precision": round(top_f1[2], 4),
                                 "recall": round(top_f1[3], 4)}
