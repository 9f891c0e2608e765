"""Explanations a consultant can check and disagree with.

Every match carries the additive model's contributions (they sum exactly to the log-odds together
with `base`) and a short plain-Dutch summary that leads with strengths, then what is missing, then
what to discuss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np

from matcher.geo import travel_minutes
from matcher.matching.feasibility import EXTRA_TEXTS, RULES
from matcher.matching.features import FEATURES
from matcher.matching.scoring import AdditiveModel
from matcher.matching.tables import Row, occupations, term
from matcher.matching.vocabulary import Vocabulary

RULE_TEXTS = {r.name: (r.conflict_nl, r.attention_nl) for r in RULES} | EXTRA_TEXTS
CUT = 0.05  # a contribution beyond this (log-odds) is a strength or a gap in the summary
T = TypeVar("T")
SHIFT_NL = {"day": "dag", "evening": "avond", "night": "nacht", "weekend": "weekend"}
# What a feature's text means, whatever its contribution: it fits, something is missing, or it says
# nothing either way (the vacancy did not ask for it, or it is not known). The colour follows the meaning.
FIT, GAP, NEUTRAL = "fit", "gap", "neutral"
# What an anonymised view may say: nothing about the support a person needs (it gives away the trede),
# their restrictions (the attention points) or where they live (the distance); and no feature values.
PRIVATE_FEATURES = ("support_fit", "travel_distance", "attention_points")
ANONYMOUS_FEATURES = tuple(f for f in FEATURES if f not in PRIVATE_FEATURES)
ANONYMOUS_TEXTS = {"semantic_similarity": "profiel lijkt inhoudelijk op de vacature",
                   "text_similarity": "woorden in profiel en vacature komen overeen"}


def _show(vocab: Vocabulary, item: dict[str, Any], key: str = "label") -> str:
    return vocab.label(item.get("concept_id"), item[key])


def _listing(names: list[str], limit: int = 3) -> str:
    names = list(dict.fromkeys(names))
    return ", ".join(names[:limit]) + (f" en {len(names) - limit} meer" if len(names) > limit else "")


def _summary(strengths: list[str], missing: list[str], attention: str | None) -> str:
    parts = []
    if strengths:
        parts.append("Past: " + "; ".join(strengths) + ".")
    if missing:
        parts.append("Ontbreekt: " + "; ".join(missing) + ".")
    if attention:
        parts.append(attention)
    return " ".join(parts) or "Geen uitgesproken sterke of zwakke punten."


def _fits(items: list[dict[str, Any]]) -> list[str]:
    return [i["text_nl"] for i in sorted((i for i in items if i["meaning"] == FIT), key=lambda i: -i["contribution"])]


def _gaps(items: list[dict[str, Any]]) -> list[str]:
    return [i["text_nl"] for i in sorted((i for i in items if i["meaning"] == GAP), key=lambda i: i["contribution"])]


def chips(items: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """What fits (strongest first) and what is missing (weighing most first), by meaning, not by sign:
    the same text is always on the same side, and nothing the vacancy did not ask for is missing."""
    return _fits(items), _gaps(items)


def _strengths_and_gaps(items: list[dict[str, Any]], missing_skills: list[str]) -> tuple[list[str], list[str]]:
    """The summary's three strongest fits and up to two gaps, after the missing required skills."""
    fits = _fits([i for i in items if i["contribution"] > CUT])
    gaps = _gaps([i for i in items if i["feature"] != "required_skills"])
    return fits[:3], ([f"mist {_listing(missing_skills)}"] if missing_skills else []) + gaps[:2]


def anonymous(explanation: dict[str, Any]) -> dict[str, Any]:
    """The explanation an employer-service adviser reads: Dutch reasons only, none of the private features,
    no values, and only the fact that there is something to discuss. Made from the full one when shown."""
    shown = [i | {"text_nl": ANONYMOUS_TEXTS.get(i["feature"], i["text_nl"])} for i in explanation["contributions"]
             if i["feature"] in ANONYMOUS_FEATURES]
    strengths, missing = _strengths_and_gaps(shown, explanation["missing_skills"])
    return {"summary_nl": _summary(strengths, missing, "Er zijn bespreekpunten voor de consulent."
                                   if explanation["attention_points"] else None),
            "fits_nl": _fits(shown), "missing_nl": _gaps(shown)}


def _fmt(template: str, **values: Any) -> str:
    try:
        return template.format(**values)
    except (KeyError, ValueError, TypeError):
        return template.split("{")[0].strip(" :")


@dataclass
class _Asks:
    """What one vacancy asks, as its explanations need it: worked out once per list, not once per pair."""
    occupation: str
    required: list[tuple[str, str]]  # (term, label) of each required skill
    preferred: list[tuple[str, str]]
    asked: dict[str, bool]  # the vacancy asks for this (else its feature says nothing either way)
    read: bool  # its required skills were read from its text


