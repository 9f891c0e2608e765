"""The matching engine on the real database with the real encoder."""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
import pytest

from matcher.domain import CandidateIn, VacancyIn
from matcher.matching.embeddings import SentenceTransformerEncoder
from matcher.security import SYSTEM
from matcher.service import Service


def candidate(**kw: Any) -> CandidateIn:
    base: dict[str, Any] = {"municipality": "arnhem", "postcode": "6825", "trede": 3, "hours_min": 24,
                            "hours_max": 36, "max_travel_km": 20, "dutch_level": "B1", "shifts": ["day"]}
    return CandidateIn.model_validate(base | kw)


VACANCIES = {
    ("wsp", "W-MAG"): VacancyIn(title="Magazijnmedewerker", postcode="6827", hours_min=24, hours_max=36,
                                required_skills=["orderpicken", "heftruck rijden"], certificates=["VCA"],
                                demands=[{"code": "lift_kg", "value": 20}], shifts=["day"]),
    ("scalabor", "S-SCH"): VacancyIn(title="schoonmaker kantoren", postcode="6811", hours_min=12, hours_max=24,
                                     required_skills=["schoonmaken"], support=["jobcoach", "jobcarving"],
                                     shifts=["day"]),
}
CANDIDATES = {
    "C-MAG": candidate(skills=[{"label": "orderpiken", "years": 3}, {"label": "heftruck", "years": 2}],
                       experience=[{"title": "magazijn medewerker", "years": 4}],
                       desired_occupations=["magazijn"], certificates=["vca basis"]),
    "C-SCH": candidate(trede=1, hours_min=12, hours_max=20, skills=[{"label": "poetsen"}],
                       experience=[{"title": "interieurverzorgster", "years": 2}],
                       restrictions=[{"code": "max_lift_kg", "value": 5}, {"text": "liefst rustige werkplek"},
                                     {"text": "overleg eerst met de arbeidsdeskundige"}]),
    "C-KOK": candidate(skills=[{"label": "koken"}], experience=[{"title": "kok", "years": 6}]),
    "C-LIFT": candidate(skills=[{"label": "orderpicken"}], experience=[{"title": "orderpicker", "years": 1}],
                        restrictions=[{"code": "max_lift_kg", "value": 10}]),
}


@pytest.fixture
def world(service: Service) -> Service:
    service.import_vacancies(list(VACANCIES.items()), actor=SYSTEM)
    service.import_candidates(list(CANDIDATES.items()), actor=SYSTEM)
    return service


def test_shortlist_puts_the_fitting_person_first_and_excludes_conflicts(world: Service) -> None:
    shortlist = world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=10, rerank=False)
    refs = [item.candidate["ref"] for item in shortlist.result.items]
    assert refs[0] == "C-MAG"
    assert "C-LIFT" not in refs  # 20 kg asked, max 10 kg, and no jobcarving to solve it
    assert shortlist.result.excluded_reasons.get("lifting", 0) >= 1
    top = shortlist.result.items[0]
    features = top.features
    assert features["required_skills"] == 1.0  # "orderpiken" and "heftruck" normalised to the asked skills
    assert features["certificates"] == 1.0
    assert top.explanation["summary_nl"].startswith("Past: ")
    scores = [item.score for item in shortlist.result.items]
    assert scores == sorted(scores, reverse=True)


def test_support_turns_a_conflict_into_an_attention_point(world: Service) -> None:
    items = world.shortlist("scalabor", "S-SCH", actor=SYSTEM, limit=10, rerank=False).result.items
    first = items[0]
    assert first.candidate["ref"] == "C-SCH"
    assert "bespreek beperking (vrije tekst)" in first.explanation["attention_points"]
    restrictions = world.get_candidate("C-SCH", actor=SYSTEM)["restrictions"]
    assert [r["code"] for r in restrictions] == ["max_lift_kg", "low_stimulus", None]  # free text normalised
    assert restrictions[2]["text"] == "overleg eerst met de arbeidsdeskundige"  # unrecognised text is kept


def test_matches_rank_vacancies_for_a_person(world: Service) -> None:
    result = world.matches("C-MAG", actor=SYSTEM, limit=5)
    assert result.result.items[0].vacancy["external_id"] == "W-MAG"
    for item in result.result.items:
        total = item.explanation["base"] + sum(c["contribution"] for c in item.explanation["contributions"])
        assert total == pytest.approx(item.explanation["logit"], abs=1e-9)
        assert item.score == pytest.approx(1 / (1 + np.exp(-total)), abs=1e-6)


def test_shown_matches_store_exactly_the_features_served(world: Service) -> None:
    shortlist = world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=10)
    with world.db.connection() as conn:
        stored = {r["ref"]: r["features"] for r in conn.execute(
            """SELECT c.ref, s.features FROM shown_matches s JOIN candidates c ON c.id = s.candidate_id
               WHERE s.request_id = %s""", (shortlist.request_id,))}
    assert stored == {item.candidate["ref"]: item.features for item in shortlist.result.items}


class CountingEncoder:
    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode(texts)  # type: ignore[no-any-return]


