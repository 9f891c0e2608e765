"""Pure logic of the matching engine: normalisation, feasibility, features and exact explanations."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.matching import ranking
from matcher.matching.explain import Explainer
from matcher.matching.features import FEATURES, compute
from matcher.matching.index import Snapshot
from matcher.matching.ranking import BESTAND_BOOST, EXPOSURE_PENALTY, bestand_lift, top_k
from matcher.matching.scoring import AdditiveModel
from matcher.matching.tables import TermSpace, candidate_table, vacancy_table
from matcher.matching.vocabulary import Concept, Label, Vocabulary, shared_labels
from matcher.matching.vocabulary.blend import pair_features
from matcher.matching.vocabulary.normalise import KindNormaliser, Normaliser, siblings
from matcher.text import content_hash, fold, split_terms

DIM = 4


def prior() -> AdditiveModel:
    """The shipped prior model (a fresh copy: a test may change its weights)."""
    return AdditiveModel.load(Path(__file__).parents[2] / "models" / "prior-2026.11")


def _concept(cid: str, kind: str, nl: str, *alts: str, family: str | None = None, en: str | None = None) -> Concept:
    labels = (Label(nl, "nl", "pref"), *(Label(a, "nl", "alt") for a in alts))
    return Concept(id=cid, kind=kind, nl=nl, en=en, family=family, labels=labels,
                   code=cid.split(":", 1)[1] if kind in ("restriction", "support") else None)


VOCAB = Vocabulary({c.id: c for c in [
    _concept("occ:schoonmaker", "occupation", "schoonmaker", "interieurverzorger", "schoonmaakster",
             family="schoonmaak", en="cleaner"),
    _concept("occ:magazijnmedewerker", "occupation", "magazijnmedewerker", "orderpicker", "magazijnmdw",
             family="logistiek", en="warehouse worker"),
    _concept("occ:heftruckchauffeur", "occupation", "heftruckchauffeur", family="logistiek"),
    _concept("skill:orderpicken", "skill", "orderpicken", "orders verzamelen"),
    _concept("skill:heftruck_rijden", "skill", "heftruck rijden", "heftruck"),
    _concept("skill:schoonmaken", "skill", "schoonmaken", "poetsen"),
    _concept("cert:vca", "certificate", "VCA", "vca basis"),
    _concept("restriction:max_lift_kg", "restriction", "maximaal tillen", "niet zwaar tillen", "max kilo tillen"),
    _concept("restriction:no_night", "restriction", "geen nachtdiensten", "geen nachten"),
]})


class FakeEncoder:
    """Deterministic bag-of-letters vectors: enough to exercise the code paths, not a model of meaning."""

    name = "fake"
    dim = DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.array([[t.count(c) + 0.1 for c in "aeio"] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def normaliser() -> Normaliser:
    return Normaliser(VOCAB, FakeEncoder())


def test_fold_and_split() -> None:
    assert fold("  Hygiëne-Code!! ") == "hygiene code"
    assert split_terms("heftruck, orderpicken / scannen") == ["heftruck", "orderpicken", "scannen"]
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})


def test_fold_is_lowercase_without_accents_or_punctuation_for_every_character() -> None:
    import re
    import unicodedata

    def reference(text: str) -> str:  # the definition, a character at a time
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))
        return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9+ ]+", " ", text)).strip()

    for start in range(0, 0x30000, 2048):  # every character up to U+30000, 2,048 to a text, in words
        text = " x".join(chr(c) + "a" for c in range(start, start + 2048) if not 0xD800 <= c < 0xE000)
        assert fold(text) == reference(text)
    for text in ("  Hygiëne-Code!! ", "İstanbul ŞİŞLİ", "ﬁets   café", "a¨b", "x ́y", ""):
        assert fold(text) == reference(text)


def test_ngrams_are_the_hashing_vectorizer_to_the_bit() -> None:
    from matcher.matching.tables import NGRAMS, ngrams

    rng = np.random.default_rng(0)
    words = ["a", "ab", "abc", "abcd", "heftruck", "orderpicken", "c++", "12", "magazijnmedewerker", "zorg"]
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 40))) for _ in range(300)] + ["", "a", "ab ab ab"]
    got, want = ngrams(texts), NGRAMS.transform(texts)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)
    assert ngrams([""]).nnz == 0 and ngrams([]).shape == (0, NGRAMS.n_features)


def test_a_table_rebuilt_after_a_change_equals_a_fresh_build() -> None:
    people = [cand(id=i, text=f"magazijn heftruck {i}") for i in range(3)]
    jobs = [vac(id=i, text=f"heftruckchauffeur {i}", title=f"chauffeur {i}") for i in range(3)]
    first_c = candidate_table(people, TermSpace(), {}, DIM).ngrams
    first_v = vacancy_table(jobs, TermSpace(), {}, DIM).ngrams
    people[1] = cand(id=1, text="kok keuken")
    jobs[2] = vac(id=2, text="kok", title="kok")
    again_c = candidate_table(people, TermSpace(), {}, DIM).ngrams
    again_v = vacancy_table(jobs, TermSpace(), {}, DIM).ngrams
    fresh_c = candidate_table([{k: v for k, v in r.items() if k != "_ngrams"} for r in people], TermSpace(), {}, DIM)
    fresh_v = vacancy_table([{k: v for k, v in r.items() if k != "_ngrams"} for r in jobs], TermSpace(), {}, DIM)
    assert (again_c != fresh_c.ngrams).nnz == 0 and (again_v != fresh_v.ngrams).nnz == 0
    assert (again_c[[0, 2]] != first_c[[0, 2]]).nnz == 0 and (again_c[1] != first_c[1]).nnz > 0
    assert (again_v[:2] != first_v[:2]).nnz == 0 and (again_v[2] != first_v[2]).nnz > 0


@pytest.mark.parametrize(("text", "kind", "expected", "method"), [
    ("Interieurverzorger", "occupation", "occ:schoonmaker", "exact"),
    ("magazijnmedewerker", "occupation", "occ:magazijnmedewerker", "exact"),
    ("magezijn medewerker", "occupation", "occ:magazijnmedewerker", "fuzzy"),
    ("schoonmaakker", "occupation", "occ:schoonmaker", "fuzzy"),
    ("vca-basis", "certificate", "cert:vca", "exact"),
    ("orderpiken", "skill", "skill:orderpicken", "fuzzy"),
])
def test_normalise_maps_variants_to_concepts(normaliser: Normaliser, text: str, kind: str, expected: str,
                                             method: str) -> None:
    match = normaliser.match(text, kind)
    assert (match.concept_id, match.method) == (expected, method)
    assert normaliser.blend.threshold <= match.confidence <= 1.0


def test_unknown_terms_are_kept_as_text(normaliser: Normaliser) -> None:
    match = normaliser.match("imker", "occupation")
    assert match.concept_id is None and match.method == "unknown"
    assert match.term == "txt:imker"


@pytest.mark.parametrize(("phrase", "label", "name", "apart"), [
    ("friet bakken", "bakken", "brood bakken", True),  # the name says what the bare verb bakes
    ("post scannen", "barcodes scannen", "barcodes scannen", True),
    ("kinderen begeleiden", "ouderen begeleiden", "ouderen begeleiden", True),
    ("dozen uitpakken", "dozen inpakken", "inpakken", True),  # "uitpakken" is not a typo of "inpakken"
    ("netjes werken", "netwerken", "netwerkbeheer", True),  # "werken" does not say "netwerken"
    ("pannen schuren", "schuren", "schuren", False),  # more specific than a general concept
    ("kaartjes verkopen", "verkopen", "verkopen", False),
    ("tomaten plukken", "plukken", "oogsten", False),  # the name is another word for the label
    ("vergaderzalen klaarzetten", "zalen klaarzetten", "zalen klaarzetten", False),  # a compound holds "zalen"
    ("de vaatwasser bedienen", "vaatwasser bedienen", "vaatwasser bedienen", False),
    ("tekeningen lezen", "teekening lezen", "tekening lezen", False),  # a typo in the label
    ("interieurverzorger", "schoonmaker", "schoonmaker", False),  # no word shared: a synonym
    ("order pikken", "orderpicken", "orderpicken", False),  # a compound written apart, with a typo
    ("computervaardig", "computervaardigheden", "computervaardigheden", False),  # one word against one
    ("vrachtwagens lossen", "vrachtwagens laden", "laden en lossen", False),  # the concept says it all
    ("tekstiel sorteren", "textiel sorteren", "textiel sorteren", False),  # a typo in the phrase
    ("2 ploegendienst", "3 ploegendienst", "werken in ploegendienst", True),
])
def test_task_phrases_that_only_share_a_word_are_siblings(phrase: str, label: str, name: str, apart: bool) -> None:
    assert siblings(phrase, label, name) is apart


def test_a_sibling_task_maps_to_no_concept_rather_than_the_wrong_one() -> None:
    concepts = [_concept("skill:brood_bakken", "skill", "brood bakken", "bakken"),
                _concept("skill:schuren", "skill", "schuren")]
    loose, strict = KindNormaliser(concepts), KindNormaliser(concepts, siblings_apart=True)
    assert loose.match("friet bakken").concept_id == "skill:brood_bakken"  # what the rule prevents
    assert strict.match("friet bakken").concept_id is None
    assert strict.match("pannen schuren").concept_id == "skill:schuren"
    assert strict.match("bakken").concept_id == "skill:brood_bakken"  # an exact label stays certain


def test_a_label_two_imported_concepts_share_goes_to_the_one_it_names() -> None:
    """ESCO lists "klimatoloog" as the occupation klimatoloog and as another name of meteoroloog: the exact hit
    goes to the concept whose preferred label it is, whichever id sorts first; a curated label still comes first."""
    def imported(cid: str, nl: str, *alts: str) -> Concept:
        return replace(_concept(cid, "occupation", nl, *alts), origin="esco")

    concepts = [imported("esco:a", "meteoroloog", "klimatoloog"), imported("esco:b", "klimatoloog"),
                _concept("occ:weerman", "occupation", "weerman", "meteoroloog")]
    normaliser = KindNormaliser(concepts)
    assert normaliser.match("klimatoloog").concept_id == "esco:b"
    assert normaliser.match("meteoroloog").concept_id == "occ:weerman"


def test_only_skills_keep_siblings_apart(normaliser: Normaliser) -> None:
    assert normaliser.kind("skill").names is not None
    assert normaliser.kind("occupation").names is None


def test_restriction_text_becomes_code_and_value(normaliser: Normaliser) -> None:
    assert normaliser.restriction("niet zwaar tillen, max 12,5 kilo")[:2] == ("max_lift_kg", 12.5)
    assert normaliser.restriction("geen nachten")[:2] == ("no_night", None)
    assert normaliser.restriction("zwemmen")[0] is None


def test_similarity_uses_the_vocabulary(normaliser: Normaliser) -> None:
    assert normaliser.similarity("interieurverzorger", "schoonmaker") == 1.0
    assert normaliser.similarity("schoonmaker", "heftruckchauffeur") < 0.7


# -- tables, feasibility and features --------------------------------------------------------------

def cand(**kw: Any) -> dict[str, Any]:
    row = {"id": 1, "ref": "C1", "municipality": "arnhem", "status": "active", "postcode": "6825", "trede": 3,
           "hours_min": 20, "hours_max": 36, "max_travel_km": 15, "driving_licences": [], "dutch_level": "B1",
           "education_level": "mbo2", "certificates": [], "desired_occupations": [], "shifts": ["day"],
           "summary": "", "skills": [], "experience": [], "restrictions": [], "vector": np.ones(DIM) / 2,
           "text": "magazijn"}
    row.update(kw)
    return row


def vac(**kw: Any) -> dict[str, Any]:
    row = {"id": 1, "source": "wsp", "external_id": "V1", "title": "magazijnmedewerker", "description": "",
           "employer": "", "postcode": "6827", "occupation_id": "occ:magazijnmedewerker", "hours_min": 24,
           "hours_max": 32, "shifts": ["day"], "certificates": [], "driving_licences": [], "dutch_level": None,
           "education_level": None, "support": [], "status": "open", "required_skills": [],
           "preferred_skills": [], "demands": [], "vector": np.ones(DIM) / 2, "text": "magazijn"}
    row.update(kw)
    return row


def block(c: dict[str, Any], v: dict[str, Any]) -> Any:
    terms = TermSpace()
    families = {k: x.family for k, x in VOCAB.concepts.items() if x.family}
    return compute(candidate_table([c], terms, families, DIM), vacancy_table([v], terms, families, DIM))


LIFT = {"code": "max_lift_kg", "value": 10.0}


@pytest.mark.parametrize(("restrictions", "demands", "support", "shifts", "conflict", "attention"), [
    ([LIFT], [{"code": "lift_kg", "value": 25}], [], ["day"], ["lifting"], []),
    ([LIFT], [{"code": "lift_kg", "value": 25}], ["jobcarving"], ["day"], [], ["lifting"]),
    ([LIFT], [{"code": "lift_kg", "value": 8}], [], ["day"], [], []),
    ([{"code": "no_night"}], [], [], ["day", "night"], ["night"], []),
    ([{"code": "no_night"}], [], ["jobcarving"], ["night"], [], ["night"]),
    ([{"code": "low_stimulus"}], [{"code": "high_stimulus"}], ["jobcoach"], ["day"], [], ["stimulus"]),
    ([{"code": "no_driving"}], [{"code": "driving"}], ["jobcarving", "jobcoach"], ["day"], ["driving"], []),
    ([{"code": "max_hours_week", "value": 16.0}], [], [], ["day"], ["hours"], []),
    ([{"code": None, "value": None, "text": "rustig"}], [], [], ["day"], [], ["free_text"]),
])
def test_feasibility_table(restrictions: list[dict[str, Any]], demands: list[dict[str, Any]], support: list[str],
                           shifts: list[str], conflict: list[str], attention: list[str]) -> None:
    b = block(cand(restrictions=restrictions), vac(demands=demands, support=support, shifts=shifts))
    assert b.feasibility.reasons(0, 0) == (conflict, attention)
    assert bool(b.feasibility.conflict[0, 0]) == bool(conflict)


def test_missing_licence_is_hard_and_missing_certificate_is_to_discuss() -> None:
    b = block(cand(driving_licences=["B"]), vac(driving_licences=["C"],
                                                 certificates=[{"label": "VCA", "concept_id": "cert:vca"}]))
    conflicts, attention = b.feasibility.reasons(0, 0)
    assert "licence" in conflicts and "certificate" in attention
    assert not block(cand(driving_licences=["CE"]), vac(driving_licences=["C"])).feasibility.conflict[0, 0]


def test_dutch_level_gap() -> None:
    assert block(cand(dutch_level="A2"), vac(dutch_level="B1")).feasibility.reasons(0, 0) == ([], ["dutch"])
    assert block(cand(dutch_level="A1"), vac(dutch_level="B1")).feasibility.reasons(0, 0) == (["dutch"], [])
    assert block(cand(dutch_level="A1"), vac(dutch_level="B1", support=["jobcoach"])
                 ).feasibility.reasons(0, 0) == ([], ["dutch"])


def test_features_reward_skills_experience_and_wishes() -> None:
    skills = [{"label": "orderpicken", "concept_id": "skill:orderpicken"}]
    required = [*skills, {"label": "heftruck", "concept_id": "skill:heftruck_rijden"}]
    good = block(cand(skills=skills, experience=[{"title": "orderpicker", "years": 3.0,
                                                  "concept_id": "occ:magazijnmedewerker"}],
                      desired_occupations=[{"label": "magazijn", "concept_id": "occ:magazijnmedewerker"}]),
                 vac(required_skills=required)).features(0, 0)
    assert good["required_skills"] == 0.5
    assert good["occupation_experience"] == pytest.approx(0.6)
    assert good["desired_occupation"] == 1.0
    related = block(cand(experience=[{"title": "heftruck", "years": 5.0, "concept_id": "occ:heftruckchauffeur"}]),
                    vac()).features(0, 0)
    assert related["occupation_experience"] == pytest.approx(0.4)  # same family, counted at 40 %
    assert block(cand(trede=1), vac(support=["jobcoach"])).features(0, 0)["support_fit"] == 1.0
    assert block(cand(trede=1), vac()).features(0, 0)["support_fit"] == 0.0


def test_required_skills_read_from_the_text_are_unknown_to_a_person_without_recognised_skills() -> None:
    required = [{"label": "orderpicken", "concept_id": "skill:orderpicken"},
                {"label": "heftruck", "concept_id": "skill:heftruck_rijden"}]
    read = vac(required_skills=required, provenance={"required_skills": {"source": "text", "evidence": []}})
    given = vac(required_skills=required, provenance={"required_skills": {"source": "given"}})
    unrecognised = cand(skills=[{"label": "operator energieproductiebedrijf", "concept_id": None}])
    known = cand(skills=[{"label": "schoonmaken", "concept_id": "skill:schoonmaken"}])

    def value(c: dict[str, Any], v: dict[str, Any]) -> float:
        return block(c, v).features(0, 0)["required_skills"]

    assert value(unrecognised, read) == value(cand(skills=[]), read) == 0.5 == value(unrecognised, vac())
    assert value(known, read) == value(unrecognised, given) == value(known, given) == 0.0
    model = prior()
    items = {i["feature"]: i for i in Explainer(VOCAB).explain(model, block(unrecognised, read).X[0, 0], unrecognised,
                                                                read, km=3.0, attention=[])["contributions"]}
    skills = items["required_skills"]
    assert skills["meaning"] == "neutral" and "niet te vergelijken" in skills["text_nl"]


def test_one_explainer_explains_each_pair_with_its_own_rows() -> None:
    """An explainer works out what a vacancy asks and a person holds once, on their first pair: every other
    row, also one made after an earlier row was let go, is still explained by what it says."""
    model = prior()
    explainer = Explainer(VOCAB)
    picker = cand(skills=[{"label": "orderpicken", "concept_id": "skill:orderpicken"}])
    x = np.full(len(FEATURES), 0.5, dtype=np.float32)

    def skills_text(c: dict[str, Any], v: dict[str, Any]) -> str:
        items = explainer.explain(model, x, c, v, km=3.0, attention=[])["contributions"]
        return next(i["text_nl"] for i in items if i["feature"] == "required_skills")

    picking, forklift = ({"label": "orderpicken", "concept_id": "skill:orderpicken"},
                         {"label": "heftruck", "concept_id": "skill:heftruck_rijden"})
    for _ in range(3):  # new dicts each time
        assert skills_text(picker, vac(required_skills=[picking])).startswith("heeft 1 van 1")
        assert skills_text(picker, vac(required_skills=[forklift])).startswith("heeft 0 van 1")
        assert skills_text(cand(skills=[]), vac()) == "geen vaardigheden gevraagd"


def test_a_title_that_two_occupations_share_counts_for_both() -> None:
    """ESCO calls tandarts and tandartsspecialist both "kindertandarts": a person who writes it has experience and a
    wish for either, whichever of the two the normaliser named; a label one concept holds more strongly (its own
    name, or a curated one) is not shared."""
    def imported(cid: str, nl: str, *alts: str) -> Concept:
        return replace(_concept(cid, "occupation", nl, *alts), origin="esco")

    vocab = Vocabulary({c.id: c for c in [imported("esco:tandarts", "tandarts", "kindertandarts", "mondarts"),
                                          imported("esco:specialist", "tandartsspecialist", "kindertandarts"),
                                          imported("esco:orthodontist", "orthodontist", "tandartsspecialist"),
                                          _concept("occ:mondhygienist", "occupation", "mondhygiënist", "mondarts")]})
    shared = vocab.shared("occupation")
    assert shared == {"kindertandarts": ("esco:specialist", "esco:tandarts")}
    # the ESCO labels a curated concept speaks for (hidden there) count as much as ESCO's other synonyms
    bakker = replace(_concept("occ:bakker", "occupation", "bakker"), labels=(
        Label("bakker", "nl", "pref"), Label("taartenmaker", "nl", "hidden")))
    gebak = [bakker, imported("esco:gebakmaker", "gebakmaker", "taartenmaker")]
    assert shared_labels(gebak) == {"taartenmaker": ("esco:gebakmaker", "occ:bakker")}
    assert KindNormaliser(gebak).match("taartenmaker").concept_id == "occ:bakker"
    person = cand(experience=[{"title": "Kindertandarts", "years": 5.0, "concept_id": "esco:specialist"}],
                  desired_occupations=[{"label": "kindertandarts", "concept_id": "esco:specialist"}])
    job = vac(title="tandarts", occupation_id="esco:tandarts")
    terms = TermSpace()
    x = compute(candidate_table([person], terms, {}, DIM, shared), vacancy_table([job], terms, {}, DIM)).features(0, 0)
    assert x["occupation_experience"] == 1.0 and x["desired_occupation"] == 1.0
    assert block(person, job).features(0, 0)["occupation_experience"] == 0.0  # without the shared labels
    model = prior()
    text = Explainer(vocab).explain(model, np.array(list(x.values()), dtype=np.float32), person, job, km=3.0,
                                    attention=[])["summary_nl"]
    assert "5 jaar ervaring als tandarts" in text


def test_hours_and_shift_fit() -> None:
    assert block(cand(hours_min=24, hours_max=32), vac(hours_min=24, hours_max=32)).features(0, 0)["hours_fit"] == 1
    assert block(cand(hours_min=8, hours_max=12), vac(hours_min=24, hours_max=32)).features(0, 0)["hours_fit"] == 0
    assert block(cand(shifts=["day", "evening"]), vac(shifts=["evening", "weekend"])).features(0, 0)["shift_fit"] \
        == 0.5


def test_contributions_add_up_exactly_to_the_score() -> None:
    model = prior()
    rng = np.random.default_rng(1)
    for _ in range(50):
        x = rng.random(len(FEATURES)).astype(np.float32)
        explanation = Explainer(VOCAB).explain(model, x, cand(), vac(), km=3.0, attention=[])
        total = explanation["base"] + sum(c["contribution"] for c in explanation["contributions"])
        assert total == pytest.approx(float(model.logit(x)), abs=1e-5)
        assert explanation["logit"] == pytest.approx(total, abs=1e-9)


def test_points_spread_where_the_probability_bunches_up() -> None:
    model = prior()
    zeros, ones = np.zeros(len(FEATURES), np.float32), np.ones(len(FEATURES), np.float32)
    worst = np.where(model.weights < 0, ones, zeros)
    assert model.points(float(model.logit(worst))) == 0.0
    assert model.points(float(model.logit(1 - worst))) == 100.0
    # two matches the probability shows as 99 % both (the shortlist in the report: +6.63 and +7.23 log-odds)
    low, high = model.points(6.63), model.points(7.23)
    assert math.floor(100 / (1 + math.exp(-6.63))) == math.floor(100 / (1 + math.exp(-7.23))) == 99
    assert high - low >= 4 and 0 < low < high < 100
    logits = np.linspace(-8, 12, 41)
    assert np.all(np.diff([model.points(float(v)) for v in logits]) >= 0)  # the order is the model's


def test_why_higher_than_the_next_names_the_features_and_the_rerank() -> None:
    from api.schemas import Contribution, Explanation, MatchItem
    from api.ui.view import ahead

    def item(rank: int, contributions: dict[str, float], moved_down: bool = False,
             moved_up: bool = False) -> MatchItem:
        explanation = Explanation(summary_nl="", base=1.0, attention_points=[], has_attention_points=False,
                                  contributions=[Contribution(feature=f, value=0.5, contribution=c, text_nl="",
                                                              meaning="neutral") for f, c in contributions.items()])
        return MatchItem(rank=rank, score=0.99, points=80.0, moved_down=moved_down, moved_up=moved_up, request_id="r",
                         explanation=explanation)

    first = item(1, {"required_skills": 1.2, "travel_distance": 0.1, "hours_fit": 0.3})
    second = item(2, {"required_skills": 0.4, "travel_distance": 0.5, "hours_fit": 0.1})
    why = ahead(first, second)
    assert why is not None and why.rank == 2 and why.note is None
    assert [label for label, _ in why.lines] == ["Gevraagde vaardigheden", "Uren"]
    assert why.lines[0][1] == pytest.approx(0.8)
    # the model puts the next one higher: the re-rank is named
    assert "al vaak werd voorgesteld" in (ahead(second, item(3, {"required_skills": 2.0}, moved_down=True)).note or "")
    boosted = item(2, {"required_skills": 0.4}, moved_up=True)
    assert "bestand" in (ahead(boosted, item(3, {"required_skills": 2.0})).note or "")
    assert ahead(first, None) is None
def test_explanation_leads_with_strengths_and_names_what_is_missing() -> None:
    model = prior()
    c = cand(skills=[{"label": "orderpicken", "concept_id": "skill:orderpicken"}],
             experience=[{"title": "orderpicker", "years": 4.0, "concept_id": "occ:magazijnmedewerker"}])
    v = vac(required_skills=[{"label": "orderpicken", "concept_id": "skill:orderpicken"},
                             {"label": "heftruck", "concept_id": "skill:heftruck_rijden"}])
    b = block(c, v)
    text = Explainer(VOCAB).explain(model, b.X[0, 0], c, v, km=2.0, attention=["VCA nog te behalen"])
    summary = text["summary_nl"]
    assert summary.startswith("Past: ")
    assert "4 jaar ervaring als magazijnmedewerker" in summary
    assert "mist heftruck rijden" in summary
    assert summary.endswith("Bespreken: VCA nog te behalen.")
    contributions = [item["contribution"] for item in text["contributions"]]
    assert contributions == sorted(contributions, reverse=True)


def test_top_k_is_ordered_and_stable() -> None:
    values = np.array([0.1, 0.9, 0.5, 0.9, -np.inf])
    assert top_k(values, 3).tolist() == [1, 3, 2]
    assert top_k(values, 10).tolist() == [1, 3, 2, 0, 4]
    assert top_k(values, 0).tolist() == []


def _region(seed: int, people: int = 400, jobs: int = 12) -> Snapshot:
    """People and vacancies whose texts share words in all proportions, so the n-gram feature varies widely."""
    rng = np.random.default_rng(seed)
    words = ["magazijn", "orderpicker", "heftruck", "schoonmaak", "kantoor", "kassa", "verzorging", "keuken",
             "productie", "tuin", "chauffeur", "logistiek", "inpakken", "klantenservice", "afwas", "groen"]
    postcodes = ["6811", "6814", "6822", "6825", "6827", "6833", "6843", "6881", "6921", "6951"]

    def text() -> str:
        return " ".join(rng.choice(words, size=int(rng.integers(1, 6))))

    def vector() -> np.ndarray:
        v = rng.normal(size=DIM)
        return v / np.linalg.norm(v)

    cands = [cand(id=i, ref=f"C{i}", text=text(), vector=vector(), postcode=str(rng.choice(postcodes)),
                  trede=int(rng.integers(0, 6)), hours_min=int(rng.choice([8, 16, 24])),
                  municipality=str(rng.choice(["arnhem", "rheden"])), max_travel_km=float(rng.choice([5, 15, 30])))
             for i in range(people)]
    vacs = [vac(id=j, external_id=f"V{j}", title=text(), text=text(), vector=vector(),
                postcode=str(rng.choice(postcodes)), support=["jobcoach"] if j % 3 == 0 else [])
            for j in range(jobs)]
    terms = TermSpace()
    families = {k: x.family for k, x in VOCAB.concepts.items() if x.family}
    ct, vt = candidate_table(cands, terms, families, DIM), vacancy_table(vacs, terms, families, DIM)
    return Snapshot(candidates=ct, vacancies=vt, candidate_pos={i: i for i in range(people)},
                    vacancy_pos={j: j for j in range(jobs)}, active=np.ones(people, dtype=bool),
                    open=np.ones(jobs, dtype=bool), seq=0)


def _exhaustive(snap: Snapshot, model: AdditiveModel, j: int, limit: int, municipality: str | None,
                exposure: np.ndarray | None, rerank: bool) -> list[tuple[int, float, bool, bool]]:
    """The shortlist from every person's exact log-odds, as ranked before the n-grams were worked out on demand."""
    block = compute(snap.candidates, snap.vacancies, None, np.array([j]))
    pool = snap.active & ((snap.candidates.municipality == municipality) if municipality else True)
    feasible = pool & ~block.feasibility.conflict[:, 0]
    logit = np.where(feasible, model.logit(block.X[:, 0, :]).astype(np.float64), -np.inf)
    lift = bestand_lift(snap.candidates.trede, snap.vacancies.support[j]) if rerank else np.zeros(len(logit))
    n = min(limit, int(feasible.sum()))
    best = before = top_k(logit + lift, n).tolist()
    down = set()
    if rerank and exposure is not None:
        best = top_k(logit + lift - EXPOSURE_PENALTY * np.log2(1.0 + exposure), n).tolist()
        now = {i: k for k, i in enumerate(best)}
        down = {i for k, i in enumerate(before) if exposure[i] > 0 and now.get(i, n) > k}
    up = {i for k, i in enumerate(best) if lift[i] > 0 and int((logit > logit[i]).sum()) > k}
    return [(i, round(float(logit[i]), 4), i in down, i in up) for i in best]


