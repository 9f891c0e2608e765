"""Reading vacancy texts: the rules one by one, on the shipped vocabulary (pure logic, no database)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from matcher.errors import Invalid
from matcher.ingest import jobposting
from matcher.ingest.extract import VacancyReader
from matcher.ingest.tasks import as_task, infinitive, infinitive_task, is_infinitive
from matcher.matching.vocabulary import Vocabulary
from matcher.matching.vocabulary.normalise import Normaliser

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



@pytest.mark.parametrize(("word", "verb"), [("afvoeren", True), ("vouwen", True), ("schoonhouden", True),
                                             ("onderdelen", False), ("klanten", False), ("perrons", False)])
def test_an_infinitive_is_told_from_a_plural_noun(word: str, verb: bool) -> None:
    assert is_infinitive(word) is verb


def test_a_plural_that_is_also_a_past_tense_is_no_finite_verb() -> None:
    assert infinitive("leden") is None  # a past tense of "lijden", but in a vacancy the members of a club
    assert infinitive("bent") == "zijn" and infinitive("bedien") == "bedienen"


@pytest.mark.parametrize(("phrase", "task"), [
    ("voert pallets aan bij de lijn", "pallets aanvoeren"),  # the separable part before a prepositional phrase
    ("gaat bestellingen klaarzetten", "bestellingen klaarzetten"),  # a modal: the work is what it governs
    ("werkt nauwkeurig", "nauwkeurig werken"),
    ("bent verantwoordelijk voor het bijvullen van de koeling", "koeling bijvullen"),
    ("helpt de monteur met kabels trekken", "kabels trekken"),
])
def test_a_clause_said_to_the_reader_is_named_as_a_task(phrase: str, task: str) -> None:
    assert as_task(phrase) == task


@pytest.mark.parametrize("phrase", ["werkt in een klein team", "werkt graag buiten", "houdt van gezelligheid",
                                    "rapporteert aan de bedrijfsleider", "maakt deel uit van ons team",
                                    "zorgt dat alles op tijd klaar staat", "spreekt Duits",
                                    "zet je in voor onze bewoners", "ontwikkelt jezelf",
                                    "draagt bij aan een schone wijk"])
def test_a_clause_about_the_reader_or_the_job_is_no_task(phrase: str) -> None:
    assert as_task(phrase) is None


@pytest.mark.parametrize(("phrase", "task"), [
    ("kratten stapelen", "kratten stapelen"),
    ("bezoekers rondleiden door het museum", "bezoekers rondleiden"),  # where it happens is not the task
    ("Netjes kunnen werken", "Netjes werken"),
])
def test_a_task_in_the_infinitive_up_to_its_verb(phrase: str, task: str) -> None:
    assert infinitive_task(phrase) == task


@pytest.mark.parametrize("phrase", [
    "Stratenmakers leggen bestrating aan",  # a subject and its verb
    "wij bezorgen maaltijden",
    "het team is klein",
    "verantwoordelijk voor het plannen van ritten",  # an infinitive used as a noun
    "in Zetten",  # a place
    "Verhuizers dragen meubels naar de wagen",  # the verb stands second, after its subject
])
def test_a_sentence_or_a_noun_phrase_is_no_infinitive_task(phrase: str) -> None:
    assert infinitive_task(phrase) is None


def test_the_forms_dutch_vacancies_name_their_work_in(reader: VacancyReader) -> None:
    text = ("Medewerker fietsenstalling\n"
            "Zadels afstellen, banden oppompen en klanten de weg wijzen. Rijbewijs is niet nodig.\n\n"
            "Wat ga je doen?\n"
            "- Het uitgeven van huurfietsen\n"
            "Je controleert de kluisjes, legt lekke banden apart en maakt de stalling, de trappen en de "
            "liften schoon. Na sluitingstijd tel je de kas.\n\n"
            "Wat vragen wij?\n- Technisch inzicht\n- Ervaring met fietsreparatie is een pré\n\n"
            "Interesse?\nBel dan met Joost (024-7654321).")
    v = reader.read(text).vacancy
    tasks_read = set(v["required_skills"])
    assert {"Zadels afstellen", "banden oppompen"} <= tasks_read  # a summary line of infinitives
    assert "huurfietsen uitgeven" in tasks_read  # a task named as a noun
    assert {"kluisjes controleren", "lekke banden apartleggen"} <= tasks_read  # said to the reader
    assert "stalling, de trappen en de liften schoonmaken" in tasks_read  # the separable part closes the list
    assert "kas tellen" in tasks_read  # "na sluitingstijd tel je": the verb before "je"
    assert "Technisch inzicht" in tasks_read  # a competence named as a noun
    assert v["preferred_skills"] == ["Ervaring met fietsreparatie"]
    assert not any("Joost" in t or "bellen" in t for t in tasks_read)  # how to apply is no task


def test_descriptive_prose_gives_no_tasks(reader: VacancyReader) -> None:
    """An occupation described in the third person is no list of tasks, even where its clauses end in a verb."""
    text = ("Glazenwassers reinigen ramen, spiegels en andere glazen oppervlakken van gebouwen. Zij werken met "
            "ladders en hoogwerkers en controleren na afloop of alles schoon is.")
    assert not reader.read(text, title="glazenwasser").vacancy.get("required_skills")


def test_questions_slogans_and_offers_give_no_tasks(reader: VacancyReader) -> None:
    text = ("Chauffeur\nSamen rijden naar de toekomst!\nWil jij graag de weg op?\n\n"
            "Wat bieden wij?\n- Je ontvangt een goed salaris en bouwt pensioen op\n")
    assert not reader.read(text).vacancy.get("required_skills")


def test_a_language_in_place_of_dutch_is_not_asked(reader: VacancyReader) -> None:
    v = reader.read("Schoonmaker\nJe spreekt Nederlands of Engels.").vacancy
    assert "Engels" not in v.get("required_skills", [])
    assert "Engels" in reader.read("Receptionist\nJe spreekt Nederlands en Engels.").vacancy["required_skills"]


def test_traits_and_what_others_do_are_no_skills_but_abilities_are(reader: VacancyReader) -> None:
    text = ("Medewerker kantine\n"
            "In onze eigen bakkerij bakken we elke ochtend brood.\n\n"
            "Wat vragen wij?\n- Je bent flexibel, eerlijk en punctueel.\n- Je bent goed in rekenen.\n"
            "- Kennis van allergenen is een pré.\n- Je kunt tegen een hoog tempo.\n")
    v = reader.read(text).vacancy
    required = {s.lower() for s in v.get("required_skills", [])}
    assert not {"flexibiliteit", "eerlijkheid", "punctualiteit"} & required  # "je bent ...": traits
    assert not any("bak" in s for s in required)  # "bakken we": the employer's work
    assert "rekenen" in required  # "je bent goed in ...": an ability
    assert "tegen een hoog tempo kunnen" in required
    assert [s.lower() for s in v["preferred_skills"]] == ["kennis van allergenen"]


def test_one_word_gives_way_to_the_task_around_it_and_shared_objects_are_named(reader: VacancyReader) -> None:
    text = ("Medewerker sportkantine\n\nWat ga je doen?\n"
            "Na de wedstrijd maak je de kantine en de kleedkamers schoon.\n"
            "- Bekers spoelen en opruimen\n"
            "Je tapt en serveert bier, en je werkt snel en netjes.\n")
    required = {s.lower() for s in reader.read(text).vacancy["required_skills"]}
    assert "kantine en de kleedkamers schoonmaken" in required
    assert "schoonmaken" not in required  # the vocabulary's one word stood inside that task
    assert {"bekers spoelen", "bekers opruimen"} <= required  # "opruimen" acts on the bekers too
    assert {"bier tappen", "bier serveren"} <= required  # "je tapt en serveert bier"
    assert {"snel werken", "netjes werken"} <= required


@pytest.mark.parametrize(("finite", "named"), [("portioneert", "portioneren"), ("wijst", "wijzen")])
def test_verb_forms_the_dictionary_reads_as_other_words(finite: str, named: str) -> None:
    assert infinitive(finite) == named
    assert infinitive("markt") is None and infinitive("lijst") is None  # words of their own


@pytest.mark.parametrize(("phrase", "task"), [
    ("kunt goed met een kassasysteem overweg", "goed met een kassasysteem overweg kunnen"),
    ("Vragen van bewoners beantwoorden via e-mail", None),  # said to no one: as_task reads finite verbs only
])
def test_abilities_with_kunnen_as_the_main_verb(phrase: str, task: str | None) -> None:
    assert as_task(phrase) == task


def test_an_infinitive_task_takes_its_last_verb_and_a_hyphenated_word_stays_one() -> None:
    assert infinitive_task("Vragen van bewoners beantwoorden via e-mail") == "Vragen van bewoners beantwoorden"
    assert as_task("loopt de hele dag") is None  # how long, not what


def test_a_title_that_starts_like_an_email_prefix_keeps_its_letters(reader: VacancyReader) -> None:
    assert reader.read("Receptionist\nJe werkt 24 uur per week.").vacancy["title"] == "Receptionist"
    assert reader.read("Re: Reachtruckchauffeur\n32 uur.").vacancy["title"] == "Reachtruckchauffeur"


def test_where_or_how_a_task_is_done_stays_with_that_task(reader: VacancyReader) -> None:
    text = ("Receptionist\n\nWat ga je doen?\n"
            "Je beantwoordt vragen aan de telefoon en per e-mail en verwerkt reserveringen.")
    required = reader.read(text).vacancy["required_skills"]
    assert "reserveringen verwerken" in required
    assert not any(s.startswith("per e-mail") for s in required)


@pytest.mark.parametrize(("phrase", "task"), [
    ("beantwoordt de telefoon als de collega's in gesprek zijn", "telefoon beantwoorden"),  # the task ends at "als"
    ("vult de schappen aan voordat de winkel opengaat", "schappen aanvullen"),
])
def test_a_clause_that_says_when_is_not_part_of_the_task(phrase: str, task: str) -> None:
    assert as_task(phrase) == task


def test_a_verb_before_je_that_the_dictionary_reads_as_an_adjective(reader: VacancyReader) -> None:
    text = "Afwasser\n\nWat ga je doen?\nNa de lunch ruim je de keuken op."
    assert "keuken opruimen" in reader.read(text).vacancy["required_skills"]  # "ruim": also "spacious"


def test_a_phrase_before_the_object_that_says_when_is_left_out() -> None:
    assert as_task("maakt aan het eind van de ochtend de machines schoon") == "machines schoonmaken"
    assert as_task("werkt met een heftruck") == "met een heftruck werken"  # no object after the phrase: kept


def test_an_object_passes_along_a_list_of_bare_verbs(reader: VacancyReader) -> None:
    text = "Medewerker postkamer\nPost openen, sorteren en rondbrengen op de afdelingen. 20 uur."
    required = {s.lower() for s in reader.read(text).vacancy["required_skills"]}
    assert "post rondbrengen" in required


def test_examples_after_zoals_are_no_tasks_of_their_own(reader: VacancyReader) -> None:
    text = ("Helpende thuiszorg\n\nWat ga je doen?\n"
            "Je helpt cliënten met hun was, zoals strijken en vouwen, en je doet de boodschappen.")
    required = [s.lower() for s in reader.read(text).vacancy["required_skills"]]
    assert not any("strijken" in s or "vouwen" in s for s in required)  # examples of the was
    assert any("boodschappen" in s for s in required)  # the part after the examples is a task again


def test_things_named_after_zoals_stay_skills(reader: VacancyReader) -> None:
    text = "Administratief medewerker\n\nWat vragen wij?\n- Je werkt met software zoals Excel en Word.\n"
    required = {s.lower() for s in reader.read(text).vacancy["required_skills"]}
    assert {"excel", "word"} <= required


@pytest.mark.parametrize("sentence", [
    "Orderpicken leer je bij ons.", "Wij leren je heftruck rijden.", "Je wordt ingewerkt in het orderpicken.",
    "Tijdens de inwerkperiode leer je de kassa bedienen.", "Je volgt bij ons de cursus heftruck rijden."])
def test_what_the_employer_teaches_is_no_skill_asked(reader: VacancyReader, sentence: str) -> None:
    text = f"Magazijnmedewerker\n\nWat ga je doen?\n{sentence}\n- Je pakt bestellingen in.\n"
    assert reader.read(text).vacancy["required_skills"] == ["bestellingen inpakken"]


def test_what_colleagues_or_the_team_do_is_no_skill_asked(reader: VacancyReader) -> None:
    text = ("Medewerker groenvoorziening\n\n"
            "De collega's maaien gras, snoeien struiken en ruimen zwerfvuil op.\n"
            "- Je kunt snoeien.\n")
    assert reader.read(text).vacancy["required_skills"] == ["snoeien"]  # the reader's, once; not "maaien"


def test_verbs_listed_before_their_object_each_take_it(reader: VacancyReader) -> None:
    text = "Medewerker bakkerij\n\nWat ga je doen?\nJe snijdt, weegt en verpakt brood.\n"
    required = reader.read(text).vacancy["required_skills"]
    assert sorted(required) == ["brood snijden", "brood verpakken", "brood wegen"]


def test_the_bench_pairs_gold_and_read_skills_as_often_as_possible() -> None:
    from bench.extraction import _matched

    # The read free-text phrase fits both gold items; only one of them fits the read concept. A greedy pairing
    # that gives the free text to the concept's gold item first counts 1; a maximum matching always counts 2.
    gold = {("txt:x", "klanten helpen"), ("C1", "klanten helpen bij de kassa")}
    read = {("txt:y", "klanten helpen"), ("C1", "kassa bedienen")}
    assert _matched(gold, read) == 2
    assert _matched(gold, {("C2", "vakken vullen")}) == 0
    assert _matched(set(), read) == 0


@pytest.mark.parametrize("sentence", [
    "Schoonmaken hoort niet bij je taken.", "Schoonmaken doe je niet.", "Schoonmaken is geen onderdeel van het werk."])
def test_a_negation_after_the_skill_leaves_it_out(reader: VacancyReader, sentence: str) -> None:
    text = f"Medewerker winkel\n\nWat ga je doen?\n- Je vult de schappen.\n- {sentence}\n"
    assert reader.read(text).vacancy["required_skills"] == ["schappen vullen"]


def test_a_negation_after_the_skill_must_govern_it(reader: VacancyReader) -> None:
    text = "Medewerker winkel\n\nWat ga je doen?\n- Je vult de schappen.\n- Orderpicken is niet moeilijk.\n"
    assert sorted(reader.read(text).vacancy["required_skills"]) == ["orderpicken", "schappen vullen"]


def test_a_shift_negated_after_it_is_left_out(reader: VacancyReader) -> None:
    v = read(reader, "Nachtdiensten draai je niet. Zaterdag werk je niet. Je werkt van 8.00 tot 16.00 uur.")
    assert v["shifts"] == ["day"]


def test_vague_work_and_effort_are_no_tasks(reader: VacancyReader) -> None:
    text = ("Medewerker winkel\n\nWat ga je doen?\n- Allerlei voorkomende werkzaamheden uitvoeren\n"
            "- Je doet diverse werkzaamheden in de winkel.\n- Overige voorkomende werkzaamheden\n"
            "- Je denkt mee met de klant en je moet flink doorwerken.\n- Je voert schoonmaakwerkzaamheden uit.\n")
    assert reader.read(text).vacancy["required_skills"] == ["schoonmaakwerkzaamheden uitvoeren"]


@pytest.mark.parametrize(("task", "vague"), [
    ("allerlei voorkomende werkzaamheden uitvoeren", True), ("diverse taken in de winkel doen", True),
    ("overige werkzaamheden", True), ("administratieve taken uitvoeren", False),
    ("schoonmaakwerkzaamheden uitvoeren", False), ("bestellingen afhandelen", False)])
def test_a_task_that_names_no_work_of_its_own(task: str, vague: bool) -> None:
    from matcher.ingest.tasks import vague as is_vague

    assert is_vague(task) is vague


def test_an_attitude_named_as_a_noun_is_a_trait_not_a_skill(reader: VacancyReader) -> None:
    text = ("Medewerker winkel\n\nWat vragen wij?\n- Een flexibele instelling\n- Een klantvriendelijke houding\n"
            "- Je hebt een positieve werkhouding en technisch inzicht.\n")
    assert reader.read(text).vacancy["required_skills"] == ["technisch inzicht"]


@pytest.mark.parametrize(("item", "task"), [
    ("Perrons, liften en toiletten schoonhouden", "Perrons, liften en toiletten schoonhouden"),
    ("Kantoren, trappen en gangen dweilen", "Kantoren, trappen en gangen dweilen")])
def test_a_noun_that_could_be_an_infinitive_stays_in_a_list_of_objects(reader: VacancyReader, item: str,
                                                                       task: str) -> None:
    text = f"Schoonmaker\n\nWat ga je doen?\n- {item}\n"
    assert reader.read(text).vacancy["required_skills"] == [task]


def test_a_pronoun_after_the_verb_stands_for_the_object_before(reader: VacancyReader) -> None:
    text = ("Productiemedewerker\n\nWat ga je doen?\nJe haalt producten uit de machine, controleert ze op bramen en "
            "stapelt ze in dozen. Je neemt het drukwerk af en stapelt het op pallets.\n")
    assert reader.read(text).vacancy["required_skills"] == [
        "producten uit de machine halen", "producten op bramen controleren", "producten in dozen stapelen",
        "drukwerk afnemen", "drukwerk op pallets stapelen"]


def test_a_condition_of_the_work_is_a_demand_not_a_skill(reader: VacancyReader) -> None:
    text = "Hulp dakdekker\n\nWat ga je doen?\n- Dakbedekking leggen\n- Werken op hoogte, ook op platte daken\n"
    v = reader.read(text).vacancy
    assert v["required_skills"] == ["Dakbedekking leggen"]
    assert {"code": "heights", "value": None} in v["demands"]


def test_a_conjunction_before_je_is_no_verb(reader: VacancyReader) -> None:
    text = ("Chauffeur\n\nJouw werkdag\nJe start bij het depot, waar je de bus laadt. Daarna lever je pakketten af "
            "bij klanten.\n")
    assert reader.read(text).vacancy["required_skills"] == ["pakketten afleveren"]  # not "bus laadt waren"


def test_tasks_of_the_medewerker_or_hij_of_zij_as_an_adviser_writes_them(reader: VacancyReader) -> None:
    text = ("Beste Anouk,\n\nWij zoeken een medewerker voor de kantine. De medewerker smeert broodjes en houdt de "
            "kantine schoon. Daarnaast ruimt hij of zij de vaatwasser in en uit.\n\nMet vriendelijke groet,\nKarin")
    assert reader.read(text).vacancy["required_skills"] == [
        "broodjes smeren", "kantine schoonhouden", "vaatwasser in en uitruimen"]


def test_what_the_reader_does_with_themselves_is_no_task(reader: VacancyReader) -> None:
    text = ("Medewerker\n\nWat vragen wij?\n- Je bent leergierig en wilt je ontwikkelen.\n"
            "- Je kunt je snel aanpassen aan nieuwe situaties.\n- Je moet je aan de regels houden.\n"
            "- Je kunt je collega's helpen met het inpakken.\n- Je ontwikkelt nieuwe recepten.\n")
    assert reader.read(text).vacancy["required_skills"] == [
        "collega's helpen met het inpakken", "nieuwe recepten ontwikkelen"]


def test_one_word_in_a_clause_said_to_the_reader_does_not_stand_for_the_work(reader: VacancyReader) -> None:
    text = "Medewerker\n\nWat ga je doen?\n- Je rapporteert aan de teamleider\n- Kassawerk\n"
    assert reader.read(text).vacancy["required_skills"] == ["Kassawerk"]  # not leidinggeven ("teamleider")


@pytest.mark.parametrize("item", [
    "Afwisselend werk in een gezellig team", "Goede arbeidsvoorwaarden", "Werken in ploegendienst",
    "Diverse hand- en spandiensten"])
def test_an_item_about_the_job_rather_than_its_work_is_no_task(reader: VacancyReader, item: str) -> None:
    text = f"Medewerker\n\nFunctieomschrijving\n- {item}\n- Schoonmaakwerkzaamheden in kantoren\n"
    assert reader.read(text).vacancy["required_skills"] == ["Schoonmaakwerkzaamheden in kantoren"]


def test_contributing_to_something_is_no_task(reader: VacancyReader) -> None:
    text = "Medewerker\n\nWat ga je doen?\nJe levert een bijdrage aan een schone stad en je veegt de straten.\n"
    assert reader.read(text).vacancy["required_skills"] == ["straten vegen"]


def test_a_relative_clause_after_the_object_ends_the_task(reader: VacancyReader) -> None:
    text = ("Vakkenvuller\n\nWat ga je doen?\nJe helpt klanten die iets zoeken. Je zorgt ervoor dat alles klaarstaat. "
            "Je controleert de producten die binnenkomen.\n")
    assert reader.read(text).vacancy["required_skills"] == ["klanten helpen", "producten controleren"]


def test_a_language_named_in_a_task_stays_a_skill_of_its_own(reader: VacancyReader) -> None:
    text = "Beveiliger\n\nWat vragen wij?\n- Je communiceert duidelijk, ook in het Engels.\n- Nederlands of Duits.\n"
    required = reader.read(text).vacancy["required_skills"]
    assert "Engels" in required and "Duits" not in required and len(required) == 2


@pytest.mark.parametrize("item", [
    "Je houdt van koken.", "Je bent iemand die van koken houdt.", "Je vindt het leuk om te koken.",
    "Je hebt passie voor koken."])
def test_liking_the_work_is_no_skill_asked(reader: VacancyReader, item: str) -> None:
    text = f"Kok\n\nWat vragen wij?\n- {item}\n- Je kunt schoonmaken.\n"
    assert reader.read(text).vacancy["required_skills"] == ["schoonmaken"]


def test_both_ways_of_working_are_named_one_by_one(reader: VacancyReader) -> None:
    text = "Medewerker\n\nWat vragen wij?\n- Je werkt zowel zelfstandig als in teamverband.\n"
    assert reader.read(text).vacancy["required_skills"] == ["zelfstandig werken", "in teamverband werken"]


def test_experience_others_have_or_give_is_no_skill_asked(reader: VacancyReader) -> None:
    text = ("Horecamedewerker\n\nOns team zorgt elke dag voor een topervaring voor onze gasten. Onze koks hebben "
            "ervaring met de Franse keuken.\n\nWat vragen wij?\n- Barista-ervaring is een pluspunt.\n")
    out = reader.read(text).vacancy
    assert "required_skills" not in out and out["preferred_skills"] == ["Barista-ervaring"]


def test_helping_out_with_a_task_names_that_task(reader: VacancyReader) -> None:
    text = "Bediening\n\nWat ga je doen?\nJe ontvangt gasten. Na de dienst help je mee met opruimen.\n"
    assert reader.read(text).vacancy["required_skills"] == ["gasten ontvangen", "opruimen"]


@pytest.mark.parametrize("item", ["Je bent handig met je handen.", "Rijbewijs B is handig."])
def test_handig_as_able_or_as_wished_names_no_skill(reader: VacancyReader, item: str) -> None:
    text = f"Medewerker\n\nWat vragen wij?\n- {item}\n- Je kunt schoonmaken.\n"
    v = reader.read(text).vacancy
    assert v["required_skills"] == ["schoonmaken"] and "preferred_skills" not in v  # not klussen, not "handen"


def test_affinity_with_a_thing_keeps_the_thing_after_its_article(reader: VacancyReader) -> None:
    text = "Begeleider\n\nWat vragen wij?\n- Je hebt affiniteit met de doelgroep.\n"
    assert reader.read(text).vacancy["required_skills"] == ["affiniteit met de doelgroep"]  # not "affiniteit met de"


def test_an_adverb_before_an_inverted_verb_is_no_object(reader: VacancyReader) -> None:
    text = "Kassamedewerker\n\nWat ga je doen?\nJe rekent af met klanten. Tussendoor vul je de vakken bij.\n"
    assert reader.read(text).vacancy["required_skills"] == ["afrekenen", "vakken bijvullen"]


def test_a_label_before_a_colon_is_no_task(reader: VacancyReader) -> None:
    text = ("Magazijnmedewerker\nWerkzaamheden: orderpicken, laden en lossen en inpakken.\nEisen: rijbewijs B, VCA, "
            "flexibel.\n\nWat ga je doen?\nJe sorteert de materialen in bakken: metaal, kunststof en kabels.\n")
    assert sorted(reader.read(text).vacancy["required_skills"]) == [
        "inpakken", "laden en lossen", "materialen in bakken sorteren", "orderpicken"]  # not "Eisen", an infinitive


def test_werkzaamheden_zijn_opens_a_list_of_tasks(reader: VacancyReader) -> None:
    text = "Hulp keuken\n\nDe werkzaamheden zijn onder andere afwassen, groente snijden en de keuken schoonmaken.\n"
    assert sorted(reader.read(text).vacancy["required_skills"]) == ["afwassen", "groente snijden", "keuken schoonmaken"]


def test_a_preposition_before_je_is_no_verb_and_deze_stands_for_the_object(reader: VacancyReader) -> None:
    text = "Medewerker\n\nWat ga je doen?\n- Je signaleert problemen en meldt deze bij je leidinggevende.\n"
    assert reader.read(text).vacancy["required_skills"] == [
        "problemen signaleren", "problemen bij je leidinggevende melden"]  # not "meldt deze leidinggevende bijten"


def test_objects_coordinated_inside_a_phrase_with_met_stay_together(reader: VacancyReader) -> None:
    text = "Medewerker\n\nWat ga je doen?\n- Je werkt met een scanner en een computer.\n"
    assert reader.read(text).vacancy["required_skills"] == ["met een scanner en een computer werken"]


def test_cleaning_the_bakery_is_cleaning_and_supervision_is_not_child_care(reader: VacancyReader) -> None:
    text = ("Medewerker\n\nWat ga je doen?\n- Bakkerij\n- Toezicht houden in de stalling\n"
            "- Je maakt de bakkerij schoon\n")
    skills = reader.read(text).vacancy["required_skills"]
    assert "brood en banket bakken" not in skills and "toezicht houden op kinderen" not in skills
    normaliser = Normaliser(Vocabulary.shipped())
    assert normaliser.match("de bakkerij schoonmaken", "skill").concept_id == "skill:schoonmaken"


@pytest.mark.parametrize("line", [
    "Nederlandse taal: eenvoudige instructies kunnen begrijpen.", "- Je begrijpt eenvoudige instructies."])
def test_understanding_simple_instructions_is_the_language_level_and_no_skill(reader: VacancyReader, line: str) -> None:
    v = reader.read(f"Schoonmaker\n\nWat vragen wij?\n{line}\n- Je kunt schoonmaken.\n").vacancy
    assert v["dutch_level"] == "A2" and v["required_skills"] == ["schoonmaken"]


def test_languages_offered_in_a_list_beside_dutch_are_no_skill_but_a_list_of_all_is(reader: VacancyReader) -> None:
    offered = reader.read("Seizoenmedewerker\n\nTaal: Nederlands, Engels of Pools\n- Je kunt oogsten.\n").vacancy
    assert offered["required_skills"] == ["oogsten"]
    asked = reader.read("Receptionist\n\nWat vragen wij?\nJe spreekt Nederlands, Engels en Duits.\n").vacancy
    assert asked["required_skills"] == ["Engels", "Duits"]


def test_what_is_nice_but_not_needed_is_wished(reader: VacancyReader) -> None:
    text = "Medewerker\n\nWat vragen wij?\n- Je kunt typen.\n- Ervaring met klantcontact is fijn maar niet nodig.\n"
    v = reader.read(text).vacancy
    assert v["required_skills"] == ["typen"] and len(v["preferred_skills"]) == 1  # klantcontact, wished


def test_a_reason_given_with_want_is_no_task(reader: VacancyReader) -> None:
    text = ("Roomattendant\n\nJe moet wel fit zijn, want je loopt veel trappen en tilt de waskarren. "
            "Je maakt de bedden op.\n")
    assert reader.read(text).vacancy["required_skills"] == ["bedden opmaken"]


def test_a_verb_that_ends_a_relative_clause_names_no_task(reader: VacancyReader) -> None:
    assert infinitive_task("een zorgboerderij waar volwassenen elke dag komen werken") is None
    text = ("Assistent\n\nWij zijn Het Erf: een zorgboerderij waar volwassenen elke dag komen werken.\n\n"
            "Je wiedt onkruid.\n")
    assert reader.read(text).vacancy["required_skills"] == ["onkruid wieden"]


def test_a_bare_noun_after_a_task_said_to_the_reader_is_its_object(reader: VacancyReader) -> None:
    text = "Medewerker groen\n\nJouw werk\nJe onderhoudt plantsoenen en bermen. Je maait gras.\n"
    assert reader.read(text).vacancy["required_skills"] == ["plantsoenen onderhouden", "gras maaien"]


def test_a_label_that_opens_a_line_sets_the_mode_of_the_whole_line(reader: VacancyReader) -> None:
    text = ("Chauffeur\n\nWij bieden: een leaseauto, een opleiding tot heftruckchauffeur, een cursus "
            "klantvriendelijkheid en je VCA.\nJe bezorgt pakketten.\n")
    out = reader.read(text)
    assert out.vacancy["required_skills"] == ["pakketten bezorgen"] and "certificates" not in out.vacancy


def test_a_sentence_about_the_employers_clients_names_no_task(reader: VacancyReader) -> None:
    assert infinitive_task("Onze klanten zijn scholen") is None
    text = "Schoonmaker\n\nOnze klanten zijn scholen en ziekenhuizen.\n\nJe maakt toiletten schoon.\n"
    assert reader.read(text).vacancy["required_skills"] == ["toiletten schoonmaken"]


def test_the_employers_own_part_asks_nothing_until_the_next_heading(reader: VacancyReader) -> None:
    text = ("Schoonmaker\n\nOver ons\nGlans is gespecialiseerd in glasbewassing, gevelreiniging en vloeronderhoud. "
            "Onze glazenwassers tillen ladders tot 30 kg en zijn allemaal VCA-gecertificeerd.\n\n"
            "De vacature\n- Vloeren dweilen\n")
    v = reader.read(text).vacancy
    assert v["required_skills"] == ["Vloeren dweilen"] and "certificates" not in v and "demands" not in v


@pytest.mark.parametrize("heading", ["Jouw voordelen", "Waarom werken bij ons?", "Wat kun je van ons verwachten?"])
def test_a_heading_of_benefits_offers_what_follows(reader: VacancyReader, heading: str) -> None:
    text = f"Kok\n\nWat ga je doen?\n- Groenten snijden\n\n{heading}\n- Een opleiding tot kok\n- Leren bakken\n"
    assert reader.read(text).vacancy["required_skills"] == ["Groenten snijden"]


def test_a_clause_about_what_the_employer_does_asks_nothing_even_in_a_sentence_to_the_reader(
        reader: VacancyReader) -> None:
    text = ("Medewerker\n\nJe gaat aan de slag in onze kwekerij, waar we planten kweken en verkopen.\n"
            "- Planten oppotten\n")
    assert reader.read(text).vacancy["required_skills"] == ["Planten oppotten"]


def test_a_trait_listed_bare_describes_the_reader_and_is_no_skill(reader: VacancyReader) -> None:
    text = ("Magazijnmedewerker\n\nProfiel:\n- Flexibel\n- Teamspeler\n- Klantgericht\n- Betrouwbaar\n- Punctueel\n"
            "- Rekenen\n- Kassawerk\n- Engels\n")
    assert reader.read(text).vacancy["required_skills"] == ["Rekenen", "Kassawerk", "Engels"]


@pytest.mark.parametrize("line", ["Je kunt doorgroeien naar voorman.", "- Doorgroeien naar teamleider"])
def test_growing_into_another_job_is_an_offer_not_a_skill(reader: VacancyReader, line: str) -> None:
    text = f"Orderpicker\n\nWat ga je doen?\nJe verzamelt orders.\n{line}\n"
    assert reader.read(text).vacancy["required_skills"] == ["orders verzamelen"]


def test_a_sidebar_and_a_list_of_the_employers_services_are_not_the_vacancy(reader: VacancyReader) -> None:
    page = ("<html><body><main><h1>Schoonmaker</h1><h2>Wat ga je doen?</h2><ul><li>Kantoren schoonmaken</li></ul>"
            "<h2>Onze diensten</h2><ul><li>Glasbewassing</li><li>Vloeronderhoud</li></ul></main>"
            "<aside><h3>Andere vacatures</h3><ul><li>Kok (Arnhem) – avonddiensten</li><li>Catering</li></ul></aside>"
            "</body></html>")
    v = jobposting.read(reader, page, "html").extraction.vacancy
    assert v["required_skills"] == ["Kantoren schoonmaken"] and "shifts" not in v
    text = "Schoonmaker\n\nWat ga je doen?\n- Kantoren schoonmaken\n\nOnze diensten\n- Glasbewassing\n- Catering\n"
    assert reader.read(text).vacancy["required_skills"] == ["Kantoren schoonmaken"]


def test_the_employers_opening_hours_in_its_own_part_are_no_shifts(reader: VacancyReader) -> None:
    text = ("Vakkenvuller\n\nOver ons\nOnze winkel is 7 dagen per week open van 8.00 tot 22.00 uur.\n\n"
            "Wat ga je doen?\nJe vult de schappen, maandag tot en met vrijdag van 9.00 tot 13.00 uur.\n")
    assert reader.read(text).vacancy["shifts"] == ["day"]


@pytest.mark.parametrize("heading", ["Over de werktijden", "Over de werkplek", "Over jouw rol"])
def test_a_heading_over_the_work_itself_is_no_part_about_the_employer(reader: VacancyReader, heading: str) -> None:
    text = f"Orderpicker\n\n{heading}\nJe werkt van 22.00 tot 06.00 uur. Je verzamelt orders.\n"
    v = reader.read(text).vacancy
    assert "night" in v["shifts"] and v["required_skills"] == ["orders verzamelen"]


def test_a_verb_cut_short_by_another_field_waits_for_no_object(reader: VacancyReader) -> None:
    text = "Orderpicker\n\nJe werkt van 22.00 tot 06.00 uur en je verzamelt orders.\n"
    assert reader.read(text).vacancy["required_skills"] == ["orders verzamelen"]  # not "orders werken"


def test_a_short_label_line_with_its_content_is_read_not_taken_for_a_heading(reader: VacancyReader) -> None:
    assert reader.read("Schoonmaker\nTaken: kantoren schoonmaken\n").vacancy["required_skills"] == [
        "kantoren schoonmaken"]


def test_a_listings_classification_fields_name_no_skill(reader: VacancyReader) -> None:
    text = ("Magazijnmedewerker\nBranche: Logistiek\nVakgebied: Inpakken en verzenden\nCategorie: Koken\n"
            "Werkzaamheden: Je verzamelt orders.\n")
    assert reader.read(text).vacancy["required_skills"] == ["orders verzamelen"]


def test_a_task_cut_down_to_its_verb_and_a_preposition_by_another_field_is_no_task(reader: VacancyReader) -> None:
    text = "Sjouwer\n\nWat vragen wij?\n- Je kunt tegen fysiek zwaar werk.\n- Je kunt schoonmaken.\n"
    v = reader.read(text).vacancy
    assert v["required_skills"] == ["schoonmaken"] and {"code": "lift_kg", "value": 25.0} in v["demands"]


def test_a_colon_list_of_tasks_on_the_first_line_is_read_unless_it_says_what_others_do(reader: VacancyReader) -> None:
    text = "wij zoeken een roomattendant. het gaat om de kamers: bedden opmaken en badkamers poetsen. 20 uur."
    assert reader.read(text).vacancy["required_skills"] == ["bedden opmaken", "badkamers poetsen"]
    prose = "Betonafwerkers gieten beton. Ze voeren acties uit om het af te werken: snijden, samenpersen en glad maken."
    assert "required_skills" not in reader.read(prose, title="Betonafwerker").vacancy


def test_a_last_part_with_a_verb_of_its_own_and_a_particle_is_a_task_of_its_own(reader: VacancyReader) -> None:
    text = "Bediening\n\nWat ga je doen?\nJe vult het buffet aan, reken je af bij de kassa en ruim je de tafels af.\n"
    assert "tafels afruimen" in reader.read(text).vacancy["required_skills"]
    text = "Schoonmaker\n\nWat ga je doen?\nJe maakt de sporthal, de kleedkamers en de kantine schoon.\n"
    assert reader.read(text).vacancy["required_skills"] == ["sporthal, de kleedkamers en de kantine schoonmaken"]


@pytest.mark.parametrize(("line", "level"), [
    ("Linnenkamer, 18 uur, ma/wo/vr 8.00-14.00.", None), ("Werktijden: ma, wo en vr.", None),
    ("Opleiding: geen", "geen"), ("Opleidingsniveau: geen eisen", "geen"), ("Je hebt een wo-diploma.", "wo")])
def test_wednesday_is_no_university_and_a_label_of_no_education_asks_none(
        reader: VacancyReader, line: str, level: str | None) -> None:
    assert reader.read(f"Medewerker\n\n{line}\n").vacancy.get("education_level") == level


@pytest.mark.parametrize("line", [
    "Een VOG is nodig; die vragen wij voor je aan en betalen wij.", "Je hebt een VOG (wij vergoeden de kosten).",
    "BHV is verplicht (binnen twee maanden, de hogeschool betaalt de cursus).", "VOG – die regelen en betalen wij.",
    "VCA basis behaal je in de eerste maand."])
def test_a_certificate_the_employer_pays_for_or_trains_later_in_the_sentence_is_offered(
        reader: VacancyReader, line: str) -> None:
    out = reader.read(f"Medewerker\n\nWat vragen wij?\n{line}\n- Je kunt schoonmaken.\n")
    assert "certificates" not in out.vacancy and out.notes["certificates_offered"]
    assert out.vacancy["required_skills"] == ["schoonmaken"]


def test_a_certificate_whose_costs_are_not_refunded_stays_asked(reader: VacancyReader) -> None:
    out = reader.read("Medewerker\n\nWat vragen wij?\nEen VOG is verplicht, de kosten worden niet vergoed.\n")
    assert out.vacancy["certificates"] == ["VOG"]


@pytest.mark.parametrize(("line", "hours"), [
    ("Uren per week: 38", (38, 38)), ("Werktijden: ma-vr 6.00-14.30\nUren: 38 per week", (38, 38)),
    ("Tussen 16 en 24 uur per week, alleen overdag.", (16, 24)),
    ("20 uur in de week, ma t/m vr van 9 tot 13 uur.", (20, 20))])
def test_hours_labelled_ranged_with_en_and_clock_times_apart(
        reader: VacancyReader, line: str, hours: tuple[int, int]) -> None:
    v = reader.read(f"Medewerker\n\n{line}\n").vacancy
    assert (v["hours_min"], v["hours_max"]) == hours and "evening" not in v.get("shifts", [])


@pytest.mark.parametrize(("line", "level"), [
    ("Je spreekt een beetje Nederlands of Engels.", None),
    ("Je moet goed kunnen rekenen met geld en Nederlands spreken.", "B1")])
def test_dutch_or_another_language_asks_no_level_and_dutch_spoken_is_b1(
        reader: VacancyReader, line: str, level: str | None) -> None:
    assert reader.read(f"Medewerker\n\nWat vragen wij?\n{line}\n").vacancy.get("dutch_level") == level


def test_a_demand_in_what_the_employers_staff_do_is_not_the_readers_but_we_at_work_is(reader: VacancyReader) -> None:
    text = ("Schoonmaker\n\nOnze chauffeurs brengen het brood met de bestelbus naar de winkels.\n"
            "Je maakt de bakkerij schoon.\n")
    assert "demands" not in reader.read(text).vacancy
    text = "Hulpschilder\n\nWe werken op bouwplaatsen, soms op een steiger. Je schuurt kozijnen.\n"
    assert {"code": "heights", "value": None} in reader.read(text).vacancy["demands"]


@pytest.mark.parametrize("line", ["Als schoonmaker maak je kantoren schoon en je leegt de prullenbakken.",
                                  "De medewerker maakt kantoren schoon en leegt de prullenbakken."])
def test_a_line_to_the_reader_ends_the_employers_own_part(reader: VacancyReader, line: str) -> None:
    text = f"Schoonmaker\n\nOver ons\nGlans is een familiebedrijf uit Arnhem.\n\n{line}\n"
    assert reader.read(text).vacancy["required_skills"] == ["kantoren schoonmaken", "prullenbakken legen"]


def test_a_bare_way_of_working_or_ability_is_no_trait(reader: VacancyReader) -> None:
    text = "Schoonmaker\n\nProfiel:\n- Zelfstandig\n- Hygiënisch\n- Cijfermatig\n- Flexibel\n"
    assert reader.read(text).vacancy["required_skills"] == ["Zelfstandig", "Hygiënisch", "Cijfermatig"]


def test_an_arrow_opens_a_list_item_as_a_bullet_does(reader: VacancyReader) -> None:
    text = "Kaasmaker – Kaasboerderij De Wei\n→ 32 uur per week\n→ Kaas keren en verpakken\n→ Kazen tot 12 kg\n"
    assert reader.read(text).vacancy["required_skills"] == ["Kaas keren", "Kaas verpakken"]


@pytest.mark.parametrize("line", ["Dozen wegen tot 15 kg.", "- Zakken tot 20 kg", "Pakken wegen maximaal 20 kilo."])
def test_how_heavy_things_are_is_the_lifting_demand_and_no_task(reader: VacancyReader, line: str) -> None:
    v = reader.read(f"Orderpicker\n\nWat ga je doen?\nJe scant de producten.\n{line}\n").vacancy
    assert v["required_skills"] == ["producten scannen"] and v["demands"][0]["code"] == "lift_kg"
    assert reader.read("Bakker\n\nWat ga je doen?\nDeeg wegen, bakplaten vullen.\n").vacancy["required_skills"] == [
        "Deeg wegen", "bakplaten vullen"]


def test_a_language_offered_in_place_of_dutch_is_no_skill_when_named_with_its_verb(reader: VacancyReader) -> None:
    text = "Roomattendant\n\nWat vragen wij?\n- Je werkt snel.\n- Nederlands of Engels spreken is voldoende.\n"
    assert reader.read(text).vacancy["required_skills"] == ["snel werken"]
    asked = reader.read("Receptionist\n\nWat vragen wij?\n- Engels spreken\n- Nederlands op B1-niveau\n").vacancy
    assert asked["required_skills"] == ["Engels"]


def test_working_partly_outside_is_where_the_work_is_not_how(reader: VacancyReader) -> None:
    text = "Medewerker wasstraat\n\nWat ga je doen?\nJe maakt auto's schoon. Je werkt deels buiten, ook in de winter.\n"
    assert reader.read(text).vacancy["required_skills"] == ["auto's schoonmaken"]
    assert reader.read("Schoonmaker\n\n- Je werkt vaak zelfstandig.\n").vacancy["required_skills"] == [
        "zelfstandig werken"]


def test_a_skill_the_vocabulary_finds_in_a_reason_given_with_want_is_not_asked(reader: VacancyReader) -> None:
    text = "Klussenhulp\n\nJe helpt met slopen. Rijbewijs B vereist want je rijdt met de bus naar de klussen.\n"
    assert reader.read(text).vacancy["required_skills"] == ["met slopen helpen"]
    asked = reader.read("Gids\n\nJe moet goed Engels spreken want je werkt met toeristen.\n").vacancy
    assert asked["required_skills"] == ["Engels"]


@pytest.mark.parametrize(("text", "skills"), [
    ("Medewerker\n\n- Klanten adviseren over voer en verzorging\n", ["klanten adviseren"]),
    ("Sorteerder\n\nKleding sorteren op soort en kwaliteit, balen persen.\n", ["textiel sorteren", "balen persen"]),
    ("Winkel\n\nWat ga je doen?\n- Klanten helpen in de winkel en kassawerk\n", ["klanten adviseren", "kassawerk"]),
])
def test_one_noun_more_in_a_prepositional_object_is_no_task_of_its_own(
        reader: VacancyReader, text: str, skills: list[str]) -> None:
    assert reader.read(text).vacancy["required_skills"] == skills


def test_a_verb_with_only_a_place_after_a_task_shares_its_object_and_is_no_task_of_its_own(
        reader: VacancyReader) -> None:
    text = ("Medewerker\n\nWat ga je doen?\nGasten ontvangen en naar hun tafel brengen.\n"
            "Post sorteren en in de keuken helpen.\n")
    assert reader.read(text).vacancy["required_skills"] == ["gasten ontvangen", "post sorteren", "in de keuken helpen"]


def test_objects_listed_after_a_verb_that_follows_the_opening_of_the_sentence_are_its_own(
        reader: VacancyReader) -> None:
    text = "Oogstmedewerker\n\nWat ga je doen?\nIn de zomer pluk je appels en peren en sorteer je het fruit.\n"
    assert reader.read(text).vacancy["required_skills"] == ["appels en peren plukken", "fruit sorteren"]


def test_a_task_too_long_to_name_is_named_without_where_and_how() -> None:
    assert as_task("sorteert het fruit in de schuur achter het huis op maat") == "fruit sorteren"
    assert as_task("voert papier aan bij de pers") == "papier aanvoeren"


def test_or_between_two_things_is_no_clause_of_whether() -> None:
    assert as_task("bezorgt boeketten met de scooter of bakfiets bij klanten") == "boeketten bezorgen"
    assert as_task("controleert of alles klopt") is None


def test_delivering_is_the_driving_demand_and_a_task_too(reader: VacancyReader) -> None:
    v = reader.read("Bezorgers gezocht!\nJe bezorgt boeketten bij klanten.\n").vacancy
    assert v["required_skills"] == ["boeketten bij klanten bezorgen"] and {"code": "driving", "value": None} in v[
        "demands"]
    driven = reader.read("Zorghulp\n\nWat ga je doen?\nJe wast cliënten. Met je eigen auto rijd je van cliënt naar "
                         "cliënt.\n").vacancy
    assert driven["required_skills"] == ["cliënten wassen"]


def test_a_longer_place_before_the_verb_said_to_the_reader_still_opens_a_task(reader: VacancyReader) -> None:
    text = ("Medewerker\n\nWat ga je doen?\nIn het bedrijfsrestaurant van een kantoor in het centrum bereid je "
            "broodjes en salades.\n")
    assert reader.read(text).vacancy["required_skills"] == ["broodjes en salades bereiden"]


@pytest.mark.parametrize("line", ["Solliciteren? Stuur je cv naar Petra.",
                                  "Interesse? Stuur dan je cv en motivatie naar Petra."])
def test_a_request_that_opens_with_its_verb_is_no_task(reader: VacancyReader, line: str) -> None:
    text = f"Postmedewerker\n\nWat ga je doen?\nJe sorteert post.\n\n{line}\n"
    assert reader.read(text).vacancy["required_skills"] == ["post sorteren"]


@pytest.mark.parametrize("line", ["Je loopt ongeveer 15 kilometer per dag.", "Je bukt en knielt veel.",
                                  "Je draagt beschermende kleding.", "- Veel lopen"])
def test_how_hard_the_body_works_and_what_it_wears_is_no_task(reader: VacancyReader, line: str) -> None:
    text = f"Beveiliger\n\nWat ga je doen?\nJe loopt rondes door het gebouw.\n{line}\n"
    assert reader.read(text).vacancy["required_skills"] == ["rondes door het gebouw lopen"]


def test_the_vacancys_own_job_named_as_the_subject_is_the_reader(reader: VacancyReader) -> None:
    text = ("Onderwerp: nieuwe vacature chauffeur leerlingenvervoer\n\nGoedemiddag Fatima,\n\nDe chauffeur haalt de "
            "kinderen thuis op en zet de rolstoelen vast in de bus. De school betaalt de ritten. Rijbewijs B is "
            "nodig.\n")
    v = reader.read(text).vacancy
    assert v["title"] == "chauffeur leerlingenvervoer"
    assert v["required_skills"] == ["kinderen thuis ophalen", "rolstoelen vastzetten"]
    described = "Golfcoaches trainen personen. De golfcoach geeft advies over de uitrusting voor zijn cliënten."
    assert "required_skills" not in reader.read(described, title="golfcoach").vacancy  # a job described in general


def test_having_contact_with_customers_is_the_demand_and_keeping_it_is_work(reader: VacancyReader) -> None:
    text = "Planner\n\nWat ga je doen?\nJe maakt facturen en hebt telefonisch contact met chauffeurs en klanten.\n"
    v = reader.read(text).vacancy
    assert v["required_skills"] == ["facturen maken"] and {"code": "customer_contact", "value": None} in v["demands"]
    kept = reader.read("Pedagogisch medewerker\n\nWat ga je doen?\nJe houdt contact met de ouders.\n").vacancy
    assert kept["required_skills"] == ["contact met de ouders houden"]


def test_infinitives_listed_after_a_modal_said_to_the_reader_are_tasks_too(reader: VacancyReader) -> None:
    text = "Magazijnmedewerker\n\nJe gaat retourpakketten openmaken en de artikelen controleren op schade.\n"
    assert reader.read(text).vacancy["required_skills"] == ["retourpakketten openmaken", "de artikelen controleren"]


def test_the_whole_title_named_as_the_subject_is_the_reader(reader: VacancyReader) -> None:
    text = ("Functie: Medewerker bediening\nAantal uren: 24 uur per week\nFunctieomschrijving: De medewerker bediening "
            "ontvangt gasten en ruimt tafels af.\n")
    assert reader.read(text).vacancy["required_skills"] == ["gasten ontvangen", "tafels afruimen"]


def test_a_verb_before_formal_u_is_inverted_as_before_je(reader: VacancyReader) -> None:
    text = "Monteur\n\nWerkzaamheden: u controleert de machines. Storingen meldt u aan de teamleider.\n"
    assert reader.read(text).vacancy["required_skills"] == [
        "machines controleren", "Storingen aan de teamleider melden"]


def test_a_range_of_ages_is_no_working_time(reader: VacancyReader) -> None:
    text = "Pedagogisch medewerker\n\nOpvang voor kinderen van 4 tot 12 jaar. Je werkt van 14.00 tot 18.30 uur.\n"
    assert reader.read(text).vacancy["shifts"] == ["day"]


def test_a_long_window_of_shifts_holds_day_and_evening(reader: VacancyReader) -> None:
    assert reader.read("Parkeerwachter\n\nWisselende diensten tussen 7.00 en 23.00 uur.\n").vacancy["shifts"] == [
        "day", "evening"]
    assert reader.read("Vulploeg\n\nJe werkt van 14.00 tot 22.00 uur.\n").vacancy["shifts"] == ["evening"]


def test_alternatives_listed_with_commas_before_of_are_hours_too(reader: VacancyReader) -> None:
    v = reader.read("Klantenservice\n\nJe werkt 24, 32 of 36 uur per week.\n").vacancy
    assert (v["hours_min"], v["hours_max"]) == (24, 36)


@pytest.mark.parametrize(("text", "low", "high"), [
    ("Schoonmaker. 3 uur per avond, maandag t/m vrijdag van 18.00 tot 21.00 uur.", 15, 15),
    ("Keukenhulp voor 3 a 4 dagen per week, 6 uur per dag.", 18, 24),
    ("Twee nachten per week, 8 uur per nacht.", 16, 16),
])
def test_hours_per_evening_or_night_and_a_range_of_days_are_per_week(
        reader: VacancyReader, text: str, low: int, high: int) -> None:
    v = reader.read(text).vacancy
    assert (v["hours_min"], v["hours_max"]) == (low, high)


@pytest.mark.parametrize(("text", "shifts"), [
    ("Oogstmedewerker\n\nMaandag t/m zaterdag van 7.00 tot 16.00 uur. Overnachten kan op ons terrein.\n",
     ["day", "weekend"]),  # staying overnight is no night work
    ("Bijrijder\n\n- 40 uur per week, dagwerk\n", ["day"]),
    ("Vakkenvuller\n\nMaandag t/m zaterdag van 20.00 tot 23.00 uur. Je werkt nooit op zondag.\n",
     ["evening", "weekend"]),  # no Sundays leaves Saturday
    ("Klantenservice\n\nJe werkt tussen 8.00 en 20.00 uur, ook op zaterdagochtend.\n", ["day", "evening", "weekend"]),
    ("Touringcarchauffeur\n\nDe diensten wisselen tussen 6.00 en 1.00 uur.\n", ["day", "evening", "night"]),
    ("Parkeerwachter\n\nWisselende diensten tussen 7.00 en 23.00 uur. 's Nachts zijn de garages gesloten.\n",
     ["day", "evening"]),  # a closed night is no night shift
])
def test_shifts_from_days_windows_and_what_is_said_of_nights_and_weekends(
        reader: VacancyReader, text: str, shifts: list[str]) -> None:
    assert reader.read(text).vacancy["shifts"] == shifts


def test_working_in_peoples_homes_is_customer_contact_and_a_compound_chauffeur_drives(reader: VacancyReader) -> None:
    home = reader.read("Huishoudelijke hulp\n\nBij cliënten thuis stofzuig je en verschoon je de bedden.\n").vacancy
    assert {"code": "customer_contact", "value": None} in home["demands"]
    coach = reader.read("Touringcarchauffeur\n\nJe vervoert schoolklassen door heel Nederland.\n").vacancy
    assert {"code": "driving", "value": None} in coach["demands"]


def test_understanding_dutch_safety_instructions_is_the_language_level(reader: VacancyReader) -> None:
    v = reader.read("Belader\n\n• Containers aan de wagen hangen\n• Je begrijpt Nederlandse veiligheidsinstructies\n")
    assert v.vacancy["dutch_level"] == "A2" and v.vacancy["required_skills"] == ["Containers aan de wagen hangen"]


def test_a_guide_from_the_municipality_on_the_shop_floor_is_a_jobcoach(reader: VacancyReader) -> None:
    text = "Sorteerder\n\nEen begeleider van de gemeente komt de eerste maanden elke week langs op de werkvloer.\n"
    assert reader.read(text).vacancy["support"] == ["jobcoach"]


def test_a_moped_licence_named_as_such_is_am(reader: VacancyReader) -> None:
    assert reader.read("Bezorger\n\nEen scooterrijbewijs is nodig.\n").vacancy["driving_licences"] == ["AM"]
    assert reader.read("Bezorger\n\nEen bromfietscertificaat is nodig.\n").vacancy["driving_licences"] == ["AM"]


def test_fulltime_without_a_number_wins_over_a_sum_of_clock_times(reader: VacancyReader) -> None:
    v = reader.read("Bouwplaatsmedewerker\n\nEen fulltime baan, maandag t/m vrijdag van 7.00 tot 16.00 uur.\n").vacancy
    assert (v["hours_min"], v["hours_max"]) == (36, 40)


def test_each_skill_read_records_the_rule_that_read_it_beside_its_evidence(reader: VacancyReader) -> None:
    text = ("Magazijnmedewerker\n\nWat ga je doen?\n- Orders verzamelen en inpakken\n- Vrachtwagens lossen\n\n"
            "Je controleert de voorraad en ook pak je pakketten in. Je hebt ervaring met een handscanner en kennis "
            "van Excel.")
    out = reader.read(text)
    sources = dict(out.sources["required_skills"])
    assert sources == {"orderpicken": "vocabulary: phrase", "laden en lossen": "vocabulary: phrase",
                       "ervaring met een handscanner": "experience or knowledge",
                       "Orders inpakken": "task: infinitive", "voorraad controleren": "task: said to the reader",
                       "pakketten inpakken": "task: verb before 'je'", "Excel": "vocabulary: one word"}
    assert [value for value, _ in out.sources["required_skills"]] == out.vacancy["required_skills"]
    assert len(out.sources["required_skills"]) == len(out.evidence["required_skills"])
