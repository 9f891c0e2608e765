"""From validated input to normalised rows: the one import path used by the API, the CLI and the demo.

Steps: fill the fields a vacancy leaves open from its own text (`complete`), normalise free text to
concepts (batched per kind), hash the content, embed only what has no vector for that hash yet, then write
everything in one transaction (all-or-nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.domain import CandidateIn, VacancyIn
from matcher.ingest.extract import VacancyReader
from matcher.matching.embeddings import Encoder
from matcher.matching.texts import candidate_text, vacancy_text
from matcher.matching.vocabulary.normalise import Match, Normaliser
from matcher.text import content_hash, split_terms

Row = dict[str, Any]


@dataclass
class Prepared:
    rows: list[Row]
    texts: list[str]
    hashes: list[str]


class _Batch:
    """Collects texts per concept kind, then normalises each kind in one call."""

    def __init__(self, normaliser: Normaliser) -> None:
        self.normaliser = normaliser
        self.pending: dict[str, list[str]] = {}
        self.results: dict[tuple[str, str], Match] = {}

    def ask(self, text: str, kind: str) -> None:
        self.pending.setdefault(kind, []).append(text)

    def run(self) -> None:
        for kind, texts in self.pending.items():
            unique = list(dict.fromkeys(texts))
            for text, match in zip(unique, self.normaliser.match_many(unique, kind), strict=True):
                self.results[(kind, text)] = match

    def item(self, text: str, kind: str, key: str = "label", **extra: Any) -> Row:
        m = self.results[(kind, text)]
        return {key: text, "concept_id": m.concept_id, "confidence": m.confidence, **extra}


def prepare_candidates(normaliser: Normaliser, items: Sequence[tuple[str, CandidateIn]]) -> Prepared:
    batch = _Batch(normaliser)
    for _, c in items:
        for s in c.skills:
            for part in split_terms(s.label):
                batch.ask(part, "skill")
        for e in c.experience:
            batch.ask(e.title, "occupation")
        for d in c.desired_occupations:
            batch.ask(d, "occupation")
        for cert in c.certificates:
            batch.ask(cert, "certificate")
        for r in c.restrictions:
            if r.code is None and r.text is not None:
                batch.ask(r.text, "restriction")
    batch.run()
    rows, texts, hashes = [], [], []
    for ref, c in items:
        restrictions = []
        for r in c.restrictions:
            if r.code is not None:
                restrictions.append({"code": r.code.value, "value": r.value, "text": None, "confidence": 1.0})
            else:
                assert r.text is not None
                code, value, confidence = normaliser.restriction(r.text, batch.results[("restriction", r.text)])
                # A recognised text becomes its code; the text itself is not kept (it may say more than needed).
                restrictions.append({"code": code, "value": value, "text": None if code else r.text,
                                     "confidence": confidence})
        row: Row = {
            "ref": ref,
            **c.model_dump(mode="json", exclude={"skills", "experience", "desired_occupations", "certificates",
                                                 "restrictions", "monitoring"}),
            "skills": [batch.item(part, "skill", years=s.years) for s in c.skills for part in split_terms(s.label)],
            "experience": [batch.item(e.title, "occupation", "title", years=e.years) for e in c.experience],
            "desired_occupations": [batch.item(d, "occupation") for d in c.desired_occupations],
            "certificates": [batch.item(cert, "certificate") for cert in c.certificates],
            "restrictions": restrictions,
            "monitoring": dict(c.monitoring),
        }
        row["content_hash"] = content_hash(c.model_dump(mode="json"))
        rows.append(row)
        texts.append(candidate_text(normaliser.vocabulary, row, full=False))
        hashes.append(content_hash(texts[-1]))
    return Prepared(rows, texts, hashes)


# The fields a vacancy's text can supply; anything else comes only from the sender.
READABLE = ("hours_min", "hours_max", "shifts", "driving_licences", "certificates", "dutch_level", "education_level",
            "demands", "support", "required_skills", "preferred_skills", "postcode")


def complete(body: VacancyIn, reader: VacancyReader | None) -> tuple[VacancyIn, Row]:
    """The vacancy as it will be stored, and where each field came from.

    A field the sender gave (present in the body, even as an empty list) is kept as it is: ``given``, or
    ``jobposting`` / ``page`` for what a JobPosting or a web page states (`VacancyIn.stated_by`). A readable
    field the sender left out is filled from the description when the text says it: ``text``, with the spans
    it was read from (offsets into the description), so an adviser can check and correct it."""
    provenance: Row = {name: {"source": body.stated_by} for name in sorted(body.model_fields_set)}
    if reader is None or not body.description or body.model_fields_set.issuperset(READABLE):
        return body, provenance
    read = reader.read(body.description, title=body.title)
    fill: Row = {}
    for name in READABLE:
        if name in body.model_fields_set or name not in read.vacancy:
            continue
        fill[name] = read.vacancy[name]
        provenance[name] = {"source": "text", "evidence": [s.__dict__ for s in read.evidence.get(name, [])]}
    low, high = fill.get("hours_min", body.hours_min), fill.get("hours_max", body.hours_max)
    if low is not None and high is not None and low > high:  # one end given, the other read: keep what was given
        for name in ("hours_min", "hours_max"):
            if name in fill:
                del fill[name], provenance[name]
    if not fill:
        return body, provenance
    filled = VacancyIn.model_validate(body.model_dump(mode="json", exclude_unset=True) | fill)
    filled.stated_by = body.stated_by
    return filled, provenance


def prepare_vacancies(normaliser: Normaliser, items: Sequence[tuple[tuple[str, str], VacancyIn]],
                      reader: VacancyReader | None = None) -> Prepared:
    completed = [(key, *complete(v, reader)) for key, v in items]
    items = [(key, v) for key, v, _ in completed]
    batch = _Batch(normaliser)
    for _, v in items:
        batch.ask(v.title, "occupation")
        for s in v.required_skills + v.preferred_skills:
            for part in split_terms(s):
                batch.ask(part, "skill")
        for cert in v.certificates:
            batch.ask(cert, "certificate")
    batch.run()
    rows, texts, hashes = [], [], []
    for (source, external_id), v, provenance in completed:
        title = batch.results[("occupation", v.title)]
        row: Row = {
            "source": source,
            "external_id": external_id,
            **v.model_dump(mode="json", exclude={"required_skills", "preferred_skills", "certificates", "demands"}),
            "occupation_id": title.concept_id,
            "occupation_confidence": title.confidence,
            "required_skills": [batch.item(p, "skill") for s in v.required_skills for p in split_terms(s)],
            "preferred_skills": [batch.item(p, "skill") for s in v.preferred_skills for p in split_terms(s)],
            "certificates": [batch.item(cert, "certificate") for cert in v.certificates],
            "demands": [d.model_dump(mode="json") for d in v.demands],
            "provenance": provenance,
        }
        # where each field came from is part of the content: confirming a value read from text changes it
        row["content_hash"] = content_hash([v.model_dump(mode="json"), {k: p["source"] for k, p in provenance.items()}])
        rows.append(row)
        texts.append(vacancy_text(normaliser.vocabulary, row, full=False))
        hashes.append(content_hash(texts[-1]))
    return Prepared(rows, texts, hashes)


def embed(encoder: Encoder, texts: list[str], hashes: list[str], known: dict[str, Any]) -> tuple[list[np.ndarray], int]:
    """Vectors for all texts, encoding only hashes not already known; returns (vectors, number encoded)."""
    todo = [i for i, h in enumerate(hashes) if h not in known]
    todo_unique = list(dict.fromkeys(hashes[i] for i in todo))
    first = {hashes[i]: i for i in reversed(todo)}
    fresh = encoder.encode([texts[first[h]] for h in todo_unique]) if todo_unique else np.zeros((0, encoder.dim))
    vectors = dict(known) | dict(zip(todo_unique, fresh, strict=True))
    return [np.asarray(vectors[h], dtype=np.float32) for h in hashes], len(todo_unique)