@pytest.mark.parametrize("ngram_weight", [None, 4.0, -1.5])
def test_a_shortlist_works_out_the_ngrams_of_few_and_ranks_as_if_of_everyone(
        ngram_weight: float | None, monkeypatch: pytest.MonkeyPatch) -> None:
    snap = _region(seed=3)
    model = prior()
    if ngram_weight is not None:
        model.weights[FEATURES.index("text_similarity")] = ngram_weight
    worked_out: list[int] = []

    class Counting(ranking.NgramsOf):
        def __call__(self, rows: np.ndarray) -> np.ndarray:
            worked_out.append(len(rows))
            return super().__call__(rows)

    monkeypatch.setattr(ranking, "NgramsOf", Counting)
    exposure = np.random.default_rng(5).poisson(1.5, len(snap.candidates.rows)).astype(float)
    explainer = Explainer(VOCAB)
    for limit, municipality, expo, rerank in [(5, None, exposure, True), (20, "arnhem", None, True),
                                              (10, None, None, False), (500, None, exposure, True)]:
        worked_out.clear()
        for j in range(len(snap.vacancies.rows)):
            got = ranking.for_vacancy(snap, model, explainer, j, limit=limit, municipality=municipality,
                                      exposure=expo, rerank=rerank).items
            want = _exhaustive(snap, model, j, limit, municipality, expo, rerank)
            assert [(snap.candidate_pos[i.candidate_id], i.moved_down, i.moved_up) for i in got] == \
                [(i, down, up) for i, _, down, up in want]
            assert [i.explanation["logit"] for i in got] == pytest.approx([w[1] for w in want], abs=2e-4)
        if limit == 5 and ngram_weight is None:  # the point: most people's n-grams are never worked out
            assert sum(worked_out) < 0.5 * len(snap.candidates.rows) * len(snap.vacancies.rows)


