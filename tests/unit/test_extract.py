"""Reading vacancy texts: the rules one by one, on the shipped vocabulary (pure logic, no database)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from matcher.errors import Invalid
from matcher.ingest import jobposting
from matcher.ingest.extract import VacancyReader
from matcher.ingest.tasks import as_task, infinitive
from matcher.matching.vocabulary import Vocabulary

NIGHT = ("Je werkt in de nachtploeg van 22.00 tot 06.00 uur, vier nachten per week (32 uur). Je tilt regelmatig "
         "dozen tot 25 kilo en staat de hele dag. Een heftruckcertificaat is verplicht, rijbewijs B is een pre.")


@pytest.fixture(scope="module")
def reader() -> VacancyReader:
    return VacancyReader(Vocabulary.shipped())


def read(reader: VacancyReader, text: str) -> dict[str, Any]:
    return reader.read(text).vacancy


def test_the_night_shift_text_gives_its_fields_with_exact_evidence(reader: VacancyReader) -> None:
    out = reader.read(NIGHT, title="Orderpicker")
    v = out.vacancy
    assert (v["hours_min"], v["hours_max"]) == (32, 32)
    assert set(v["shifts"]) == {"evening", "night"}  # 22.00–06.00: the evening hours and the night
    assert {"code": "lift_kg", "value": 25.0} in v["demands"]
    assert {"code": "standing", "value": None} in v["demands"]
    assert {"code": "night_work", "value": None} in v["demands"]
    assert v["certificates"] == ["heftruckcertificaat"]
    assert "driving_licences" not in v and out.notes["driving_licences_preferred"] == ["B"]
    for spans in out.evidence.values():
        for span in spans:
            assert NIGHT[span.start:span.end] == span.text


@pytest.mark.parametrize(("text", "low", "high"), [
    ("Het gaat om 24 tot 32 uur per week.", 24, 32),
    ("Je werkt 32 of 40 uur.", 32, 40),
    ("Contract voor 130 uur per maand.", 30, 30),
    ("Je werkt 6 uur per dag, 4 dagen per week.", 24, 24),
    ("Een fulltime baan in de bediening.", 36, 40),
    ("Je begint om 7 uur en werkt 20 uur per week.", 20, 20),
])
def test_hours_are_read_per_week(reader: VacancyReader, text: str, low: int, high: int) -> None:
    v = read(reader, text)
    assert (v["hours_min"], v["hours_max"]) == (low, high)


def test_a_time_of_day_and_a_wage_per_hour_are_not_hours(reader: VacancyReader) -> None:
    v = read(reader, "Je start vanaf 6 uur. Het loon is €14,50 per uur.")
    assert "hours_min" not in v


@pytest.mark.parametrize(("text", "shifts"), [
    ("Geen nachtdiensten, wel werken in het weekend.", {"weekend"}),
    ("Je werkt nooit in het weekend, alleen overdag.", {"day"}),
    ("Werken in 2-ploegendienst.", {"day", "evening"}),
    ("Late dienst van 14.00 tot 22.30 uur.", {"evening"}),
    ("Volcontinu rooster.", {"day", "evening", "night", "weekend"}),
])
def test_shifts_follow_negations_rosters_and_times(reader: VacancyReader, text: str, shifts: set[str]) -> None:
    assert set(read(reader, text).get("shifts", [])) == shifts


def test_a_wish_and_an_offer_are_not_demands(reader: VacancyReader) -> None:
    out = reader.read("Pluspunten:\n- VCA\n- rijbewijs B\n\nWat bieden wij:\n- je heftruckcertificaat behaal je "
                      "bij ons\n\nWat vragen wij:\n- rijbewijs C")
    assert out.vacancy["driving_licences"] == ["C"]
    assert "certificates" not in out.vacancy
    assert out.notes["certificates_preferred"] == ["VCA basis"]
    assert out.notes["certificates_offered"] == ["heftruckcertificaat"]


@pytest.mark.parametrize(("text", "level"), [
    ("Taalniveau B1 is nodig.", "B1"),
    ("Je beheerst Nederlands op 2F-niveau.", "B1"),
    ("Je spreekt goed Nederlands.", "B1"),
    ("Basiskennis Nederlands is voldoende.", "A2"),
    ("Je spreekt vloeiend Nederlands.", "B2"),
])
def test_dutch_level_from_cefr_referentieniveau_and_words(reader: VacancyReader, text: str, level: str) -> None:
    assert read(reader, text)["dutch_level"] == level


def test_dutch_that_is_not_required_gives_no_level_and_says_so(reader: VacancyReader) -> None:
    out = reader.read("Nederlands is geen vereiste.")
    assert "dutch_level" not in out.vacancy and out.warnings


def test_the_lowest_education_asked_and_light_work_without_lifting(reader: VacancyReader) -> None:
    v = read(reader, "Je hebt mbo 2 of 3. Het zijn lichte werkzaamheden, je hoeft niet te tillen.")
    assert v["education_level"] == "mbo2"
    assert not [d for d in v.get("demands", []) if d["code"] == "lift_kg"]


@pytest.mark.parametrize(("text", "support"), [
    ("Een begeleider op de werkvloer helpt je op weg.", "jobcoach"),
    ("We passen het werk aan op wat jij kunt.", "jobcarving"),
    ("Je kunt eerst proefdraaien met behoud van uitkering.", "proefplaatsing"),
    ("De gemeente ondersteunt met loonkostensubsidie.", "loonkostensubsidie"),
])
def test_support_also_when_said_in_other_words(reader: VacancyReader, text: str, support: str) -> None:
    assert support in read(reader, text)["support"]


def test_a_postcode_beats_a_place_name_and_a_place_gives_its_postcode(reader: VacancyReader) -> None:
    assert read(reader, "Kantoor in Arnhem, Industrieweg 4, 6921 AB Duiven.")["postcode"] == "6921"
    assert read(reader, "Je werkt op onze vestiging in Velp.")["postcode"].startswith("688")


def test_the_title_without_its_wrapping(reader: VacancyReader) -> None:
    assert read(reader, "Vacature: Schoonmaker kantoren (m/v) - Arnhem\nWij zoeken…")["title"] == \
        "Schoonmaker kantoren"
    assert read(reader, "Hoi,\nWe zoeken een heftruckchauffeur voor de nacht.")["title"] == "heftruckchauffeur"


def test_html_is_read_as_text_and_its_scripts_never_run_or_count(reader: VacancyReader) -> None:
    page = ("<html><head><title>X</title><script>document.write('nachtdienst 40 uur')</script></head><body>"
            "<nav>Home</nav><div class='cookie-banner'>Wij gebruiken cookies</div><h1>Orderpicker (m/v)</h1>"
            "<p>Je werkt <b>24</b> uur per week.</p><ul><li>VCA verplicht</li></ul>"
            "<img src='http://example.invalid/x.png'></body></html>")
    found = jobposting.read(reader, page)
    assert found.format == "html" and "cookies" not in found.text and "nachtdienst" not in found.text
    assert found.extraction.vacancy["title"] == "Orderpicker"
    assert (found.extraction.vacancy["hours_min"], found.extraction.vacancy.get("shifts")) == (24, None)
    assert found.extraction.vacancy["certificates"] == ["VCA basis"]


def test_a_jobposting_states_its_properties_and_its_text_fills_the_rest(reader: VacancyReader) -> None:
    posting = {"@context": "https://schema.org", "@type": "JobPosting", "title": "Heftruckchauffeur",
               "description": "<p>Je werkt in 2-ploegendienst en tilt tot 20 kg.</p>",
               "hiringOrganization": {"@type": "Organization", "name": "Logistiek BV"},
               "jobLocation": {"@type": "Place", "address": {"postalCode": "6921 AB", "addressLocality": "Duiven"}},
               "workHours": "32-38 uur per week", "validThrough": "2027-01-31T00:00",
               "identifier": {"@type": "PropertyValue", "value": "LOG-77"}, "skills": "orderpicken, scannen"}
    found = jobposting.read(reader, json.dumps(posting))
    v = found.extraction.vacancy
    assert found.posting and found.identifier == "LOG-77"
    assert (v["title"], v["employer"], v["postcode"], v["closes_at"]) == ("Heftruckchauffeur", "Logistiek BV",
                                                                          "6921", "2027-01-31")
    assert (v["hours_min"], v["hours_max"]) == (32, 38) and set(v["shifts"]) == {"day", "evening"}
    assert {"code": "lift_kg", "value": 20.0} in v["demands"]
    assert v["required_skills"][:2] == ["orderpicken", "scannen"]
    assert {"title", "employer", "postcode", "closes_at", "required_skills"} <= found.extraction.stated


@pytest.mark.parametrize(("content", "message"), [
    ('{"@type": "Organization", "name": "X"}', "no schema.org JobPosting"),
    ('{"@type": "JobPosting", "title": ', "not valid JSON"),
    ('<html><script type="application/ld+json">{broken</script><h1>X</h1></html>', "JSON-LD block 1"),
    ("x" * (jobposting.MAX_CONTENT_BYTES + 1), "larger than 1 MB"),
])
def test_bad_content_gets_a_clear_error(reader: VacancyReader, content: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        jobposting.read(reader, content)


def test_format_is_detected() -> None:
    assert jobposting.detect('  {"@type": "JobPosting"}') == "jobposting"
    assert jobposting.detect("<!doctype html><p>x</p>") == "html"
    assert jobposting.detect("Orderpicker gezocht, 32 uur") == "text"


@pytest.mark.parametrize(("finite", "named"), [
    ("verkoopt", "verkopen"), ("pakt", "pakken"), ("geeft", "geven"), ("rijdt", "rijden"), ("leest", "lezen"),
    ("verzamelt", "verzamelen"), ("herstelt", "herstellen"), ("opent", "openen"), ("draait", "draaien")])
def test_a_verb_in_the_third_person_is_named_in_the_infinitive(finite: str, named: str) -> None:
    assert infinitive(finite) == named


def test_tasks_said_to_the_reader_are_named_as_tasks_with_the_words_as_written_as_evidence(
        reader: VacancyReader) -> None:
    text = ("Kassamedewerker theater\n\nWat ga je doen?\n"
            "Je verkoopt kaartjes, geeft toegangspassen uit en pakt bestellingen in.")
    out = reader.read(text)
    tasks = {"kaartjes verkopen", "toegangspassen uitgeven", "bestellingen inpakken"}
    assert tasks <= set(out.vacancy["required_skills"])
    assert {"verkoopt kaartjes", "geeft toegangspassen uit"} <= {s.text for s in out.evidence["required_skills"]}
    assert as_task("post verwerken") is None  # already named as a task

