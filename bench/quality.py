"""Match quality: Dutch synonyms, ESCO title normalisation, and shortlists against the hidden truth,
each next to simple baselines measured on the same data in the same run."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.common import ESCO, ROOT, ndcg_at_k, recall_at_k, roc_auc
from matcher.matching.explain import Explainer
from matcher.matching.features import FEATURES, compute
from matcher.matching.ranking import for_vacancy
from matcher.matching.vocabulary import Concept, Label, Vocabulary
from matcher.matching.vocabulary.normalise import KindNormaliser, _blend
from matcher.service import Service
from matcher.text import fold

PAIRS = ROOT / "bench" / "data" / "dutch_synonym_pairs.tsv"


def _ngram_matrix(texts: list[str]) -> Any:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit_transform(texts)


def synonym_auc(service: Service, path: Path = PAIRS) -> dict[str, Any]:
    """ROC AUC of each similarity on the project's Dutch synonym pairs (label 1) and non-pairs (0)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    a = [fold(r["a"]) for r in rows]
    b = [fold(r["b"]) for r in rows]
    labels = [int(r["label"]) for r in rows]
    va, vb = service.encoder.encode(a), service.encoder.encode(b)
    matrix = _ngram_matrix(a + b)
    ngram = np.asarray(matrix[: len(a)].multiply(matrix[len(a):]).sum(axis=1)).ravel()
    scores = {
        "embedding only (bundled all-MiniLM-L6-v2)": (va * vb).sum(axis=1).tolist(),
        "character n-gram TF-IDF only": ngram.tolist(),
        "rapidfuzz only (WRatio)": [fuzz.WRatio(x, y) / 100 for x, y in zip(a, b, strict=True)],
        "combined (vocabulary + spelling + n-grams + embedding)":
            [service.normaliser.similarity(r["a"], r["b"], r["kind"]) for r in rows],
    }
    return {"pairs": sum(labels), "non_pairs": len(labels) - sum(labels),
            "auc": {name: round(roc_auc(labels, s), 4) for name, s in scores.items()}}


