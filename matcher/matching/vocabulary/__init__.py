"""The vocabulary: concepts (occupations, skills, certificates, …) with all the ways people write them.

The curated Dutch vocabulary ships in ``data/*.json``; an ESCO download can be imported into the same
database tables (``matcher vocab import-esco``). Matching reads the vocabulary from the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.db.connect import Conn
from matcher.text import fold

DATA_DIR = Path(__file__).parent / "data"
FILES = {
    "occupation": "occupations.json",
    "skill": "skills.json",
    "certificate": "certificates.json",
    "licence": "licences.json",
    "education": "education.json",
    "language": "language_levels.json",
    "restriction": "restrictions.json",
    "demand": "demands.json",
    "support": "support.json",
}
LABEL_FIELDS = (("synonyms", "alt"), ("misspellings", "misspelling"), ("abbreviations", "abbreviation"))


@dataclass(frozen=True)
class Label:
    text: str
    lang: str
    kind: str  # pref, alt, hidden, misspelling, abbreviation


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str
    nl: str | None
    en: str | None = None
    esco_uri: str | None = None
    family: str | None = None
    rank: int | None = None
    code: str | None = None
    labels: tuple[Label, ...] = ()
    skills: tuple[str, ...] = ()  # typical skills of an occupation
    origin: str = "werkmatch"

    @property
    def display(self) -> str:
        return self.nl or self.en or self.id


def claim(concept: Concept, label: Label) -> tuple[bool, bool, bool]:
    """How strongly a concept holds one of its labels (lower is stronger), for a label several concepts have:
    curated before imported, so an imported label never takes an exact hit away from the curated vocabulary;
    then a concept's own name (preferred label) before another's synonym; hidden labels (misspellings) last.
    The hidden labels of a curated concept are those of the ESCO concept it speaks for (`Vocabulary.from_db`):
    they hold as strongly as ESCO's other synonyms ("taartenmaker" is ESCO's bakker, and its gebakmaker)."""
    lent = label.kind == "hidden" and concept.origin != "esco"
    return label.kind == "hidden" and not lent, concept.origin == "esco" or lent, label.kind != "pref"


def holders(concepts: Iterable[Concept]) -> dict[str, list[str]]:
    """Folded label -> the concepts that hold it most strongly (`claim`), curated before imported, then by id:
    the first is the label's exact hit in the normaliser."""
    best: dict[str, tuple[tuple[bool, bool, bool], dict[str, bool]]] = {}
    for concept in concepts:
        for label in concept.labels:
            key, strength = fold(label.text), claim(concept, label)
            if not key:
                continue
            held = best.get(key)
            if held is None or strength < held[0]:
                best[key] = (strength, {concept.id: concept.origin == "esco"})
            elif strength == held[0]:
                held[1][concept.id] = concept.origin == "esco"
    return {key: sorted(ids, key=lambda cid: (ids[cid], cid)) for key, (_, ids) in best.items()}


def shared_labels(concepts: Iterable[Concept]) -> dict[str, tuple[str, ...]]:
    """Folded labels that several concepts hold equally strongly (`holders`) -> those concepts: ESCO calls two
    occupations "kindertandarts" (tandarts and tandartsspecialist), and the label says no more than that."""
    return {key: tuple(sorted(ids)) for key, ids in holders(concepts).items() if len(ids) > 1}