def test_a_person_shown_for_many_vacancies_moves_down_and_keeps_the_score(world: Service,
                                                                         encoder: SentenceTransformerEncoder) -> None:
    world.import_candidates([("C-MAG-2", CANDIDATES["C-MAG"])], actor=SYSTEM)  # the same profile twice
    copies = [(("wsp", f"W-MAG-{n}"), VACANCIES[("wsp", "W-MAG")]) for n in (2, 3, 4)]
    world.import_vacancies(copies, actor=SYSTEM)
    twins = world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=2, rerank=False).result.items
    assert [i.candidate["ref"] for i in twins] == ["C-MAG", "C-MAG-2"] and twins[0].score == twins[1].score

    def order() -> list[str]:
        fresh = Service(world.settings, world.db, encoder=encoder)  # the counts are cached for minutes
        return [i.candidate["ref"] for i in fresh.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=2).result.items]

    for _ in range(4):  # reloading one shortlist is no new exposure: C-MAG is still shown for one vacancy only
        world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=1, rerank=False)
    assert order() == ["C-MAG", "C-MAG-2"]
    for (source, external_id), _ in copies:  # C-MAG tops three more vacancies' shortlists
        world.shortlist(source, external_id, actor=SYSTEM, limit=1, rerank=False)
    for _ in range(4):  # C-MAG-2's own list of vacancies shows vacancies, not C-MAG-2
        world.matches("C-MAG-2", actor=SYSTEM, limit=10)
    fresh = Service(world.settings, world.db, encoder=encoder)
    result = fresh.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=2).result
    reranked = result.items
    assert [i.candidate["ref"] for i in reranked] == ["C-MAG-2", "C-MAG"]
    assert [i.score for i in reranked] == [twins[0].score] * 2  # only the order changes, never the score
    assert [i.moved_down for i in reranked] == [False, True] and result.moved_down == 1  # and it says whom
    assert fresh.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=1).result.moved_down == 1  # moved out of the list
    plain = fresh.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=2, rerank=False).result
    assert [i.candidate["ref"] for i in plain.items] == ["C-MAG", "C-MAG-2"] and plain.moved_down == 0


def test_while_the_exposure_is_recounted_requests_rank_with_the_last_counts(world: Service) -> None:
    world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=1)  # counts the exposure
    last = world._exposure_counts
    assert last is not None and world.recounter is None  # the first count is made by the request itself
    world._exposure_counts = (last[0] - 3600, *last[1:])  # an hour old: due for a recount
    stale = world._exposure_counts
    with world._recounting:  # a recount is under way
        world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=1)  # does not wait for it, nor count again
        assert world._exposure_counts is stale and world.recounter is None
    world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=1)  # starts one apart, and ranks with the last counts
    assert world.recounter is not None
    world.recounter.join(timeout=60)
    assert world._exposure_counts is not stale and world._exposure_counts[0] > stale[0]  # recounted
    assert not world._recounting.locked()


def test_a_recount_that_fails_keeps_the_last_counts_and_is_tried_again_later(
        world: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=1)
    last = world._exposure_counts
    assert last is not None
    world._exposure_counts = (last[0] - 3600, *last[1:])

    def fail(conn: object) -> None:
        raise psycopg.OperationalError("the database went away")

    monkeypatch.setattr(world, "_recount", fail)
    assert world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=1).result.items  # still served
    assert world.recounter is not None
    world.recounter.join(timeout=60)
    counts = world._exposure_counts
    assert counts is not None and counts[1:] == last[1:] and counts[0] > last[0]  # the same counts, due again later
    assert not world._recounting.locked() and "the database went away" in caplog.text


def test_unchanged_content_is_not_encoded_again(service: Service) -> None:
    counting = CountingEncoder(service.encoder)
    service._encoder = counting
    first = service.import_candidates(list(CANDIDATES.items()), actor=SYSTEM)
    assert first.encoded == len(CANDIDATES) and first.created == len(CANDIDATES)
    again = service.import_candidates(list(CANDIDATES.items()), actor=SYSTEM)
    assert (again.unchanged, again.encoded) == (len(CANDIDATES), 0)
    changed = dict(CANDIDATES)
    changed["C-KOK"] = candidate(skills=[{"label": "koken"}, {"label": "bakken"}], experience=[{"title": "kok"}])
    third = service.import_candidates(list(changed.items()), actor=SYSTEM)
    assert (third.updated, third.unchanged, third.encoded) == (1, len(CANDIDATES) - 1, 1)


def test_bfloat16_vectors_stay_within_half_a_percent_of_float32(encoder: SentenceTransformerEncoder) -> None:
    texts = ["heftruckchauffeur met VCA", "schoonmaker kantoren, avonduren", "zorghulp thuiszorg", "kok"]
    full = SentenceTransformerEncoder(dtype="float32")
    half = SentenceTransformerEncoder(dtype="bfloat16")
    assert (full.dtype, half.dtype) == ("float32", "bfloat16") and encoder.dtype in ("float32", "bfloat16")
    cosine = (full.encode(texts) * half.encode(texts)).sum(axis=1)
    assert cosine.min() > 0.995
    assert half.encode(texts).dtype == np.float32


def test_monitoring_attributes_never_change_a_score(world: Service) -> None:
    before = {i.candidate["ref"]: i.score for i in world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=10,
                                                                       rerank=False).result.items}
    for ref, body in CANDIDATES.items():
        world.upsert_candidate(ref, body.model_copy(update={"monitoring": {"age_band": "55+"}}), actor=SYSTEM)
    after = {i.candidate["ref"]: i.score for i in world.shortlist("wsp", "W-MAG", actor=SYSTEM, limit=10,
                                                                      rerank=False).result.items}
    assert after == before
    with world.db.connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM candidate_monitoring").fetchone()["n"] == len(CANDIDATES)
