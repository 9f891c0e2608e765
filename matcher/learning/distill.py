"""A Dutch job-domain encoder by multilingual knowledge distillation (Reimers & Gurevych, 2020).

The bundled all-MiniLM-L6-v2 reads English job text well and Dutch badly, and consultants write Dutch.
ESCO publishes the same concepts in Dutch and English, so its labels are a parallel corpus: a student
copy of the model learns to put a Dutch text where the frozen teacher puts its English counterpart
(``student(nl) ≈ teacher(en)``) and to leave English where it was (``student(en) ≈ teacher(en)``).

Two steps, two entry points, so the data can be checked before anything is trained:

* :func:`build_pairs` reads an ESCO CSV download and returns parallel pairs with a held-out split **by
  concept** (a held-out occupation contributes nothing to training); :func:`write_pairs` stores them as
  JSON lines (``matcher vocab esco-pairs``).
* :func:`distill` trains the student on the training pairs, evaluates teacher and student on the
  project's Dutch synonym set and on the held-out concepts, and writes a sentence-transformers model
  directory with ``evaluation.json`` and a model card (``matcher encoder distill``).

Pair file, one JSON object per line::

    {"src": "chef-kok", "tgt": "cook", "src_lang": "nl", "kind": "occupation_alt",
     "concept": "esco:occupation/…", "split": "train"}

``src_lang`` is ``nl`` for a Dutch → English pair and ``en`` for an English self-pair (src == tgt).

This service uses the ESCO classification of the European Commission.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matcher.matching.embeddings import Encoder
from matcher.text import fold

ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
SPLITS = ("train", "heldout")
GROUPS = ("occupation", "skill", "isco")
# Cross-lingual kinds, in the order they are written.
KINDS = ("occupation_pref", "occupation_alt", "occupation_hidden", "occupation_description",
         "skill_pref", "skill_alt", "skill_description", "isco_pref", "isco_alt", "isco_description")
DEFAULT_SYNONYMS = Path(__file__).resolve().parents[1] / "bench" / "data" / "dutch_synonym_pairs.tsv"
MAX_QUERIES = 5000  # held-out retrieval queries per language; enough for a stable MRR, cheap on a CPU

csv.field_size_limit(10_000_000)


# --------------------------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class Pair:
    src: str
    tgt: str
    src_lang: str  # "nl": Dutch -> English; "en": English self-pair
    kind: str
    concept: str
    split: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


@dataclass
class _Side:
    pref: str = ""
    alts: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class _Concept:
    uri: str
    group: str
    sides: dict[str, _Side] = field(default_factory=dict)


def _concept_id(uri: str) -> str:
    """'http://data.europa.eu/esco/occupation/abc' -> 'esco:occupation/abc' (the vocabulary's ids)."""
    return "esco:" + uri.rsplit("/esco/", 1)[-1]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _labels(cell: str | None) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in (cell or "").split("\n") if p.strip()))


def _read(concepts: dict[str, _Concept], path: Path, group: str, lang: str) -> None:
    """Merge one file into the concepts; a skill in several collections keeps its first preferred label."""
    for row in _rows(path):
        uri, pref = (row.get("conceptUri") or "").strip(), (row.get("preferredLabel") or "").strip()
        if not uri or not pref:
            continue
        side = concepts.setdefault(uri, _Concept(uri, group)).sides.setdefault(lang, _Side())
        side.pref = side.pref or pref
        side.alts = list(dict.fromkeys(side.alts + [a for a in _labels(row.get("altLabels")) if a != pref]))
        side.hidden = list(dict.fromkeys(side.hidden + _labels(row.get("hiddenLabels"))))
        side.description = side.description or (row.get("description") or "").strip()


def _files(directory: Path) -> list[tuple[Path, str, str]]:
    """(file, group, language) for every ESCO file that has something to contribute."""
    found = []
    for path in sorted(directory.rglob("*.csv")):
        name = path.name
        if name.startswith("occupations_"):
            group = "occupation"
        elif name.startswith("skills_") or "SkillsCollection_" in name:
            group = "skill"
        elif name.startswith("ISCOGroups_"):
            group = "isco"
        else:
            continue
        lang = name.rsplit("_", 1)[-1].removesuffix(".csv")
        if lang in ("nl", "en"):
            found.append((path, group, lang))
    return found


