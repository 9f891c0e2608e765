"""Reading vacancy texts: field-level precision, recall and F1 of `POST /v1/vacancies/extract`'s reader
against the hand-annotated sets in bench/data (see its README), and the time one vacancy takes.

`vacancies_eval.jsonl` is the evaluation set (reported, never tuned on); `vacancies_tune.jsonl`,
`vacancies_tune2.jsonl`, `vacancies_tune3.jsonl` and `vacancies_tune4.jsonl` are tuning sets.
Usage: python -m bench.extraction [--set tune|tune2|tune3|tune4|eval] [--errors FIELD]   (prints that field's misses)
       python -m bench.extraction --table   (the evaluation set's totals, tuning sets beside them: RESULTS.md's table)
       python -m bench.extraction --prose   (skills read from ESCO's Dutch occupation descriptions, see `prose`)
       python -m bench.extraction --labels  (the skill normaliser on the vocabulary's own labels, see `labels`)
       python -m bench.extraction --sources  (required skills per source on the tuning sets: bench.skill_sources)
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from bench.common import ESCO, ROOT
from matcher import geo
from matcher.ingest import jobposting
from matcher.ingest.extract import VacancyReader
from matcher.matching.vocabulary import Vocabulary
from matcher.matching.vocabulary.normalise import Normaliser
from matcher.text import fold

DATA = ROOT / "bench" / "data"
SHIFT_DEMANDS = {"night_work", "evening_work", "weekend_work"}  # the gold derives these from shifts
Items = Callable[[dict[str, Any]], set[Any]]


def _fields(concept: Callable[[str, str], str]) -> dict[str, tuple[Items, Items]]:
    """Per reported field: (items in the gold annotation, items in what the reader proposed)."""
    def single(name: str) -> tuple[Items, Items]:
        return (lambda g: {g[name]} if g.get(name) else set(), lambda p: {p[name]} if p.get(name) else set())

    def terms(gold: str, pred: str, kind: str) -> tuple[Items, Items]:
        return (lambda g: {(concept(t, kind), fold(t)) for t in g.get(gold) or []},
                lambda p: set({concept(t, kind): (concept(t, kind), fold(t)) for t in p.get(pred) or []}.values()))

    def demands(gold: dict[str, Any]) -> set[Any]:
        return {d["code"] for d in gold.get("demands") or [] if d["code"] != "lift_kg"} - SHIFT_DEMANDS

    def lifting(gold: dict[str, Any]) -> set[Any]:
        return {("lift_kg", float(d["value"])) for d in gold.get("demands") or [] if d["code"] == "lift_kg"}

    def hours(v: dict[str, Any]) -> set[Any]:
        return {(v["hours_min"], v["hours_max"])} if v.get("hours_min") is not None else set()

    return {
        "title": (lambda g: {fold(g["title"])} if g.get("title") else set(), lambda p: {fold(p["title"])}
                  if p.get("title") else set()),
        "hours": (hours, hours),
        "shifts": (lambda g: set(g.get("shifts") or []), lambda p: set(p.get("shifts") or [])),
        "driving_licences": (lambda g: set(g.get("driving_licences") or []),
                             lambda p: set(p.get("driving_licences") or [])),
        "dutch_level": single("dutch_level"),
        "lifting": (lifting, lifting),
        "demands (other)": (demands, demands),
        "support": (lambda g: set(g.get("support") or []), lambda p: set(p.get("support") or [])),
        "certificates": terms("certificates", "certificates", "certificate"),
        "education_level": single("education_level"),
        "required_skills": terms("required_skills", "required_skills", "skill"),
        "preferred_skills": terms("preferred_skills", "preferred_skills", "skill"),
        "location": (lambda g: {g["postcode"]} if g.get("postcode") else {_town(g["place"])} if g.get("place")
                     else set(), lambda p: {p["postcode"]} if p.get("postcode") else set()),
    }


TERMS = ("certificates", "required_skills", "preferred_skills")
TUNING = ("tune", "tune2", "tune3", "tune4")


def _matched(gold: set[tuple[str, str]], pred: set[tuple[str, str]]) -> int:
    """One-to-one matches of (concept, text) items, as many as possible (a maximum bipartite matching, so the count
    does not depend on the order the sets iterate in): a pair matches on the same concept, or, where either side is
    free text the vocabulary does not know, on the same words (token set ratio ≥ 85: "klanten helpen" in "klanten
    helpen in de winkel")."""
    return len(matched_items(list(gold), list(pred)))


def matched_items(gold: list[tuple[str, str]], pred: list[tuple[str, str]]) -> set[int]:
    """The indexes of the read items that `_matched` pairs with a gold item."""
    if not gold or not pred:
        return set()
    fits = np.array([[term == p_term or ((term.startswith("txt:") or p_term.startswith("txt:"))
                                         and fuzz.token_set_ratio(words, p_words) >= 85)
                      for p_term, p_words in pred] for term, words in gold], dtype=float)
    rows, cols = linear_sum_assignment(fits, maximize=True)
    return {int(col) for row, col in zip(rows, cols, strict=True) if fits[row, col]}


def _town(place: str) -> str:
    """A gold place name as the comparable postcode: the first postcode of that town."""
    codes = geo.postcodes_in_place(place.split("-")[0])
    return codes[0] if codes else place


def _same_town(gold: set[Any], pred: set[Any]) -> tuple[set[Any], set[Any]]:
    """A predicted postcode in the gold place counts as that place (Arnhem-Zuid is Arnhem)."""
    def town(pc: Any) -> str:
        name = geo.place(str(pc)) or str(pc)
        return name.split()[0].split("-")[0]
    gold_towns = {town(g) for g in gold}
    return {town(g) for g in gold}, {town(p) if town(p) in gold_towns else p for p in pred}


def load(which: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / f"vacancies_{which}.jsonl").read_text().splitlines()
            if line and not line.startswith("#")]  # a "#" line is the file's header


