"""The curated vocabulary shipped in matcher/matching/vocabulary/data: schema, ids, counts and label hygiene.

Pure Python: reads the JSON files, no database, no encoder.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from matcher.domain import DUTCH_LEVELS, EDUCATION_LEVELS, LICENCES, DemandCode, RestrictionCode, Support
from matcher.matching.vocabulary import DATA_DIR, FILES, Vocabulary
from matcher.text import fold

FAMILIES = {
    "logistiek", "schoonmaak", "productie", "horeca", "detailhandel", "zorg_welzijn", "groen", "bouw", "beveiliging",
    "transport", "callcenter", "administratie", "techniek", "facilitair", "kinderopvang", "agrarisch", "post_bezorging",
    "recycling", "ict", "onderwijs_sport",
}
LABEL_LISTS = ("synonyms", "misspellings", "abbreviations")
BASE_FIELDS = {"id", "nl", "en", *LABEL_LISTS}
REQUIRED = {
    "occupations.json": BASE_FIELDS | {"esco_uri", "family", "skills"},
    "skills.json": BASE_FIELDS | {"esco_uri", "family"},
    "certificates.json": BASE_FIELDS | {"esco_uri"},
    "licences.json": BASE_FIELDS | {"code"},
    "education.json": BASE_FIELDS | {"code", "rank"},
    "language_levels.json": BASE_FIELDS | {"code", "rank"},
    "restrictions.json": BASE_FIELDS | {"code", "takes_value"},
    "demands.json": BASE_FIELDS | {"code", "takes_value"},
    "support.json": BASE_FIELDS | {"code"},
}
PREFIX = {
    "occupations.json": "occ", "skills.json": "skill", "certificates.json": "cert", "licences.json": "lic",
    "education.json": "edu", "language_levels.json": "nl", "restrictions.json": "restriction",
    "demands.json": "demand", "support.json": "support",
}
RESTRICTION_CODES = ["max_lift_kg", "no_night", "no_evening", "no_weekend", "max_hours_week", "no_prolonged_standing",
                     "low_stimulus", "no_customer_contact", "no_heights", "no_driving", "no_outdoor"]
DEMAND_CODES = ["lift_kg", "night_work", "evening_work", "weekend_work", "standing", "high_stimulus",
                "customer_contact", "heights", "driving", "outdoor"]
EDUCATION_RANKS = {"geen": 0, "vmbo": 1, "mbo1": 2, "mbo2": 3, "mbo3": 4, "havo": 4, "mbo4": 5, "vwo": 5,
                   "hbo": 6, "wo": 7}
SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
ESCO_OCCUPATION = re.compile(r"^http://data\.europa\.eu/esco/occupation/[0-9a-f-]{36}$")
ESCO_SKILL = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$")


def _load(name: str) -> list[dict[str, Any]]:
    data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict[str, Any]]]:
    return {name: _load(name) for name in REQUIRED}


def _labels(item: dict[str, Any]) -> list[str]:
    return [item["nl"], *(lab for key in LABEL_LISTS for lab in item[key])]


def test_every_file_the_loader_knows_is_present() -> None:
    assert set(FILES.values()) == set(REQUIRED)
    for name in REQUIRED:
        assert (DATA_DIR / name).is_file(), name


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_fields_and_types(data: dict[str, list[dict[str, Any]]], name: str) -> None:
    for item in data[name]:
        missing = REQUIRED[name] - item.keys()
        assert not missing, (item.get("id"), missing)
        assert isinstance(item["nl"], str) and item["nl"].strip(), item["id"]
        assert isinstance(item["en"], str) and item["en"].strip(), item["id"]
        for key in LABEL_LISTS:
            assert isinstance(item[key], list), (item["id"], key)
            assert all(isinstance(x, str) and x.strip() for x in item[key]), (item["id"], key)
        prefix, _, rest = item["id"].partition(":")
        assert prefix == PREFIX[name], item["id"]
        if "code" in item:
            assert rest == item["code"], item["id"]
        else:
            assert SLUG.match(rest), item["id"]
        if "takes_value" in item:
            assert isinstance(item["takes_value"], bool), item["id"]
        if "rank" in item:
            assert isinstance(item["rank"], int) and item["rank"] >= 0, item["id"]


def test_ids_unique_across_all_files(data: dict[str, list[dict[str, Any]]]) -> None:
    seen: dict[str, str] = {}
    for name, items in data.items():
        for item in items:
            assert item["id"] not in seen, (item["id"], name, seen.get(item["id"]))
            seen[item["id"]] = name


def test_minimum_counts(data: dict[str, list[dict[str, Any]]]) -> None:
    assert len(data["occupations.json"]) >= 120
    assert len(data["skills.json"]) >= 300
    assert len(data["certificates.json"]) >= 25


def test_occupations(data: dict[str, list[dict[str, Any]]]) -> None:
    skill_ids = {s["id"] for s in data["skills.json"]}
    for occ in data["occupations.json"]:
        assert occ["family"] in FAMILIES, occ["id"]
        assert occ["esco_uri"] is None or ESCO_OCCUPATION.match(occ["esco_uri"]), occ["id"]
        assert 4 <= len(occ["skills"]) <= 10, occ["id"]
        assert len(set(occ["skills"])) == len(occ["skills"]), occ["id"]
        unknown = set(occ["skills"]) - skill_ids
        assert not unknown, (occ["id"], unknown)
        assert len(occ["misspellings"]) >= 2, occ["id"]
    uris = [o["esco_uri"] for o in data["occupations.json"] if o["esco_uri"]]
    assert len(uris) == len(set(uris)), "two curated occupations claim the same ESCO concept"


def test_skills(data: dict[str, list[dict[str, Any]]]) -> None:
    for skill in data["skills.json"]:
        assert skill["family"] in FAMILIES | {"algemeen"}, skill["id"]
        assert skill["esco_uri"] is None or ESCO_SKILL.match(skill["esco_uri"]), skill["id"]
        assert skill["synonyms"], skill["id"]
        assert skill["misspellings"], skill["id"]
    uris = [s["esco_uri"] for s in data["skills.json"] if s["esco_uri"]]
    assert len(uris) == len(set(uris))


def test_certificates_have_no_esco_uri(data: dict[str, list[dict[str, Any]]]) -> None:
    assert all(c["esco_uri"] is None for c in data["certificates.json"])


def test_coded_lists_match_the_domain(data: dict[str, list[dict[str, Any]]]) -> None:
    restrictions = [r["code"] for r in data["restrictions.json"]]
    demands = [d["code"] for d in data["demands.json"]]
    assert restrictions == RESTRICTION_CODES
    assert sorted(restrictions) == sorted(c.value for c in RestrictionCode)
    assert demands == DEMAND_CODES
    assert sorted(demands) == sorted(c.value for c in DemandCode)
    valued = {r["code"] for r in data["restrictions.json"] if r["takes_value"]}
    assert valued == {"max_lift_kg", "max_hours_week"}
    assert {d["code"] for d in data["demands.json"] if d["takes_value"]} == {"lift_kg"}
    assert sorted(s["code"] for s in data["support.json"]) == sorted(s.value for s in Support)
    assert [lic["code"] for lic in data["licences.json"]] == list(LICENCES)


def test_ranks_are_ordered(data: dict[str, list[dict[str, Any]]]) -> None:
    education = data["education.json"]
    assert [e["code"] for e in education] == list(EDUCATION_LEVELS)
    assert {e["code"]: e["rank"] for e in education} == EDUCATION_RANKS
    assert education[0]["rank"] == 0
    ranks = [e["rank"] for e in education]
    assert ranks == sorted(ranks)
    language = data["language_levels.json"]
    assert [lang["code"] for lang in language] == list(DUTCH_LEVELS)
    assert [lang["rank"] for lang in language] == list(range(len(DUTCH_LEVELS)))


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_no_label_in_two_concepts_of_one_file(data: dict[str, list[dict[str, Any]]], name: str) -> None:
    """Compared the way the normaliser compares them (folded: lowercase, no accents or punctuation)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for item in data[name]:
        for label in [*_labels(item), item["en"]]:
            key = fold(label)
            assert key, (item["id"], label)
            owners[key].add(item["id"])
    clashes = {label: ids for label, ids in owners.items() if len(ids) > 1}
    assert not clashes, clashes


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_no_repeated_label_within_a_concept(data: dict[str, list[dict[str, Any]]], name: str) -> None:
    for item in data[name]:
        keys = [fold(label) for label in _labels(item)]
        assert len(keys) == len(set(keys)), item["id"]


