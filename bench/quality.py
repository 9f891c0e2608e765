"""Match quality: Dutch synonyms, ESCO title normalisation, ESCO through the matches path, and shortlists
against the hidden truth, each next to simple baselines measured on the same data in the same run.

Held-out sets only, except where a row says "development set": the Dutch synonym test set
(bench/data/dutch_synonym_test.tsv, frozen before tuning) and ESCO's test occupations (`split_of`: never
used to fit or to choose anything). The blend was fitted on ESCO's train occupations, its threshold
chosen on dev.
"""

from __future__ import annotations

import csv
import random
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.common import ESCO, ROOT, bench_service, ndcg_at_k, recall_at_k, roc_auc, timer
from matcher.learning.blend import occupations
from matcher.matching.embeddings import E5, MINILM, Encoder, open_encoder
from matcher.matching.explain import Explainer
from matcher.matching.features import FEATURES, compute
from matcher.matching.ranking import for_vacancy
from matcher.matching.vocabulary import Concept, Label
from matcher.matching.vocabulary.normalise import KindNormaliser, Normaliser
from matcher.security import SYSTEM
from matcher.service import Service
from matcher.text import fold

PAIRS = {"test": ROOT / "bench" / "data" / "dutch_synonym_test.tsv",
         "development": ROOT / "bench" / "data" / "dutch_synonym_pairs.tsv"}


def _ngram_matrix(texts: list[str]) -> Any:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit_transform(texts)


def encoders(service: Service) -> dict[str, Encoder]:
    """The two installed encoders, the service's own first."""
    own = service.encoder
    other = MINILM if own.name.startswith(E5) else E5
    return {own.name: own, other: open_encoder(service.settings.model_copy(update={"encoder": other}))}


def synonym_auc(service: Service, *, which: str = "test") -> dict[str, Any]:
    """ROC AUC of each similarity on Dutch synonym pairs (label 1) and hard non-pairs (0)."""
    with PAIRS[which].open(encoding="utf-8") as fh:
        rows = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    a, b = [fold(r["a"]) for r in rows], [fold(r["b"]) for r in rows]
    labels = [int(r["label"]) for r in rows]
    matrix = _ngram_matrix(a + b)
    scores: dict[str, list[float]] = {
        "character n-gram TF-IDF": np.asarray(matrix[: len(a)].multiply(matrix[len(a):]).sum(axis=1)).ravel().tolist(),
        "rapidfuzz (WRatio)": [fuzz.WRatio(x, y) / 100 for x, y in zip(a, b, strict=True)],
    }
    for name, encoder in encoders(service).items():
        va, vb = encoder.encode(a), encoder.encode(b)
        scores[f"embedding only ({name})"] = (va * vb).sum(axis=1).tolist()
        normaliser = Normaliser(service.vocabulary, encoder, service.settings.data_dir / "cache")
        scores[f"combined: vocabulary + learned blend ({name})"] = [
            normaliser.similarity(r["a"], r["b"], r["kind"]) for r in rows]
    return {"set": which, "pairs": sum(labels), "non_pairs": len(labels) - sum(labels),
            "auc": {name: round(roc_auc(labels, s), 4) for name, s in scores.items()}}


def _metrics(ranks: np.ndarray) -> dict[str, float]:
    return {"mrr": round(float((1.0 / ranks).mean()), 4), "recall_at_10": round(float((ranks <= 10).mean()), 4)}