def test_a_person_moved_up_is_said_so_also_when_who_outranks_them_was_never_worked_out_for_the_list() -> None:
    """A of het bestand leads the list by the boost; B, whose text matches better but whose other features lose
    more, scores higher in the model's own order. B's bound could not reach the list, so B's n-grams are worked out
    only to learn whether A was moved up."""
    job = vac(id=0, title="magazijn heftruck orderpicker", text="magazijn heftruck orderpicker", support=["jobcoach"])
    people = [cand(id=0, ref="A", trede=1, text="kassa klantenservice"),
              cand(id=1, ref="B", trede=5, text="magazijn heftruck orderpicker", hours_min=8, hours_max=12,
                   max_travel_km=4)]
    terms, families = TermSpace(), {k: x.family for k, x in VOCAB.concepts.items() if x.family}
    snap = Snapshot(candidates=candidate_table(people, terms, families, DIM),
                    vacancies=vacancy_table([job], terms, families, DIM), candidate_pos={0: 0, 1: 1},
                    vacancy_pos={0: 0}, active=np.ones(2, dtype=bool), open=np.ones(1, dtype=bool), seq=0)
    model = prior()
    logit = model.logit(compute(snap.candidates, snap.vacancies, None, np.array([0])).X[:, 0, :])
    assert logit[1] > logit[0] > logit[1] - BESTAND_BOOST  # B outranks A, unless A is boosted
    listed = ranking.for_vacancy(snap, model, Explainer(VOCAB), 0, limit=1, rerank=True)
    assert [(i.candidate["ref"], i.moved_up) for i in listed.items] == [("A", True)] and listed.moved_up == 1