def evaluate(which: str = "eval", *, show_errors: str | None = None) -> dict[str, Any]:
    records = load(which)
    vocabulary = Vocabulary.shipped()
    reader = VacancyReader(vocabulary)
    normaliser = Normaliser(vocabulary)  # letters only: the gold side maps to concepts as a fresh install does

    def concept(text: str, kind: str) -> str:
        return normaliser.match(text, kind).term

    fields = _fields(concept)
    counts = {name: [0, 0, 0] for name in fields}  # true positives, predicted, gold
    times = []
    for r in records:
        start = time.perf_counter()
        read = jobposting.read(reader, r["content"], r["format"])
        times.append((time.perf_counter() - start) * 1000)
        proposed = read.extraction.vacancy
        for name, (gold_items, pred_items) in fields.items():
            gold, pred = gold_items(r["gold"]), pred_items(proposed)
            if name == "location":
                gold, pred = _same_town(gold, pred)
            if name == "title" and gold and pred:
                (g,), (p,) = gold, pred
                pred = gold if fuzz.token_set_ratio(g, p) >= 90 else pred
            hit = _matched(gold, pred) if name in TERMS else len(gold & pred)
            counts[name][0] += hit
            counts[name][1] += len(pred)
            counts[name][2] += len(gold)
            if show_errors == name and gold != pred:
                print(f"{r['id']} {r['style']:<14} gold={sorted(map(str, gold))} read={sorted(map(str, pred))}  "
                      f"evidence={[s.text for s in read.extraction.evidence.get(name, [])][:4]}")
    report = {}
    for name, (tp, npred, ngold) in counts.items():
        precision = tp / npred if npred else 1.0
        recall = tp / ngold if ngold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[name] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                        "gold_items": ngold}
    warm = np.array(times[3:] or times)
    return {"set": which, "records": len(records), "fields": report,
            "ms_per_vacancy": {"p50": round(float(np.percentile(warm, 50)), 2),
                               "p95": round(float(np.percentile(warm, 95)), 2),
                               "max": round(float(warm.max()), 2)}}


def prose(*, show: bool = False) -> dict[str, Any] | None:
    """Skills read from descriptive prose that is no vacancy: ESCO's Dutch occupation descriptions, read the
    way the matches path reads them (title and description). A rule that reads tasks must not turn general
    sentences ("Schoonmakers reinigen gebouwen") into skills; what it reads here counts against the matches
    path (bench.quality.esco_matches)."""
    if not (ESCO / "occupations_nl.csv").exists():
        return None
    from matcher.learning.blend import occupations

    reader = VacancyReader(Vocabulary.shipped())
    texts = [o for o in occupations(ESCO) if o.description]
    counts = []
    for o in texts:
        out = reader.read(o.description[:4000], title=o.pref)
        read = [*out.vacancy.get("required_skills", []), *out.vacancy.get("preferred_skills", [])]
        counts.append(len(read))
        if show and read:
            print(f"{o.pref}: {read}")
    return {"descriptions": len(texts), "skills": sum(counts), "with_skills": sum(1 for c in counts if c),
            "per_description": round(sum(counts) / len(texts), 3)}