def _heldout(concepts: dict[str, _Concept], holdout: float, seed: int) -> set[str]:
    """A seeded share of each group's concepts (at least one where there are two or more)."""
    held: set[str] = set()
    for group in GROUPS:
        uris = sorted(u for u, c in concepts.items() if c.group == group and "nl" in c.sides and "en" in c.sides)
        random.Random(f"{seed}:{group}").shuffle(uris)
        n = round(holdout * len(uris))
        if holdout > 0 and len(uris) >= 2:
            n = min(max(n, 1), len(uris) - 1)
        held.update(uris[:n])
    return held


def build_pairs(directory: Path, *, holdout: float = 0.1, seed: int = 42, self_ratio: float = 1.0) -> list[Pair]:
    """Parallel Dutch → English pairs and English self-pairs from an ESCO CSV download.

    Dutch preferred, alternative and hidden labels point at the English *preferred* label; descriptions
    at the English description. ESCO's alternative-label lists are not translations of each other, so
    no Dutch alternative label is paired with an English one: the English alternative labels enter as
    self-pairs instead, which keep the student's English where the teacher had it. Training self-pairs
    are every English target of a training pair, topped up with a seeded sample of the other English
    texts to ``self_ratio`` times the number of Dutch pairs (fewer if the targets alone exceed that).
    Held-out concepts keep all their Dutch pairs, and held-out occupations their English labels as
    self-pairs: those are what the English evaluation asks about.
    """
    if not 0 <= holdout < 1:
        raise ValueError("holdout must be in [0, 1)")
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a folder")
    concepts: dict[str, _Concept] = {}
    files = _files(directory)
    if not any(g == "occupation" and lang == "nl" for _, g, lang in files) or \
            not any(g == "occupation" and lang == "en" for _, g, lang in files):
        raise FileNotFoundError(f"{directory} has no occupations_nl.csv and occupations_en.csv")
    for path, group, lang in files:
        _read(concepts, path, group, lang)
    held = _heldout(concepts, holdout, seed)

    cross: list[Pair] = []
    english: list[Pair] = []  # candidate self-pairs
    for uri in sorted(concepts):
        c = concepts[uri]
        en = c.sides.get("en")
        if en is None:
            continue
        split = "heldout" if uri in held else "train"
        cid = _concept_id(uri)
        nl = c.sides.get("nl")
        if nl is not None:
            for kind, sources, target in (
                ("pref", [nl.pref], en.pref),
                ("alt", nl.alts, en.pref),
                ("hidden", nl.hidden, en.pref),
                ("description", [nl.description] if nl.description else [], en.description),
            ):
                if target:
                    cross += [Pair(s, target, "nl", f"{c.group}_{kind}", cid, split) for s in sources]
        for kind, texts in (("pref", [en.pref]), ("alt", en.alts),
                            ("description", [en.description] if en.description else [])):
            english += [Pair(t, t, "en", f"{c.group}_{kind}", cid, split) for t in texts]

    cross = _unique(cross)
    train_targets = {p.tgt for p in cross if p.split == "train"}
    wanted = round(self_ratio * sum(p.split == "train" for p in cross))
    first = _unique(p for p in english if p.split == "train" and p.src in train_targets)
    rest = _unique(p for p in english if p.split == "train" and p.src not in train_targets)
    random.Random(seed).shuffle(rest)
    own = _unique(p for p in english if p.split == "heldout" and p.concept.startswith("esco:occupation/"))
    return cross + first[:wanted] + rest[: max(0, wanted - len(first))] + own


def _unique(pairs: Iterable[Pair]) -> list[Pair]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for p in pairs:
        key = (p.src, p.tgt, p.concept, p.split)
        if p.src and p.tgt and key not in seen:
            seen.add(key)
            out.append(p)
    return out


