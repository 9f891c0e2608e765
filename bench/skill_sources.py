"""Where the reader's required skills come from, and how precise each source is, on the tuning sets only.

Each required skill the reader proposes is traced to the rule that read it (`Extraction.sources`: a vocabulary
phrase, a task said to the reader, "ervaring met", ...) and described by what the reader knows of it at run time:
the section it stands in (under a heading that lists the work, one that asks, none), list item or running text,
a vocabulary concept or free text, its length in words, whether it holds a verb, where in the text it stands.
Scoring is `bench.extraction`'s: an item is right when the one-to-one matching pairs it with a gold item.

`choose()` then asks, by leave-one-set-out over the four tuning sets, whether leaving out some proposals would
make the reader more precise on texts it was not tuned on: each way round it chooses on three sets (drop the
feature values whose precision is low on each of them; or a logistic regression on these features with the
threshold that serves the three best) and scores on the fourth, against the reader as it is.

Usage: python -m bench.extraction --sources
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from bench.extraction import TUNING, _fields, load, matched_items
from matcher.ingest import jobposting, tasks
from matcher.ingest.extract import REQUIRED, TASKS, VacancyReader, _heading, clauses, plain
from matcher.matching.vocabulary import Vocabulary
from matcher.matching.vocabulary.normalise import Normaliser
from matcher.text import fold

Keep = Callable[["Proposal"], bool]
FEATURES = ("source", "section", "form", "vocabulary", "words", "verb", "position", "format")


@dataclass
class Proposal:
    features: dict[str, str]
    right: bool


@dataclass
class Record:
    gold: list[tuple[str, str]]
    items: list[tuple[str, str]]  # the proposed items as scored, one per concept
    proposals: list[Proposal]  # beside `items`

    def hits(self, keep: Iterable[bool]) -> tuple[int, int]:
        """Right and proposed items when only the kept proposals stay."""
        kept = [item for item, k in zip(self.items, keep, strict=True) if k]
        return len(matched_items(self.gold, kept)), len(kept)


def _section(text: str, at: int) -> str:
    """The heading the proposal stands under: one that lists the work, one that asks, none."""
    section = "no heading"
    for m in re.finditer(r"[^\n]+", text[:max(at, 0)]):
        if m.end() >= at:
            break
        mode = _heading(plain(m.group()))
        if mode == REQUIRED:
            section = "work heading" if re.search(TASKS, plain(m.group()).strip(" \t*#:?")) else "ask heading"
        elif mode:
            section = f"{mode} heading"
    return section


def proposals(which: str, reader: VacancyReader, concept: Callable[[str], str]) -> list[Record]:
    gold_items, _ = _fields(lambda t, kind: concept(t))["required_skills"]
    out = []
    for r in load(which):
        read = jobposting.read(reader, r["content"], r["format"])
        x = read.extraction
        said = x.vacancy.get("required_skills") or []
        scored = {concept(t): ((concept(t), fold(t)), t) for t in said}  # one per concept, as the bench scores
        stated = "required_skills" in x.stated
        added: dict[str, tuple[str, Any]] = {}
        for (value, source), span in zip(x.sources.get("required_skills", []) if not stated else [],
                                         x.evidence.get("required_skills", []), strict=False):
            added.setdefault(value, (source, span))  # the rule that read it first
        found = {c.start: c for c in clauses(read.text, plain(read.text))}
        items, props = [], []
        for item, t in scored.values():
            source, span = added.get(t, ("JobPosting skills", None))
            start = span.start if span else -1
            clause = next((c for c in found.values() if c.start <= start < c.end), None)
            n = len(t.split())
            features = {
                "source": source,
                "section": _section(read.text, start) if span else "JobPosting",
                "form": "list item" if clause and clause.item else "running text",
                "vocabulary": "free text" if item[0].startswith("txt:") else "vocabulary concept",
                "words": str(n) if n < 5 else "5+",
                "verb": "verb" if tasks.has_verb(t) else "no verb",
                "position": ("first third", "middle third", "last third")[min(2, 3 * max(start, 0)
                                                                                // max(len(read.text), 1))],
                "format": r["format"],
            }
            items.append(item)
            props.append(Proposal(features, False))
        gold = list(gold_items(r["gold"]))
        right = matched_items(gold, items)
        for i, p in enumerate(props):
            p.right = i in right
        out.append(Record(gold, items, props))
    return out


def f1(records: list[Record], keep: Callable[[Proposal], bool] = lambda p: True) -> tuple[float, float, float]:
    tp = npred = ngold = 0
    for r in records:
        hit, n = r.hits(keep(p) for p in r.proposals)
        tp, npred, ngold = tp + hit, npred + n, ngold + len(r.gold)
    precision = tp / npred if npred else 1.0
    recall = tp / ngold if ngold else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def table(sets: dict[str, list[Record]], feature: str) -> list[str]:
    """Per value of one feature: proposals and their precision on each set."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {s: [0, 0] for s in sets})
    for name, records in sets.items():
        for r in records:
            for p in r.proposals:
                counts[p.features[feature]][name][0] += p.right
                counts[p.features[feature]][name][1] += 1
    rows = [f"| {feature} | " + " | ".join(f"{s} n | {s} P" for s in sets) + " | all n | all P |",
            "|---|" + "---|---|" * (len(sets) + 1)]
    for value, per in sorted(counts.items(), key=lambda kv: -sum(n for _, n in kv[1].values())):
        right, n = sum(r for r, _ in per.values()), sum(n for _, n in per.values())
        cells = " | ".join(f"{m} | {h / m:.2f}" if m else "0 | -" for h, m in per.values())
        rows.append(f"| {value} | {cells} | {n} | {right / n:.2f} |")
    return rows