def labels() -> dict[str, Any]:
    """The skill normaliser on the vocabulary's own multi-word labels, each matched with that label left out (its
    concept is the right answer): how many go to their own concept, to another, or to none, with siblings kept
    apart (`normalise.siblings`, as in production) and without. The sibling rule was adjusted once after
    looking at these losses, so this is a check, not held-out evidence."""
    normaliser = Normaliser(Vocabulary.shipped())
    kind = normaliser.kind("skill")
    names = kind.names
    rows = [i for i, label in enumerate(kind.labels) if len(label.split()) >= 2]
    ngram, spelling, _ = kind._signals([kind.labels[i] for i in rows])
    out = {}
    for mode, kept_apart in (("siblings kept apart", names), ("without", None)):
        kind.names = kept_apart
        counts = {"own concept": 0, "another concept": 0, "no concept": 0}
        for row, i in enumerate(rows):
            left_out = [j for j, label in enumerate(kind.labels) if label == kind.labels[i]]
            ngram[row, left_out] = spelling[row, left_out] = -1.0
            ranked = kind._rank(kind.labels[i], ngram[row], spelling[row], None)
            top = ranked[0][0] if ranked and ranked[0][1] >= kind.blend.threshold else None
            counts["own concept" if top == kind.owners[i] else "no concept" if top is None else "another concept"] += 1
        out[mode] = counts
    kind.names = names
    return {"labels": len(rows), **out}


def run(service: Any = None) -> dict[str, Any]:
    """The bench step: the evaluation set (reported) and the tuning sets (for comparison), side by side."""
    return {"eval": evaluate("eval"), **{name: evaluate(name) for name in TUNING}}


def table(result: dict[str, Any]) -> list[str]:
    """`run()`'s result as bench/RESULTS.md lays it out: the evaluation set's totals per field, the tuning sets'
    F1 beside them, and the time per vacancy on the evaluation set."""
    tuning = [name for name in TUNING if name in result]
    rows = ["| field | P (eval) | R (eval) | F1 (eval) | gold items | "
            + " | ".join(f"F1 (tuning set {TUNING.index(n) + 1})" for n in tuning) + " |",
            "|---|---|---|---|---|" + "---|" * len(tuning)]
    for name, m in result["eval"]["fields"].items():
        rows.append(f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['gold_items']} | "
                    + " | ".join(f"{result[n]['fields'][name]['f1']:.3f}" for n in tuning) + " |")
    ms = result["eval"]["ms_per_vacancy"]
    return [*rows, "", f"ms per vacancy (evaluation set): p50 {ms['p50']}, p95 {ms['p95']}, max {ms['max']}"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=(*TUNING, "eval"), default="tune")
    parser.add_argument("--errors", help="print the records where this field differs")
    parser.add_argument("--prose", action="store_true", help="skills read from ESCO occupation descriptions")
    parser.add_argument("--labels", action="store_true", help="skill labels of the vocabulary, each left out")
    parser.add_argument("--table", action="store_true",
                        help="the evaluation set's totals with the tuning sets beside them, as bench/RESULTS.md shows")
    parser.add_argument("--sources", action="store_true",
                        help="required skills per source, tuning sets only, and leave-one-set-out choices")
    args = parser.parse_args()
    if args.table:
        print("\n".join(table(run())))
        return
    if args.sources:
        from bench.skill_sources import report

        report()
        return
    if args.prose:
        print(prose(show=bool(args.errors)))
        return
    if args.labels:
        print(labels())
        return
    result = evaluate(args.set, show_errors=args.errors)
    for name, m in result["fields"].items():
        print(f"{name:<18} P {m['precision']:.2f}  R {m['recall']:.2f}  F1 {m['f1']:.2f}  "
              f"(gold items {m['gold_items']})")
    print("ms per vacancy", result["ms_per_vacancy"])


if __name__ == "__main__":
    main()
