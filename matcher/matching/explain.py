"""Explanations a consultant can check and disagree with.

Every match carries the additive model's contributions (they sum exactly to the log-odds together
with `base`) and a short plain-Dutch summary that leads with strengths, then what is missing, then
what to discuss.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.geo import travel_minutes
from matcher.matching.feasibility import EXTRA_TEXTS, RULES
from matcher.matching.features import FEATURES
from matcher.matching.scoring import AdditiveModel
from matcher.matching.tables import Row, term
from matcher.matching.vocabulary import Vocabulary

RULE_TEXTS = {r.name: (r.conflict_nl, r.attention_nl) for r in RULES} | EXTRA_TEXTS


def _show(vocab: Vocabulary, item: dict[str, Any], key: str = "label") -> str:
    return vocab.label(item.get("concept_id"), item[key])


def _listing(names: list[str], limit: int = 3) -> str:
    names = list(dict.fromkeys(names))
    return ", ".join(names[:limit]) + (f" en {len(names) - limit} meer" if len(names) > limit else "")


def _fmt(template: str, **values: Any) -> str:
    try:
        return template.format(**values)
    except (KeyError, ValueError, TypeError):
        return template.split("{")[0].strip(" :")


class Explainer:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary

    def skills(self, cand: Row, vac: Row, kind: str) -> tuple[list[str], list[str]]:
        held = {term(s) for s in cand["skills"]}
        items = vac[f"{kind}_skills"]
        have = [_show(self.vocab, s) for s in items if term(s) in held]
        missing = [_show(self.vocab, s) for s in items if term(s) not in held]
        return have, missing

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
            "shift_wish": {"shifts": _listing([s for s in vac["shifts"] if s != "day" and s not in cand["shifts"]])},
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
        occupation = self.vocab.label(vac.get("occupation_id"), vac["title"])
        req_have, req_missing = self.skills(cand, vac, "required")
        pref_have, _ = self.skills(cand, vac, "preferred")
        years = sum((e.get("years") or 1.0) for e in cand["experience"]
                    if vac.get("occupation_id") and e.get("concept_id") == vac.get("occupation_id"))
        value = dict(zip(FEATURES, x.tolist(), strict=True))
        texts = {
            "required_skills": (f"heeft {len(req_have)} van {len(req_have) + len(req_missing)} gevraagde "
                                f"vaardigheden" + (f" ({_listing(req_have)})" if req_have else "")
                                if req_have or req_missing else "geen vaardigheden gevraagd"),
            "preferred_skills": (f"ook gewenst: {_listing(pref_have)}" if pref_have
                                 else "geen van de gewenste vaardigheden" if vac["preferred_skills"]
                                 else "geen extra vaardigheden gewenst"),
            "certificates": "heeft de gevraagde certificaten" if value["certificates"] >= 1 else
                            "mist een gevraagd certificaat",
            "semantic_similarity": f"profiel lijkt inhoudelijk op de vacature ({value['semantic_similarity']:.0%})",
            "text_similarity": f"woorden in profiel en vacature komen overeen ({value['text_similarity']:.0%})",
            "occupation_experience": (f"{years:g} jaar ervaring als {occupation}" if years else
                                      "ervaring in dezelfde sector" if value["occupation_experience"] > 0 else
                                      f"geen ervaring als {occupation}"),
            "desired_occupation": (f"wil graag werken als {occupation}" if value["desired_occupation"] >= 1 else
                                   "wil in deze sector werken" if value["desired_occupation"] > 0 else
                                   "dit werk staat niet bij de wensen"),
            "education_fit": {1.0: "opleidingsniveau past", 0.5: "opleiding één niveau lager of onbekend"}
            .get(value["education_fit"], "opleidingsniveau lager dan gevraagd"),
            "language_fit": {1.0: "taalniveau Nederlands past", 0.5: "taalniveau één stap lager of onbekend"}
            .get(value["language_fit"], "taalniveau lager dan gevraagd"),
            "travel_distance": ("afstand onbekend" if np.isnan(km) else
                                f"woont op {km:.0f} km (ca. {travel_minutes(km)} min reizen)"),
            "hours_fit": ("gewenste uren passen" if value["hours_fit"] >= 1 else
                          "uren passen deels" if value["hours_fit"] > 0 else "uren passen niet"),
            "shift_fit": ("beschikbaar voor de diensten" if value["shift_fit"] >= 1 else
                          "niet voor alle diensten beschikbaar"),
            "support_fit": ("begeleiding past bij de afstand tot werk" if value["support_fit"] >= 1 else
                            "vraagt meer begeleiding dan deze plek biedt"),
            "attention_points": f"{len(attention)} bespreekpunt(en)" if attention else "geen bespreekpunten",
        }
        items: list[dict[str, Any]] = [
            {"feature": name, "value": round(float(value[name]), 4),
             "contribution": float(contributions[k]), "text_nl": texts[name]}
            for k, name in enumerate(FEATURES)
        ]
        items.sort(key=lambda item: -item["contribution"])
        strengths = [i["text_nl"] for i in items if i["contribution"] > 0.05][:3]
        missing = [f"mist {_listing(req_missing)}"] if req_missing else []
        missing += [i["text_nl"] for i in items if i["contribution"] < -0.05 and i["feature"]
                    not in ("required_skills", "attention_points")][:2]
        parts = []
        if strengths:
            parts.append("Past: " + "; ".join(strengths) + ".")
        if missing:
            parts.append("Ontbreekt: " + "; ".join(missing) + ".")
        if attention:
            parts.append("Bespreken: " + "; ".join(attention) + ".")
        return {
            "summary_nl": " ".join(parts) or "Geen uitgesproken sterke of zwakke punten.",
            "base": model.base,
            "logit": float(model.base + contributions.sum()),
            "contributions": items,
            "attention_points": attention,
        }