@dataclass
class Vocabulary:
    concepts: dict[str, Concept] = field(default_factory=dict)
    _shared: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, repr=False, compare=False)

    def shared(self, kind: str) -> dict[str, tuple[str, ...]]:
        """`shared_labels` of one kind, worked out once."""
        if kind not in self._shared:
            self._shared[kind] = shared_labels(self.of_kind(kind))
        return self._shared[kind]

    def of_kind(self, kind: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.kind == kind]

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts.values())

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, concept_id: str | None) -> Concept | None:
        return self.concepts.get(concept_id) if concept_id else None

    def label(self, concept_id: str | None, fallback: str = "") -> str:
        concept = self.get(concept_id)
        return concept.display if concept else fallback

    @classmethod
    def shipped(cls, data_dir: Path = DATA_DIR) -> Vocabulary:
        vocab = cls()
        for kind, name in FILES.items():
            path = data_dir / name
            if path.exists():
                for raw in json.loads(path.read_text(encoding="utf-8")):
                    vocab.concepts[raw["id"]] = _from_json(kind, raw)
        return vocab

    @classmethod
    def from_db(cls, conn: Conn) -> Vocabulary:
        labels: dict[str, list[Label]] = {}
        for row in conn.execute("SELECT concept_id, label, lang, label_type FROM vocab_labels"):
            r = _row(row)
            labels.setdefault(r["concept_id"], []).append(Label(r["label"], r["lang"], r["label_type"]))
        skills: dict[str, list[str]] = {}
        for row in conn.execute("SELECT occupation_id, skill_id FROM vocab_relations ORDER BY skill_id"):
            r = _row(row)
            skills.setdefault(r["occupation_id"], []).append(r["skill_id"])
        vocab = cls()
        rows = [_row(row) for row in conn.execute("SELECT * FROM vocab_concepts ORDER BY id")]
        curated = {r["esco_uri"]: r["id"] for r in rows if r["origin"] != "esco" and r["esco_uri"]}
        for r in rows:
            if r["origin"] == "esco" and r["esco_uri"] in curated:
                # the curated concept speaks for this ESCO concept: it takes the ESCO labels as hidden labels
                target = curated[r["esco_uri"]]
                labels.setdefault(target, []).extend(
                    Label(lab.text, lab.lang, "hidden") for lab in labels.get(r["id"], ()))
        for r in rows:
            if r["origin"] == "esco" and r["esco_uri"] in curated:
                continue
            vocab.concepts[r["id"]] = Concept(
                id=r["id"], kind=r["kind"], nl=r["pref_nl"], en=r["pref_en"], esco_uri=r["esco_uri"],
                family=r["family"], rank=r["rank"], code=_code(r["kind"], r["id"]),
                labels=tuple(dict.fromkeys(labels.get(r["id"], ()))), skills=tuple(skills.get(r["id"], ())),
                origin=r["origin"],
            )
        return vocab


def _row(row: Any) -> dict[str, Any]:
    return row if isinstance(row, dict) else dict(row)


CODED_KINDS = ("licence", "education", "language", "restriction", "demand", "support")


def _code(kind: str, concept_id: str) -> str | None:
    """Coded kinds carry their code after the prefix: 'edu:mbo2' -> 'mbo2', 'lic:B' -> 'B'."""
    return concept_id.split(":", 1)[1] if kind in CODED_KINDS else None


def _from_json(kind: str, raw: dict[str, Any]) -> Concept:
    labels = [Label(raw["nl"], "nl", "pref")]
    if raw.get("en"):
        labels.append(Label(raw["en"], "en", "pref"))
    for key, label_kind in LABEL_FIELDS:
        labels.extend(Label(text, "nl", label_kind) for text in raw.get(key, []))
    code = raw.get("code") or _code(kind, raw["id"])
    return Concept(
        id=raw["id"], kind=kind, nl=raw["nl"], en=raw.get("en"), esco_uri=raw.get("esco_uri"),
        family=raw.get("family"), rank=raw.get("rank"), code=code, labels=tuple(labels),
        skills=tuple(raw.get("skills", ())),
    )


def store(conn: Conn, concepts: Iterable[Concept]) -> int:
    """Upsert concepts with their labels and relations; the caller owns the transaction."""
    concepts = list(concepts)
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO vocab_concepts (id, kind, pref_nl, pref_en, esco_uri, family, rank, origin)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, pref_nl = EXCLUDED.pref_nl,
                 pref_en = EXCLUDED.pref_en, esco_uri = EXCLUDED.esco_uri, family = EXCLUDED.family,
                 rank = EXCLUDED.rank, origin = EXCLUDED.origin""",
            [(c.id, c.kind, c.nl, c.en, c.esco_uri, c.family, c.rank, c.origin) for c in concepts],
        )
        cur.execute("DELETE FROM vocab_labels WHERE concept_id = ANY(%s)", ([c.id for c in concepts],))
        rows = {(c.id, lab.lang, lab.text): lab.kind for c in concepts for lab in c.labels if lab.text.strip()}
        cur.executemany(
            "INSERT INTO vocab_labels (concept_id, lang, label, label_type) VALUES (%s, %s, %s, %s)",
            [(cid, lang, text, kind) for (cid, lang, text), kind in rows.items()],
        )
        known = {c.id for c in concepts}
        relations = [(c.id, s) for c in concepts for s in c.skills if s in known]
        cur.executemany(
            """INSERT INTO vocab_relations (occupation_id, skill_id, relation) VALUES (%s, %s, 'essential')
               ON CONFLICT DO NOTHING""",
            relations,
        )
    return len(concepts)


def sync_shipped(conn: Conn) -> int:
    """Load the curated vocabulary into the database (idempotent); run by `matcher migrate`."""
    return store(conn, Vocabulary.shipped())