def test_opposite_phrases_are_never_taken_for_each_other(normaliser: Normaliser) -> None:
    assert normaliser.restriction("alleen nachten")[0] is None  # not "geen nachten"
    assert normaliser.restriction("geen nachten graag")[0] == "no_night"
    # the opposite, nearly the same letters, scores below a spelling variant of the phrase itself
    assert normaliser.similarity("geen nachten", "alleen nachten") < normaliser.similarity(
        "geen nachten", "geen nachtjes")


def test_concepts_the_vocabulary_keeps_apart_are_less_alike(normaliser: Normaliser) -> None:
    a, b = "orderpicken", "heftruck rijden"
    apart = normaliser.similarity(a, b, "skill")
    assert normaliser.encoder is not None
    meaning = float(np.dot(*normaliser.encoder.encode([a, b])))
    plain = normaliser.blend.probability(pair_features(a, b, meaning, normaliser.kind("skill").weighted_ngrams(a, b)))
    assert 0 < apart == pytest.approx(0.6 * plain)


def test_profile_text_writes_a_label_once() -> None:
    from matcher.matching.texts import candidate_text

    row = cand(experience=[{"title": "Kok", "years": 2.0, "concept_id": None}],
               desired_occupations=[{"label": "kok", "concept_id": None}, {"label": "chef-kok", "concept_id": None}],
               skills=[{"label": "koken", "concept_id": None}, {"label": "Chef-kok ", "concept_id": None}])
    assert candidate_text(VOCAB, row, full=False) == "Kok. chef-kok. koken"