def write_pairs(pairs: list[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(p.to_json() + "\n")


def read_pairs(path: Path) -> list[Pair]:
    pairs = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                pair = Pair(str(row["src"]), str(row["tgt"]), str(row["src_lang"]), str(row["kind"]),
                            str(row["concept"]), str(row["split"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}, line {number}: not a pair ({exc})") from None
            if pair.split not in SPLITS:
                raise ValueError(f"{path}, line {number}: split must be one of {SPLITS}")
            pairs.append(pair)
    return pairs


def pair_counts(pairs: list[Pair]) -> dict[str, Any]:
    """Pairs per split and kind, and concepts per split, so a run can be checked and compared."""
    out: dict[str, Any] = {}
    for split in SPLITS:
        mine = [p for p in pairs if p.split == split]
        out[split] = {
            "pairs": len(mine),
            "nl_en": dict(sorted(Counter(p.kind for p in mine if p.src_lang == "nl").items())),
            "en_en": dict(sorted(Counter(p.kind for p in mine if p.src_lang == "en").items())),
            "concepts": dict(sorted(Counter(p.concept.split(":", 1)[1].split("/", 1)[0]
                                            for p in {q.concept: q for q in mine}.values()).items())),
        }
    shared = {p.concept for p in pairs if p.split == "train"} & {p.concept for p in pairs if p.split == "heldout"}
    out["concepts_in_both_splits"] = len(shared)
    return out


# ---------------------------------------------------------------------------------------- evaluation


def _auc(labels: list[int], scores: list[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(labels, scores)), 4) if 0 < sum(labels) < len(labels) else None


def _pair_auc(encoder: Encoder, a: list[str], b: list[str], labels: list[int]) -> dict[str, Any]:
    va, vb = encoder.encode([fold(t) for t in a]), encoder.encode([fold(t) for t in b])
    return {"auc": _auc(labels, (va * vb).sum(axis=1).tolist()), "pairs": sum(labels),
            "non_pairs": len(labels) - sum(labels)}


def synonym_auc(encoder: Encoder, path: Path) -> dict[str, Any]:
    """ROC AUC of cosine similarity on a tab-separated set of pairs (``a b label kind``), folded as in the
    engine, so the number is comparable with the benchmark's."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return _pair_auc(encoder, [r["a"] for r in rows], [r["b"] for r in rows], [int(r["label"]) for r in rows])


def _esco_pair_auc(encoder: Encoder, alts: list[tuple[str, str]], prefs: dict[str, str], seed: int) -> dict[str, Any]:
    """Alternative label vs its own preferred label (1) and vs another held-out concept's (0)."""
    concepts = sorted(prefs)
    if len(concepts) < 2 or not alts:
        return {"auc": None, "note": "needs two held-out occupations with alternative labels"}
    rng = random.Random(seed)
    position = {c: i for i, c in enumerate(concepts)}
    a, b, labels = [], [], []
    for alt, concept in alts:
        other = concepts[(position[concept] + rng.randrange(1, len(concepts))) % len(concepts)]
        a += [alt, alt]
        b += [prefs[concept], prefs[other]]
        labels += [1, 0]
    return _pair_auc(encoder, a, b, labels)


def _retrieval(encoder: Encoder, queries: list[tuple[str, str]], gallery: dict[str, str]) -> dict[str, Any]:
    """Each query's own concept among all preferred labels: MRR and Recall@10."""
    if not queries or not gallery:
        return {"mrr": None, "recall_at_10": None, "queries": 0, "gallery": len(gallery)}
    ids = sorted(gallery)
    position = {c: i for i, c in enumerate(ids)}
    scores = encoder.encode([fold(q) for q, _ in queries]) @ encoder.encode([fold(gallery[c]) for c in ids]).T
    gold = np.array([position[c] for _, c in queries])
    gold_scores = scores[np.arange(len(gold)), gold]
    ranks = 1 + (scores > gold_scores[:, None]).sum(axis=1)
    return {"mrr": round(float((1.0 / ranks).mean()), 4), "recall_at_10": round(float((ranks <= 10).mean()), 4),
            "queries": len(queries), "gallery": len(ids)}


def evaluate(encoder: Encoder, pairs: list[Pair], *, synonyms: Path | None = None, seed: int = 42) -> dict[str, Any]:
    """The numbers the model card reports, for any encoder (teacher before, student after).

    * Dutch synonym AUC on the project's own hand-written set (never tuned on ESCO);
    * held-out ESCO pair AUC in Dutch, English and across (alternative label vs preferred label);
    * held-out alternative label → occupation retrieval among the preferred labels of *all* occupations
      in the pair file, queries from held-out occupations only.
    """
    report: dict[str, Any] = {}
    if synonyms is not None and synonyms.exists():
        report["dutch_synonym_auc"] = synonym_auc(encoder, synonyms)
    else:
        report["dutch_synonym_auc"] = {"auc": None, "note": "synonym set not found; skipped"}
    occ = [p for p in pairs if p.concept.startswith("esco:occupation/")]
    nl_pref = {p.concept: p.src for p in occ if p.kind == "occupation_pref" and p.src_lang == "nl"}
    en_pref = {p.concept: p.tgt for p in occ if p.kind == "occupation_pref"}
    held = [p for p in occ if p.split == "heldout" and p.kind == "occupation_alt"]
    rng = random.Random(seed)
    nl_alts = [(p.src, p.concept) for p in held if p.src_lang == "nl"]
    en_alts = [(p.src, p.concept) for p in held if p.src_lang == "en"]
    nl_alts = rng.sample(nl_alts, min(len(nl_alts), MAX_QUERIES))
    en_alts = rng.sample(en_alts, min(len(en_alts), MAX_QUERIES))
    held_concepts = {p.concept for p in occ if p.split == "heldout"}
    report["heldout_pair_auc"] = {
        "nl": _esco_pair_auc(encoder, [q for q in nl_alts if q[1] in nl_pref],
                             {c: t for c, t in nl_pref.items() if c in held_concepts}, seed),
        "en": _esco_pair_auc(encoder, [q for q in en_alts if q[1] in en_pref],
                             {c: t for c, t in en_pref.items() if c in held_concepts}, seed),
        "nl_to_en": _esco_pair_auc(encoder, [q for q in nl_alts if q[1] in en_pref],
                                   {c: t for c, t in en_pref.items() if c in held_concepts}, seed),
    }
    report["heldout_retrieval"] = {
        "nl": _retrieval(encoder, [q for q in nl_alts if q[1] in nl_pref], nl_pref),
        "en": _retrieval(encoder, [q for q in en_alts if q[1] in en_pref], en_pref),
    }
    return report


# ------------------------------------------------------------------------------------------ training


@dataclass(frozen=True)
class DistillSettings:
    """The reference run's settings; at lr 5e-5 for 5 epochs Dutch got worse, so change them with care."""

    epochs: int = 18
    lr: float = 1e-4
    batch_size: int = 128
    warmup: float = 0.05  # share of all steps spent warming up linearly, then linear decay to zero
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    seed: int = 42
    max_steps: int | None = None
    fp16: bool = True  # store fp16 weights (half the size); the config still loads them as float32
    amp: bool = True  # bfloat16 autocast on a GPU; ignored on the CPU
    fold_sources: bool = True  # the engine encodes folded text, so the student learns to read it


def _seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def distill(pairs_file: Path, out: Path, *, teacher: Path | None = None,
            settings: DistillSettings = DistillSettings(), synonyms: Path | None = DEFAULT_SYNONYMS,
            progress: bool = True) -> dict[str, Any]:
    """Train a student so that student(src) ≈ teacher(tgt), save it to ``out``, return the evaluation.

    Loss: MSE between the student's and the frozen teacher's mean-pooled, L2-normalised embeddings;
    AdamW with linear warm-up and linear decay; one seed for order, dropout and initial state. The
    teacher's targets are computed once (it is frozen), which halves the work per step.
    """
    import torch
    import torch.nn.functional as F
    from sentence_transformers import SentenceTransformer
    from tqdm import tqdm

    from matcher.matching.embeddings import SentenceTransformerEncoder, default_model_path

    pairs = read_pairs(pairs_file)
    train = [p for p in pairs if p.split == "train"]
    if not train:
        raise ValueError(f"{pairs_file} has no training pairs")
    if settings.batch_size < 1 or settings.epochs < 1 or settings.lr <= 0 or not 0 <= settings.warmup < 1:
        raise ValueError("batch size and epochs must be positive, lr above 0, warm-up in [0, 1)")
    teacher_path = Path(teacher) if teacher else default_model_path()
    teacher_name = "all-MiniLM-L6-v2" if teacher is None else teacher_path.name
    device = "cuda" if torch.cuda.is_available() else "cpu"
    _seed_everything(settings.seed)

    teacher_encoder = SentenceTransformerEncoder(teacher_path, batch_size=256)
    before = evaluate(teacher_encoder, pairs, synonyms=synonyms, seed=settings.seed)
    targets = sorted({p.tgt for p in train})
    target_index = {t: i for i, t in enumerate(targets)}
    target_vectors = torch.from_numpy(teacher_encoder.encode(targets)).to(device)
    del teacher_encoder

    student = SentenceTransformer(str(teacher_path), device=device, local_files_only=True)
    student.train()
    preprocess = getattr(student, "preprocess", None) or student.tokenize
    sources = [fold(p.src) if settings.fold_sources else p.src for p in train]
    wanted = torch.tensor([target_index[p.tgt] for p in train], device=device)
    per_epoch = math.ceil(len(train) / settings.batch_size)
    total = settings.epochs * per_epoch
    if settings.max_steps is not None:
        total = max(1, min(total, settings.max_steps))
    warm = round(settings.warmup * total)

    def schedule(step: int) -> float:
        if step < warm:
            return (step + 1) / (warm + 1)
        return max(0.0, (total - step) / max(1, total - warm))

    optimiser = torch.optim.AdamW(student.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, schedule)
    generator = torch.Generator().manual_seed(settings.seed)
    autocast = settings.amp and device == "cuda"
    step, losses, started = 0, [], time.perf_counter()
    bar = tqdm(total=total, desc="distilling", unit="step", disable=not progress)
    while step < total:
        order = torch.randperm(len(train), generator=generator).tolist()
        for start in range(0, len(order), settings.batch_size):
            batch = order[start: start + settings.batch_size]
            features = preprocess([sources[i] for i in batch])
            features = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in features.items()}
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=autocast):
                embeddings = student(features)["sentence_embedding"]
            loss = F.mse_loss(embeddings.float(), target_vectors[wanted[batch]])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), settings.max_grad_norm)
            optimiser.step()
            scheduler.step()
            losses.append(float(loss.item()))
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.2e}")
            if step >= total:
                break
    bar.close()
    seconds = time.perf_counter() - started

    out.mkdir(parents=True, exist_ok=True)
    student.eval()
    if settings.fp16:
        student.half()
    student.save(str(out), create_model_card=False)
    if settings.fp16:
        _load_as_float32(out)
    del student
    after = evaluate(SentenceTransformerEncoder(out, batch_size=256), pairs, synonyms=synonyms, seed=settings.seed)

    report = {
        "model": out.name,
        "teacher": teacher_name,
        "method": "multilingual knowledge distillation: MSE(student(src), teacher(tgt)), mean-pooled, "
                  "L2-normalised embeddings; student initialised from the teacher",
        "settings": asdict(settings),
        "data": {"pairs_file": pairs_file.name, "sha256": _sha256(pairs_file), **pair_counts(pairs),
                 "attribution": ATTRIBUTION},
        "training": {"device": device, "steps": step, "epochs": round(step / per_epoch, 3),
                     "warmup_steps": warm, "seconds": round(seconds, 1),
                     "steps_per_second": round(step / seconds, 3) if seconds else None,
                     "loss_first": losses[0], "loss_last": losses[-1],
                     "loss_last_100_mean": float(np.mean(losses[-100:]))},
        "synonym_set": synonyms.name if synonyms is not None and synonyms.exists() else None,
        "before": before,
        "after": after,
    }
    (out / "evaluation.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(model_card(report), encoding="utf-8")
    return report


def _load_as_float32(out: Path) -> None:
    """fp16 weights on disk, float32 in memory: CPUs are slow in half precision and the engine runs on one."""
    config_path = out / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["dtype"] = "float32"
    config.pop("torch_dtype", None)
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------- model card


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


def _rows_for_card(report: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    b, a = report["before"], report["after"]
    rows = [("Dutch synonym pairs, ROC AUC (project set)", b["dutch_synonym_auc"]["auc"],
             a["dutch_synonym_auc"]["auc"])]
    for lang, title in (("nl", "Dutch"), ("en", "English"), ("nl_to_en", "Dutch → English")):
        rows.append((f"held-out ESCO alt ↔ preferred label, {title}, ROC AUC",
                     b["heldout_pair_auc"][lang]["auc"], a["heldout_pair_auc"][lang]["auc"]))
    for lang, title in (("nl", "Dutch"), ("en", "English")):
        for metric, name in (("mrr", "MRR"), ("recall_at_10", "Recall@10")):
            rows.append((f"held-out ESCO alt label → occupation, {title}, {name}",
                         b["heldout_retrieval"][lang][metric], a["heldout_retrieval"][lang][metric]))
    return rows


def model_card(report: dict[str, Any]) -> str:
    """A short card next to the weights: where they came from, how they were trained, what they can't do."""
    s, t, d = report["settings"], report["training"], report["data"]
    table = "\n".join(f"| {name} | {_fmt(b)} | {_fmt(a)} |" for name, b, a in _rows_for_card(report))
    retrieval = report["after"]["heldout_retrieval"]["nl"]
    held = ", ".join(f"{n} {group}" for group, n in d["heldout"]["concepts"].items()) or "none"
    short = ""
    if s["max_steps"] is not None and t["epochs"] < s["epochs"]:
        short = (f"**A shortened run** (`--max-steps {s['max_steps']}`, {t['epochs']} of {s['epochs']} epochs): "
                 "a smoke test or a timing, not a model to ship.")
    head = f"# {report['model']}\n\n" + (f"{short}\n\n" if short else "")
    return f"""{head}A bilingual (Dutch/English) job-domain sentence encoder for werkmatch, distilled from
**{report["teacher"]}** (the teacher, frozen). The student started as a copy of the teacher and was trained so
that its embedding of a Dutch text lands where the teacher puts the English counterpart, and its embedding
of an English text stays where the teacher put it (Reimers & Gurevych, 2020, *Making Monolingual Sentence
Embeddings Multilingual using Knowledge Distillation*). 384 dimensions, mean pooling, unit length;
load it like any sentence-transformers directory (`MATCHER_ENCODER_PATH`).

## Data

Parallel Dutch/English labels of the ESCO classification (occupation preferred, alternative and hidden
labels and descriptions; skill labels and descriptions from the Dutch skill collections; ISCO group
labels), aligned by concept URI, plus English self-pairs. Pair file `{d["pairs_file"]}`
(sha256 `{d["sha256"][:16]}…`): {d["train"]["pairs"]} training pairs, {d["heldout"]["pairs"]} held-out pairs;
held-out concepts (split by concept, none in both splits): {held}.

{ATTRIBUTION}

## Training

MSE between student and teacher embeddings, AdamW (lr {s["lr"]}, weight decay {s["weight_decay"]}),
batch {s["batch_size"]}, {s["warmup"]:.0%} linear warm-up then linear decay, gradient norm clipped at
{s["max_grad_norm"]}, seed {s["seed"]}; {t["steps"]} steps ({t["epochs"]} epochs) on {t["device"]} in
{t["seconds"]} s; Dutch sources folded as the engine folds text: {s["fold_sources"]}.
Weights stored as {"float16 (loaded as float32)" if s["fp16"] else "float32"}.

## Evaluation (teacher before, this model after)

| measure | before | after |
|---|---|---|
{table}

Held-out retrieval: {retrieval["queries"]} alternative labels of held-out occupations, ranked against the
preferred labels of all {retrieval["gallery"]} occupations. Details in `evaluation.json`.

## Known weaknesses

- ESCO labels are formal; the hand-written texts of consultants (abbreviations, typos, informal job
  titles) are only what the project's synonym set measures, and it is small.
- Dutch skills come only from ESCO's thematic skill collections (about 16% of all skills); most skill
  labels were seen in English only.
- ESCO alternative labels include gendered and dated forms; several concepts share labels, which pulls
  their embeddings together.
- Long texts are cut at the model's maximum sequence length; descriptions were used only as training pairs.
- The English teacher's biases carry over to the student.
"""
