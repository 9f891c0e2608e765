"""The Dutch explanation: it names only what the vacancy asked for, a text has one meaning (and one colour)
whatever the sign of its contribution, no code names, and the anonymised view keeps private things out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from matcher.matching.explain import FIT, GAP, NEUTRAL, Explainer, anonymous, chips
from matcher.matching.features import FEATURES
from matcher.matching.ranking import duplicates
from matcher.matching.scoring import AdditiveModel
from tests.unit.test_engine import VOCAB, block, cand, vac

MODEL = AdditiveModel.load(Path("models/prior-2026.11"))
SKILL = {"label": "orderpicken", "concept_id": "skill:orderpicken"}


def explain(c: dict[str, Any], v: dict[str, Any], x: np.ndarray | None = None, km: float = 3.0,
            attention: list[str] | None = None) -> dict[str, Any]:
    x = block(c, v).X[0, 0] if x is None else x
    return Explainer(VOCAB).explain(MODEL, x, c, v, km=km, attention=attention or [])


def by_feature(explanation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["feature"]: item for item in explanation["contributions"]}


def test_what_the_vacancy_did_not_ask_for_is_neither_a_fit_nor_missing() -> None:
    c = cand(skills=[SKILL], certificates=[{"label": "VCA", "concept_id": "cert:vca"}])
    asked_nothing = explain(c, vac(required_skills=[SKILL], hours_min=None, hours_max=None))
    items = by_feature(asked_nothing)
    assert items["certificates"]["text_nl"] == "geen certificaten gevraagd"  # not "heeft de gevraagde certificaten"
    assert items["preferred_skills"]["text_nl"] == "geen extra vaardigheden gewenst"
    assert items["language_fit"]["text_nl"] == "geen taalniveau gevraagd"
    assert items["education_fit"]["text_nl"] == "geen opleidingsniveau gevraagd"
    assert items["hours_fit"]["text_nl"] == "geen uren opgegeven"
    for name in ("certificates", "preferred_skills", "language_fit", "education_fit", "hours_fit", "shift_fit"):
        assert items[name]["meaning"] == NEUTRAL, name
    fits, gaps = chips(asked_nothing["contributions"])
    assert not [t for t in fits + gaps if t.startswith("geen ") and t.endswith(("gevraagd", "gewenst", "opgegeven"))]
    assert "geen extra vaardigheden gewenst" not in asked_nothing["summary_nl"]

    asked = by_feature(explain(c, vac(required_skills=[SKILL], preferred_skills=[
        {"label": "heftruck", "concept_id": "skill:heftruck_rijden"}], certificates=[
        {"label": "VCA", "concept_id": "cert:vca"}], dutch_level="B2")))
    assert asked["certificates"]["text_nl"] == "heeft de gevraagde certificaten"
    assert asked["certificates"]["meaning"] == FIT
    assert asked["preferred_skills"]["text_nl"] == "geen van de gewenste vaardigheden"
    assert asked["preferred_skills"]["meaning"] == GAP and asked["language_fit"]["meaning"] == GAP


def test_a_text_keeps_its_meaning_whatever_the_sign_of_its_contribution() -> None:
    c, v = cand(hours_min=20, hours_max=36), vac(hours_min=24, hours_max=32)
    k = FEATURES.index("hours_fit")
    seen = []
    for partial in (0.1, 0.95):  # both "uren passen deels"; one below the model's reference value, one above
        x = block(c, v).X[0, 0].copy()
        x[k] = partial
        item = by_feature(explain(c, v, x))["hours_fit"]
        assert item["text_nl"] == "uren passen deels" and item["meaning"] == GAP
        fits, gaps = chips(explain(c, v, x)["contributions"])
        assert "uren passen deels" in gaps and "uren passen deels" not in fits
        seen.append(item["contribution"])
    assert seen[0] < 0 < seen[1]  # the colour used to follow this sign


def test_no_code_names_in_the_dutch_texts() -> None:
    c, v = cand(shifts=["day"]), vac(shifts=["day", "evening", "night"])
    texts = Explainer(VOCAB).point_texts(["shift_wish"], c, v, 3.0, conflict=False)
    assert texts == ["rooster met avond, nacht: nog niet als beschikbaar opgegeven"]
    explanation = explain(c, v, attention=texts)
    words = " ".join([explanation["summary_nl"], *(i["text_nl"] for i in explanation["contributions"])])
    for code in ("evening", "night", "weekend", "_"):
        assert code not in words, code


def test_the_anonymous_view_has_reasons_but_nothing_private() -> None:
    c = cand(skills=[SKILL], trede=1, restrictions=[{"code": "max_lift_kg", "value": 10.0}])
    v = vac(required_skills=[SKILL])  # no support offered: trede 1 needs more than this place gives
    explanation = explain(c, v, km=9.0, attention=["tillen tot 10 kg"])
    items = by_feature(explanation)
    assert items["support_fit"]["text_nl"] == "vraagt meer begeleiding dan deze plek biedt"
    shown = anonymous(explanation)
    said = [shown["summary_nl"], *shown["fits_nl"], *shown["missing_nl"]]
    assert shown["fits_nl"] and "heeft 1 van 1 gevraagde vaardigheden (orderpicken)" in shown["fits_nl"]
    for text in said:
        assert "begeleiding" not in text and "km" not in text and "%" not in text and "tillen" not in text, text
    assert shown["summary_nl"].endswith("Er zijn bespreekpunten voor de consulent.")


def test_the_same_job_at_two_sources_is_marked_below_the_first() -> None:
    jobs = [{"source": "wsp", "title": "Magazijnmedewerker", "employer": "Logistiek Gelderland", "postcode": "6827"},
            {"source": "wsp", "title": "Kok", "employer": "", "postcode": "6811"},
            {"source": "scalabor", "title": "magazijnmedewerker ", "employer": "logistiek  gelderland",
             "postcode": "6827"},
            {"source": "scalabor", "title": "Kok", "employer": "", "postcode": "6811"},  # no employer: unknown
            {"source": "wsp", "title": "Magazijnmedewerker", "employer": "Logistiek Gelderland", "postcode": "6841"},
            {"source": "wsp", "title": "Magazijnmedewerker", "employer": "Logistiek Gelderland", "postcode": "6827"}]
    assert duplicates(jobs) == {2: 0}  # the same source twice is two positions, not a duplicate
