"""Import an ESCO CSV download into the vocabulary tables.

Reads whatever the folder holds: ``occupations_<lang>.csv``, ``skills_<lang>.csv``, skill collections
(``*SkillsCollection_<lang>.csv``, in sub-folders too) and ``occupationSkillRelations.csv``. Labels of
every language present are kept. An ESCO concept that the curated vocabulary already maps (same
ESCO URI) lends its labels to the curated concept when the vocabulary is read (see
``Vocabulary.from_db``), so the two never compete.

This service uses the ESCO classification of the European Commission.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from matcher.db.connect import Conn
from matcher.matching.vocabulary import Concept, Label, store

_LANG = re.compile(r"_([a-z]{2})\.csv$")
csv.field_size_limit(10_000_000)


@dataclass
class _Draft:
    uri: str
    kind: str
    family: str | None = None
    pref: dict[str, str] = field(default_factory=dict)
    labels: list[Label] = field(default_factory=list)


def concept_id(uri: str) -> str:
    """'http://data.europa.eu/esco/occupation/abc' -> 'esco:occupation/abc'."""
    return "esco:" + uri.rsplit("/esco/", 1)[-1]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split("\n") if p.strip()]


def _read(drafts: dict[str, _Draft], path: Path, kind: str) -> None:
    match = _LANG.search(path.name)
    lang = match.group(1) if match else "en"
    for row in _rows(path):
        uri = row.get("conceptUri", "").strip()
        pref = (row.get("preferredLabel") or "").strip()
        if not uri or not pref:
            continue
        draft = drafts.setdefault(uri, _Draft(uri, kind))
        if kind == "occupation" and row.get("iscoGroup"):
            draft.family = "isco:" + row["iscoGroup"][:2]
        draft.pref.setdefault(lang, pref)
        draft.labels.append(Label(pref, lang, "pref"))
        draft.labels += [Label(t, lang, "alt") for t in _split(row.get("altLabels"))]
        draft.labels += [Label(t, lang, "hidden") for t in _split(row.get("hiddenLabels"))]


def import_esco(conn: Conn, directory: Path) -> dict[str, int]:
    """Read the folder and upsert its concepts, labels and relations; the caller owns the transaction."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a folder")
    drafts: dict[str, _Draft] = {}
    files = sorted(directory.rglob("*.csv"))
    for path in files:
        name = path.name
        if name.startswith("occupations_"):
            _read(drafts, path, "occupation")
        elif name.startswith("skills_") or "SkillsCollection_" in name:
            _read(drafts, path, "skill")
    relations: dict[str, list[str]] = {}
    relation_file = directory / "occupationSkillRelations.csv"
    if relation_file.exists():
        for row in _rows(relation_file):
            occ, skill = row.get("occupationUri", ""), row.get("skillUri", "")
            if occ in drafts and skill in drafts and row.get("relationType") == "essential":
                relations.setdefault(occ, []).append(concept_id(skill))
    concepts = [
        Concept(id=concept_id(d.uri), kind=d.kind, nl=d.pref.get("nl"), en=d.pref.get("en"), esco_uri=d.uri,
                family=d.family, labels=tuple(dict.fromkeys(d.labels)), skills=tuple(relations.get(d.uri, ())),
                origin="esco")
        for d in drafts.values()
    ]
    store(conn, concepts)
    return {
        "occupations": sum(c.kind == "occupation" for c in concepts),
        "skills": sum(c.kind == "skill" for c in concepts),
        "labels": sum(len(c.labels) for c in concepts),
        "relations": sum(len(c.skills) for c in concepts),
        "files": len(files),
    }