def _cells(p: Proposal, pairs: bool) -> list[tuple[str, str]]:
    """The proposal's feature values, and with `pairs` each two of them together."""
    cells = [(f, p.features[f]) for f in FEATURES]
    return cells + [(f"{a}×{b}", f"{p.features[a]}×{p.features[b]}") for a, b in combinations(FEATURES, 2)] \
        if pairs else cells


def drop_low(train: list[list[Record]], *, least: int = 3) -> set[tuple[str, str]]:
    """Feature values whose proposals fall below half the set's F1 in precision on every training set (there,
    leaving them out raises F1), with at least `least` proposals in each."""
    low: set[tuple[str, str]] | None = None
    for records in train:
        _, _, score = f1(records)
        marks: dict[tuple[str, str], list[bool]] = defaultdict(list)
        for p in (p for r in records for p in r.proposals):
            for cell in _cells(p, False):
                marks[cell].append(p.right)
        here = {cell for cell, m in marks.items() if len(m) >= least and sum(m) / len(m) < score / 2}
        low = here if low is None else low & here
    return low or set()


def learned(train: list[list[Record]], *, pairs: bool) -> tuple[float, Callable[[list[Record]], Keep]]:
    """A logistic regression on the one-hot features (with `pairs`, also each two together), fitted on the
    training sets; the threshold is the one (0, 0.05, ..., 0.9) that gives the training sets together the best F1,
    the lowest of equals (0 keeps everything)."""
    from sklearn.linear_model import LogisticRegression

    pooled = [r for records in train for r in records]
    index = {cell: i for i, cell in enumerate(sorted({c for r in pooled for p in r.proposals
                                                       for c in _cells(p, pairs)}))}

    def matrix(records: list[Record]) -> np.ndarray:
        rows = [p for r in records for p in r.proposals]
        x = np.zeros((len(rows), len(index)))
        for i, p in enumerate(rows):
            for cell in _cells(p, pairs):
                if cell in index:
                    x[i, index[cell]] = 1.0
        return x

    y = np.array([p.right for r in pooled for p in r.proposals])
    model = LogisticRegression(C=1.0, max_iter=2000).fit(matrix(pooled), y)

    def keeper(records: list[Record], threshold: float) -> Keep:
        scores = model.predict_proba(matrix(records))[:, 1]
        by_id = {id(p): s for p, s in zip((p for r in records for p in r.proposals), scores, strict=True)}
        return lambda p: bool(by_id[id(p)] >= threshold)

    _, lowest = max((f1(pooled, keeper(pooled, t))[2], -t) for t in np.round(np.arange(0.0, 0.91, 0.05), 2))
    return -lowest, lambda records: keeper(records, -lowest)


def choose(sets: dict[str, list[Record]]) -> list[str]:
    """Leave one set out, all four ways: the held-out set before and after each way of leaving proposals out,
    each chosen on the other three."""
    rows = ["| held out | way (chosen on the other three) | P | R | F1 |", "|---|---|---|---|---|"]

    def row(held: str, way: str, scores: tuple[float, float, float]) -> str:
        return f"| {held} | {way} | " + " | ".join(f"{v:.3f}" for v in scores) + " |"

    for held in sets:
        train = [records for name, records in sets.items() if name != held]
        rows.append(row(held, "as it is", f1(sets[held])))
        dropped = drop_low(train)
        cells = ", ".join(f"{f}={v}" for f, v in sorted(dropped)) or "nothing"
        rows.append(row(held, f"drop low-precision values: {cells}",
                        f1(sets[held], lambda p, d=dropped: not any(p.features[f] == v for f, v in d))))  # type: ignore[misc]
        for pairs in (False, True):
            threshold, keep = learned(train, pairs=pairs)
            rows.append(row(held, f"logistic filter{', feature pairs' if pairs else ''}, threshold {threshold:.2f}",
                            f1(sets[held], keep(sets[held]))))
    return rows


def report() -> None:
    vocabulary = Vocabulary.shipped()
    reader = VacancyReader(vocabulary)
    normaliser = Normaliser(vocabulary)

    def concept(text: str) -> str:
        return normaliser.match(text, "skill").term

    sets = {name: proposals(name, reader, concept) for name in TUNING}
    for feature in FEATURES:
        print("\n".join(table(sets, feature)), end="\n\n")
    print("\n".join(choose(sets)))