def esco_normalisation(service: Service, *, split: str = "test", queries: int = 1500,
                       seed: int = 7) -> dict[str, Any] | None:
    """ESCO held-out occupations: each Dutch alternative label -> the right one of all occupations (preferred
    labels), by each signal alone and through the production normaliser (`KindNormaliser.rank`)."""
    if not (ESCO / "occupations_nl.csv").exists():
        return None
    occs = occupations(ESCO)
    prefs = [fold(o.pref) for o in occs]
    pairs = [(fold(alt), i) for i, o in enumerate(occs) if o.split == split for alt in o.alts]
    random.Random(seed).shuffle(pairs)
    pairs = pairs[:queries]
    qs, gold = [p[0] for p in pairs], np.array([p[1] for p in pairs])

    def ranks_of(scores: np.ndarray) -> np.ndarray:
        return 1 + (scores > scores[np.arange(len(gold)), gold][:, None]).sum(axis=1)

    matrix = _ngram_matrix(prefs + qs)
    methods = {"character n-gram TF-IDF": _metrics(ranks_of((matrix[len(prefs):] @ matrix[: len(prefs)].T).toarray())),
               "rapidfuzz (WRatio)": _metrics(ranks_of(process.cdist(qs, prefs, scorer=fuzz.WRatio, workers=-1)))}
    concepts = [Concept(id=str(i), kind="occupation", nl=p, labels=(Label(p, "nl", "pref"),))
                for i, p in enumerate(prefs)]
    for name, encoder in encoders(service).items():
        methods[f"embedding only ({name})"] = _metrics(ranks_of(encoder.encode(qs) @ encoder.encode(prefs).T))
        ranked = KindNormaliser(concepts, encoder).rank(qs, k=50)  # ranks past 50 count as not found
        ranks = np.array([next((r + 1 for r, (cid, _) in enumerate(row) if cid == str(g)), 10_000)
                          for row, g in zip(ranked, gold, strict=True)])
        methods[f"combined: production normaliser ({name})"] = _metrics(ranks)
    return {"occupations": len(prefs), "queries": len(qs), "split": split, "methods": methods,
            "english": _esco_english(service, split=split, queries=queries, seed=seed)}


def _esco_english(service: Service, *, split: str, queries: int, seed: int) -> dict[str, Any] | None:
    """The same held-out occupations in English (alternative label -> preferred label), by each encoder alone:
    the multilingual default must not read English worse than the English-only encoder it replaces."""
    if not (ESCO / "occupations_en.csv").exists():
        return None
    dutch_split = {o.uri: o.split for o in occupations(ESCO)}
    occs = [o for o in occupations(ESCO, lang="en") if o.uri in dutch_split]
    prefs = [fold(o.pref) for o in occs]
    pairs = [(fold(alt), i) for i, o in enumerate(occs) if dutch_split[o.uri] == split for alt in o.alts]
    random.Random(seed).shuffle(pairs)
    qs, gold = [p[0] for p in pairs[:queries]], np.array([p[1] for p in pairs[:queries]])
    out = {}
    for name, encoder in encoders(service).items():
        scores = encoder.encode(qs) @ encoder.encode(prefs).T
        out[f"embedding only ({name})"] = _metrics(1 + (scores > scores[np.arange(len(gold)), gold][:, None]).sum(1))
    return {"queries": len(qs), "methods": out}