def test_a_vacancy_title_is_not_drowned_by_its_description() -> None:
    from matcher.matching.tables import NGRAMS

    text = "heftruckchauffeur. " + "Wij zoeken een collega voor ons team in de regio, goede sfeer en salaris. " * 8
    b = block(cand(text="heftruckchauffeur"), vac(title="heftruckchauffeur", text=text))
    plain = float((NGRAMS.transform([fold("heftruckchauffeur")]) @ NGRAMS.transform([fold(text)]).T).toarray()[0, 0])
    assert b.features(0, 0)["text_similarity"] >= 0.7 > plain


def test_rare_ngrams_say_more_than_common_ones() -> None:
    """Weighted by how rare each n-gram is among the vocabulary's labels, a person's "medewerker sloten" is
    closer to a slotenmaker than to a magazijnmedewerker; with every n-gram counted alike the shared
    "medewerker" won. The match index weights both tables with its vocabulary's weights."""
    from matcher.matching.index import MatchIndex
    from matcher.matching.tables import ngram_weights

    vocabulary = Vocabulary({c.id: c for c in [
        *(_concept(f"occ:{n}", "occupation", n) for n in ("magazijnmedewerker", "productiemedewerker",
                                                           "schoonmaakmedewerker", "horecamedewerker",
                                                           "kassamedewerker", "slotenmaker", "schoenmaker"))]})
    person = cand(text="medewerker sloten")
    jobs = [vac(title="magazijnmedewerker", text="magazijnmedewerker"),
            vac(id=2, external_id="V2", title="slotenmaker", text="slotenmaker", occupation_id=None)]

    def similarity(weights: np.ndarray | None) -> list[float]:
        terms = TermSpace()
        b = compute(candidate_table([dict(person)], terms, {}, DIM, weights=weights),
                    vacancy_table([dict(j) for j in jobs], terms, {}, DIM, weights=weights))
        return [b.features(0, j)["text_similarity"] for j in range(len(jobs))]

    common, rare = similarity(None)
    assert common > rare  # every n-gram alike: the shared "medewerker" wins
    common, rare = similarity(ngram_weights(fold(label.text) for c in vocabulary for label in c.labels))
    assert rare > common + 0.2

    index = MatchIndex(vocabulary, encoder_name="fake", dim=DIM)
    index._candidates, index._vacancies = {1: dict(person)}, {j["id"]: dict(j) for j in jobs}
    snap = index._build(True, True)
    b = compute(snap.candidates, snap.vacancies)
    assert b.features(0, 1)["text_similarity"] == pytest.approx(rare, abs=1e-4)