def _esco_occupations(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def esco_normalisation(service: Service, *, queries: int = 2000, seed: int = 7) -> dict[str, Any] | None:
    """Dutch ESCO alternative labels -> the right occupation among all 3,007 (preferred labels only)."""
    path = ESCO / "occupations_nl.csv"
    if not path.exists():
        return None
    rows = _esco_occupations(path)
    prefs = [fold(r["preferredLabel"]) for r in rows]
    pairs = [(fold(alt), i) for i, r in enumerate(rows) for alt in r["altLabels"].split("\n")
             if alt.strip() and fold(alt) != prefs[i]]
    random.Random(seed).shuffle(pairs)
    pairs = pairs[:queries]
    qs, gold = [p[0] for p in pairs], np.array([p[1] for p in pairs])

    def metrics(scores: np.ndarray) -> dict[str, float]:
        gold_scores = scores[np.arange(len(gold)), gold]
        ranks = 1 + (scores > gold_scores[:, None]).sum(axis=1)
        return {"mrr": round(float((1.0 / ranks).mean()), 4), "recall_at_10": round(float((ranks <= 10).mean()), 4)}

    matrix = _ngram_matrix(prefs + qs)
    ngram = (matrix[len(prefs):] @ matrix[: len(prefs)].T).toarray()
    spelling = process.cdist(qs, prefs, scorer=fuzz.WRatio, workers=-1) / 100
    embed = service.encoder.encode(qs) @ service.encoder.encode(prefs).T
    concepts = {str(i): Concept(id=str(i), kind="occupation", nl=p, labels=(Label(p, "nl", "pref"),))
                for i, p in enumerate(prefs)}
    combined_norm = KindNormaliser(list(Vocabulary(concepts).concepts.values()), service.encoder)
    label_ngram = (combined_norm.ngrams.transform(qs) @ combined_norm.label_ngrams.T).toarray()  # type: ignore[union-attr]
    combined = np.full_like(ngram, -1.0)
    for q in range(len(qs)):
        shortlist = set(np.argsort(-label_ngram[q])[:20]) | set(np.argsort(-spelling[q])[:20]) \
            | set(np.argsort(-embed[q])[:20])
        for idx in shortlist:
            owner = int(combined_norm.owners[idx])
            combined[q, owner] = max(combined[q, owner], _blend(qs[q], combined_norm.labels[idx],
                                                                float(label_ngram[q, idx]), float(embed[q, owner])))
    return {"occupations": len(prefs), "queries": len(qs), "methods": {
        "character n-gram TF-IDF": metrics(ngram), "rapidfuzz (WRatio)": metrics(spelling),
        "embedding (bundled all-MiniLM-L6-v2)": metrics(embed), "combined (normaliser blend)": metrics(combined)}}


def shortlist_quality(service: Service, truth: Any, *, vacancies: int = 200, seed: int = 11) -> dict[str, Any]:
    """NDCG@10 and Recall@10 of top-10 lists against the hidden truth, for the matcher and baselines."""
    with service.db.connection() as conn:
        snap = service.snapshot(conn)
        model = service.champion(conn)
    cands, vacs = snap.candidates, snap.vacancies
    active = np.flatnonzero(snap.active)
    refs = [cands.rows[i]["ref"] for i in active]
    profile = [fold(" ".join([e["title"] for e in cands.rows[i]["experience"]] +
                             [d["label"] for d in cands.rows[i]["desired_occupations"]] +
                             [s["label"] for s in cands.rows[i]["skills"]])) for i in active]
    open_rows = np.flatnonzero(snap.open)
    chosen = np.random.default_rng(seed).choice(open_rows, size=min(vacancies, len(open_rows)), replace=False)
    explainer = Explainer(service.vocabulary)
    rng = np.random.default_rng(seed)
    sem, txt = FEATURES.index("semantic_similarity"), FEATURES.index("text_similarity")
    methods: dict[str, list[tuple[float, float]]] = {k: [] for k in (
        "random", "character n-gram TF-IDF only", "rapidfuzz only", "embedding only",
        "werkmatch (prior model, no re-rank)", "werkmatch (prior model + exposure re-rank)")}
    position = {int(c): k for k, c in enumerate(active)}
    for j in chosen:
        vac = vacs.rows[j]
        relevance = truth.relevance(refs, [(vac["source"], vac["external_id"])])[:, 0]
        block = compute(cands, vacs, active, np.array([j]))
        vac_text = fold(" ".join([vac["title"]] + [s["label"] for s in vac["required_skills"]]))
        signals = {
            "random": rng.random(len(active)),
            "character n-gram TF-IDF only": block.X[:, 0, txt],
            "embedding only": block.X[:, 0, sem],
            "rapidfuzz only": process.cdist([vac_text], profile, scorer=fuzz.token_set_ratio, workers=-1)[0],
        }
        for name, signal in signals.items():
            top = np.argsort(-signal, kind="stable")[:10].tolist()
            methods[name].append((ndcg_at_k(relevance[top], relevance), recall_at_k(top, relevance)))
        for name, rerank in (("werkmatch (prior model, no re-rank)", False),
                             ("werkmatch (prior model + exposure re-rank)", True)):
            result = for_vacancy(snap, model, explainer, int(vac["id"]), limit=10, rerank=rerank)
            top = [position[int(snap.candidate_pos[item.candidate_id])] for item in result.items]
            methods[name].append((ndcg_at_k(relevance[top], relevance), recall_at_k(top, relevance)))
    return {"vacancies": len(chosen), "candidates": len(active), "model": model.version, "methods": {
        name: {"ndcg_at_10": round(float(np.mean([v[0] for v in vals])), 4),
               "recall_at_10": round(float(np.mean([v[1] for v in vals])), 4)}
        for name, vals in methods.items()}}