def esco_matches(service: Service | None, *, split: str = "test", candidates: int = 600, seed: int = 7,
                 encoder_names: tuple[str, ...] = (E5, MINILM), imported: bool = False) -> dict[str, Any] | None:
    """ESCO through the matches path: one vacancy per occupation (Dutch preferred label as title, ESCO's
    description as description), one candidate per alternative label of an occupation of ``split`` ("test";
    "dev" for choosing) (as experience, desired occupation and skill), and the rank of the right vacancy in
    `Service.matches` (the code behind `GET /v1/candidates/{ref}/matches`), against char n-gram TF-IDF over
    the same texts (the vacancy's title alone, and title + description; for the sampled labels and for every
    label of the split). Runs in an empty database of its own, once per installed encoder. ``imported``: as a
    new user who has ESCO would, the download is imported into the vocabulary first (`matcher vocab
    import-esco`), so the alternative labels are known terms; without it, the shipped vocabulary only (the
    harder task: the labels must be recognised by letters and meaning)."""
    if not (ESCO / "occupations_nl.csv").exists():
        return None
    from matcher.domain import CandidateIn, Experience, Skill, VacancyIn
    from matcher.matching.vocabulary.esco import import_esco

    occs = occupations(ESCO)
    vacancies = [(("wsp", f"ESCO-{i}"), VacancyIn(title=o.pref[:200], description=o.description[:4000],
                                                  postcode="6811", hours_min=24, hours_max=40))
                 for i, o in enumerate(occs)]
    every = [(alt, i) for i, o in enumerate(occs) if o.split == split for alt in o.alts]
    labels = list(every)
    random.Random(seed).shuffle(labels)
    labels = labels[:candidates]
    people = [(f"E-{n}", CandidateIn(municipality="arnhem", postcode="6811", hours_min=24, hours_max=40,
                                      experience=[Experience(title=alt[:200], years=3)],
                                      desired_occupations=[alt[:200]], skills=[Skill(label=alt[:200])]))
              for n, (alt, _) in enumerate(labels)]
    gold = np.array([g for _, g in labels])
    out: dict[str, Any] = {"vacancies": len(vacancies), "candidates": len(people), "split": split,
                           "vocabulary": "shipped + ESCO imported" if imported else "shipped only",
                           "methods": _tfidf_matches([v for _, v in vacancies], labels, every)}
    for encoder in encoder_names:
        svc = bench_service(f"esco-{split}-{encoder.lower()}{'-imported' if imported else ''}", fresh=True,
                            encoder=encoder)
        with timer() as t:
            if imported:
                with svc.db.transaction() as conn:
                    import_esco(conn, ESCO)
                svc.reload_vocabulary()
            svc.import_vacancies(vacancies, actor=SYSTEM)
            svc.import_candidates(people, actor=SYSTEM)
        ranks = []
        for (ref, _), g in zip(people, gold, strict=True):
            items = svc.matches(ref, actor=SYSTEM, limit=100).result.items
            ranks.append(next((n + 1 for n, item in enumerate(items)
                               if item.vacancy["external_id"] == f"ESCO-{g}"), 1000))
        out["methods"][f"werkmatch matches ({svc.encoder.name})"] = _metrics(np.array(ranks)) | {
            "import_s": round(t["s"], 1)}
        svc.db.close()
    return out


def _tfidf_matches(vacancies: list[Any], labels: list[tuple[str, int]],
                   every: list[tuple[str, int]]) -> dict[str, dict[str, float]]:
    """Char n-gram TF-IDF ranks of the right vacancy for each label: against the title alone and against title +
    description, for the sampled labels and for all labels of the split."""
    out = {}
    for what, texts_v in (("title", [fold(v.title) for v in vacancies]),
                          ("title + description", [fold(f"{v.title} {v.description}") for v in vacancies])):
        for which, queries in (("", labels), (f", all {len(every)} labels", every)):
            matrix = _ngram_matrix(texts_v + [fold(alt) for alt, _ in queries])
            scores = (matrix[len(texts_v):] @ matrix[: len(texts_v)].T).toarray()
            gold = np.array([g for _, g in queries])
            ranks = 1 + (scores > scores[np.arange(len(gold)), gold][:, None]).sum(axis=1)
            out[f"character n-gram TF-IDF ({what}{which})"] = _metrics(ranks)
    return out


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
    return {"vacancies": len(chosen), "candidates": len(active), "model": model.version,
            "encoder": service.encoder.name, "methods": {
                name: {"ndcg_at_10": round(float(np.mean([v[0] for v in vals])), 4),
                       "recall_at_10": round(float(np.mean([v[1] for v in vals])), 4)}
                for name, vals in methods.items()}}


def shortlist_quality_by_encoder(service: Service, truth: Any) -> dict[str, Any]:
    """The demo shortlists against the truth with each installed encoder, in the same database: the other
    encoder's vectors are made for every active person and open vacancy first (vectors carry their
    encoder's name, so the two never mix)."""
    from matcher.batch.rematch import refresh_embeddings

    out = {service.encoder.name: shortlist_quality(service, truth)}
    for name, encoder in encoders(service).items():
        if name == service.encoder.name:
            continue
        other = Service(service.settings, service.db, encoder=encoder)
        with timer() as t:
            refresh_embeddings(other)
        out[name] = shortlist_quality(other, truth) | {"embed_s": round(t["s"], 1)}
    return out