def _split(held: set[str], skills: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The labels of the skills the person holds (``held``: terms), and of the others."""
    return [label for t, label in skills if t in held], [label for t, label in skills if t not in held]


class Explainer:
    """Explains pairs. What a vacancy asks and a person holds is worked out on their first pair and kept, so an
    explainer serves rows that do not change while it is used (those of one snapshot): a list, or a worklist."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary
        self._kept: dict[tuple[str, int], tuple[Row, Any]] = {}

    def _once(self, what: str, row: Row, make: Callable[[Row], T]) -> T:
        """``make(row)``, worked out on the row's first pair and kept (with the row, so its id stays its own)."""
        key = (what, id(row))
        if key not in self._kept:
            self._kept[key] = (row, make(row))
        return cast(T, self._kept[key][1])

    def _asks(self, vac: Row) -> _Asks:
        required, preferred = ([(term(s), _show(self.vocab, s)) for s in vac[key]]
                               for key in ("required_skills", "preferred_skills"))
        return _Asks(
            occupation=self.vocab.label(vac.get("occupation_id"), vac["title"]), required=required, preferred=preferred,
            asked={"required_skills": bool(required), "preferred_skills": bool(preferred),
                   "certificates": bool(vac["certificates"]), "education_fit": bool(vac.get("education_level")),
                   "language_fit": bool(vac.get("dutch_level")),
                   "hours_fit": vac.get("hours_min") is not None or vac.get("hours_max") is not None,
                   "shift_fit": any(s != "day" for s in vac["shifts"])},
            read=(vac.get("provenance") or {}).get("required_skills", {}).get("source") == "text")

    def point_texts(self, names: list[str], cand: Row, vac: Row, km: float, conflict: bool) -> list[str]:
        """Dutch text for each fired check (conflict reasons or attention points)."""
        if not names:
            return []
        limits = {r.get("code"): r.get("value") for r in cand["restrictions"] if r.get("code")}
        lift = max([d.get("value") or 0 for d in vac["demands"] if d["code"] == "lift_kg"], default=0)
        held_certs = {term(c) for c in cand["certificates"]}
        missing_certs = [_show(self.vocab, c) for c in vac["certificates"] if term(c) not in held_certs]
        held_lic = set(cand["driving_licences"])
        limit_km = cand.get("max_travel_km") or 25
        values: dict[str, dict[str, Any]] = {
            "lifting": {"demand": lift, "limit": limits.get("max_lift_kg") or 0},
            "hours": {"demand": vac.get("hours_min") or 0, "limit": limits.get("max_hours_week") or 0},
            "licence": {"missing": _listing([x for x in vac["driving_licences"] if x not in held_lic])},
            "dutch": {"demand": vac.get("dutch_level"), "level": cand.get("dutch_level")},
            "distance": {"km": 0.0 if np.isnan(km) else km, "limit": limit_km,
                         "minutes": 0 if np.isnan(km) else travel_minutes(km)},
            "certificate": {"missing": _listing(missing_certs)},
            "hours_wish": {"demand": vac.get("hours_min") or 0, "limit": cand.get("hours_max") or 0},
            "shift_wish": {"shifts": _listing([SHIFT_NL.get(s, s) for s in vac["shifts"]
                                               if s != "day" and s not in cand["shifts"]])},
        }
        texts = []
        for name in names:
            template = RULE_TEXTS[name][0 if conflict else 1]
            if template:
                texts.append(_fmt(template, **values.get(name, {})))
        return texts

    def explain(self, model: AdditiveModel, x: np.ndarray, cand: Row, vac: Row, *, km: float,
                attention: list[str]) -> dict[str, Any]:
        contributions = model.contributions(x)
        asks = self._once("asks", vac, self._asks)
        occupation, asked = asks.occupation, asks.asked
        held = self._once("held", cand, lambda c: {term(s) for s in c["skills"]})
        req_have, req_missing = _split(held, asks.required)
        pref_have, _ = _split(held, asks.preferred)
        shared = self.vocab.shared("occupation")
        years = sum((e.get("years") or 1.0) for e in cand["experience"]
                    if vac.get("occupation_id") and vac["occupation_id"] in occupations(e, "title", shared))
        value = dict(zip(FEATURES, x.tolist(), strict=True))
        unknown = {"required_skills": asks.read and not req_have
                   and not any(s.get("concept_id") for s in cand["skills"]),
                   "travel_distance": bool(np.isnan(km)), "support_fit": cand.get("trede") is None,
                   "shift_fit": not cand["shifts"],
                   "hours_fit": cand.get("hours_min") is None and cand.get("hours_max") is None}
        texts = {
            "required_skills": ("geen vaardigheden gevraagd" if not asked["required_skills"] else
                                "vaardigheden niet te vergelijken (uit de tekst gelezen; geen herkende in het profiel)"
                                if unknown["required_skills"] else
                                f"heeft {len(req_have)} van {len(req_have) + len(req_missing)} gevraagde "
                                f"vaardigheden" + (f" ({_listing(req_have)})" if req_have else "")),
            "preferred_skills": (f"ook gewenst: {_listing(pref_have)}" if pref_have
                                 else "geen van de gewenste vaardigheden" if vac["preferred_skills"]
                                 else "geen extra vaardigheden gewenst"),
            "certificates": ("geen certificaten gevraagd" if not asked["certificates"] else
                             "heeft de gevraagde certificaten" if value["certificates"] >= 1 else
                             "mist een gevraagd certificaat"),
            "semantic_similarity": f"profiel lijkt inhoudelijk op de vacature ({value['semantic_similarity']:.0%})",
            "text_similarity": f"woorden in profiel en vacature komen overeen ({value['text_similarity']:.0%})",
            "occupation_experience": (f"{years:g} jaar ervaring als {occupation}" if years else
                                      "ervaring in dezelfde sector" if value["occupation_experience"] > 0 else
                                      f"geen ervaring als {occupation}"),
            "desired_occupation": (f"wil graag werken als {occupation}" if value["desired_occupation"] >= 1 else
                                   "wil in deze sector werken" if value["desired_occupation"] > 0 else
                                   "dit werk staat niet bij de wensen"),
            "education_fit": "geen opleidingsniveau gevraagd" if not asked["education_fit"] else
            {1.0: "opleidingsniveau past", 0.5: "opleiding één niveau lager of onbekend"}
            .get(value["education_fit"], "opleidingsniveau lager dan gevraagd"),
            "language_fit": "geen taalniveau gevraagd" if not asked["language_fit"] else
            {1.0: "taalniveau Nederlands past", 0.5: "taalniveau één stap lager of onbekend"}
            .get(value["language_fit"], "taalniveau lager dan gevraagd"),
            "travel_distance": ("afstand onbekend" if unknown["travel_distance"] else
                                f"woont op {km:.0f} km (ca. {travel_minutes(km)} min reizen)"),
            "hours_fit": ("geen uren opgegeven" if not asked["hours_fit"] else
                          "gewenste uren onbekend" if unknown["hours_fit"] else
                          "gewenste uren passen" if value["hours_fit"] >= 1 else
                          "uren passen deels" if value["hours_fit"] > 0 else "uren passen niet"),
            "shift_fit": ("geen avond-, nacht- of weekenddiensten" if not asked["shift_fit"] else
                          "beschikbaarheid voor diensten onbekend" if unknown["shift_fit"] else
                          "beschikbaar voor de diensten" if value["shift_fit"] >= 1 else
                          "niet voor alle diensten beschikbaar"),
            "support_fit": ("afstand tot werk onbekend" if unknown["support_fit"] else
                            "begeleiding past bij de afstand tot werk" if value["support_fit"] >= 1 else
                            "vraagt meer begeleiding dan deze plek biedt"),
            "attention_points": f"{len(attention)} bespreekpunt(en)" if attention else "geen bespreekpunten",
        }

        def meaning(name: str, contribution: float) -> str:
            if not asked.get(name, True) or unknown.get(name, False) or name == "attention_points":
                return NEUTRAL
            if name in ("semantic_similarity", "text_similarity"):  # a likeness: worth naming when it helps
                return FIT if contribution > CUT else NEUTRAL
            if name == "travel_distance":  # within the person's own limit (1 - km / 1.5 limit >= 1/3)
                return FIT if value[name] >= 1 / 3 else GAP
            if name in ("preferred_skills", "occupation_experience", "desired_occupation"):
                return FIT if value[name] > 0 else GAP
            return FIT if value[name] >= 1 else GAP

        items: list[dict[str, Any]] = [
            {"feature": name, "value": round(value[name], 4), "contribution": contribution,
             "text_nl": texts[name], "meaning": meaning(name, contribution)}
            for name, contribution in zip(FEATURES, contributions.tolist(), strict=True)
        ]
        items.sort(key=lambda item: -item["contribution"])
        strengths, missing = _strengths_and_gaps(items, req_missing)
        base = model.base
        return {
            "summary_nl": _summary(strengths, missing, "Bespreken: " + "; ".join(attention) + "." if attention
                                   else None),
            "base": base,
            "logit": float(base + contributions.sum()),
            "contributions": items,
            "attention_points": attention,
            "missing_skills": req_missing,
        }