def test_files_are_two_space_indented_utf8() -> None:
    for name in REQUIRED:
        text = (DATA_DIR / name).read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n", name


def test_the_shipped_vocabulary_loads() -> None:
    vocab = Vocabulary.shipped(Path(DATA_DIR))
    assert vocab.get("occ:magazijnmedewerker") is not None
    assert vocab.get("lic:B").code == "B"  # type: ignore[union-attr]
    assert vocab.get("edu:mbo2").rank == 3  # type: ignore[union-attr]
    assert vocab.get("restriction:max_lift_kg").code == "max_lift_kg"  # type: ignore[union-attr]
    assert len(vocab.of_kind("occupation")) == len(_load("occupations.json"))


@pytest.mark.parametrize(("label", "wrong_for"), [
    ("teamleider", "skill:leidinggeven"),  # a job title (often the one the reader reports to), not leading a team
    ("handig", "skill:klussen"),  # an adjective ("handig met de computer", "rijbewijs B is handig")
    ("bakkerij", "skill:brood_bakken"),  # a workplace: "de bakkerij schoonmaken" is cleaning
    ("toezicht houden", "skill:toezicht_kinderen"),  # also on a terrain, a bicycle park, an audience
    ("vegen", "skill:bladblazen"),  # floors, streets and pavements are swept too: no leaf clearing
])
def test_a_label_that_names_more_than_the_skill_is_not_its_label(
        data: dict[str, list[dict[str, Any]]], label: str, wrong_for: str) -> None:
    """Labels are exact hits (certain, for everyone): a word that also means something else is no label."""
    concept = next(item for item in data["skills.json"] if item["id"] == wrong_for)
    assert fold(label) not in {fold(x) for x in _labels(concept)}
