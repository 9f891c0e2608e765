"""The vocabulary in the database: the curated set after migrate, and an ESCO-format import."""

from __future__ import annotations

import csv
from pathlib import Path

from matcher.matching.vocabulary import Vocabulary
from matcher.matching.vocabulary.esco import import_esco
from matcher.matching.vocabulary.normalise import Normaliser
from matcher.service import Service

OCC_COLUMNS = ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels", "status",
               "modifiedDate", "regulatedProfessionNote", "scopeNote", "definition", "inScheme", "description",
               "code"]
SKILL_COLUMNS = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels",
                 "hiddenLabels", "status", "modifiedDate", "scopeNote", "definition", "inScheme", "description"]
BEE = "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-0000000bee01"
HIVE = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-0000000bee02"


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def write_sample(folder: Path, cleaner_uri: str | None) -> Path:
    """A tiny ESCO download in the official column layout, written by the test itself."""
    folder.mkdir()
    occupations_nl = [{"conceptType": "Occupation", "conceptUri": BEE, "iscoGroup": "6123",
                       "preferredLabel": "imker", "altLabels": "bijenhouder\nbijenhoudster", "code": "6123.1"}]
    occupations_en = [{"conceptType": "Occupation", "conceptUri": BEE, "iscoGroup": "6123",
                       "preferredLabel": "beekeeper", "altLabels": "apiarist", "code": "6123.1"}]
    if cleaner_uri:
        occupations_nl.append({"conceptType": "Occupation", "conceptUri": cleaner_uri, "iscoGroup": "9112",
                               "preferredLabel": "interieurverzorgende", "altLabels": "poetshulp kantoren"})
    _write(folder / "occupations_nl.csv", OCC_COLUMNS, occupations_nl)
    _write(folder / "occupations_en.csv", OCC_COLUMNS, occupations_en)
    _write(folder / "skills_en.csv", SKILL_COLUMNS, [{"conceptType": "KnowledgeSkillCompetence",
                                                      "conceptUri": HIVE, "skillType": "skill/competence",
                                                      "preferredLabel": "tend beehives",
                                                      "altLabels": "look after beehives\nmanage hives"}])
    with (folder / "occupationSkillRelations.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("occupationUri,relationType,skillType,skillUri\r\n")
        fh.write(f"{BEE},essential,skill/competence,{HIVE}\r\n")
    return folder


def test_migrate_loads_the_curated_vocabulary(service: Service) -> None:
    vocab = service.vocabulary
    assert len(vocab.of_kind("occupation")) >= 120
    assert len(vocab.of_kind("skill")) >= 300
    assert {c.code for c in vocab.of_kind("restriction")} >= {"max_lift_kg", "no_night", "low_stimulus"}
    assert all(c.nl for c in vocab)


def test_esco_import_adds_concepts_labels_and_relations(service: Service, tmp_path: Path) -> None:
    cleaner = next(c for c in service.vocabulary.of_kind("occupation") if c.esco_uri)
    folder = write_sample(tmp_path / "esco", cleaner.esco_uri)
    with service.db.transaction() as conn:
        counts = import_esco(conn, folder)
    assert counts == {"occupations": 2, "skills": 1, "labels": 10, "relations": 1, "files": 4}
    with service.db.connection() as conn:
        vocab = Vocabulary.from_db(conn)
    bee = vocab.concepts["esco:occupation/00000000-0000-0000-0000-0000000bee01"]
    assert (bee.nl, bee.en, bee.family, bee.origin) == ("imker", "beekeeper", "isco:61", "esco")
    assert bee.skills == ("esco:skill/00000000-0000-0000-0000-0000000bee02",)
    normaliser = Normaliser(vocab, service.encoder)
    assert normaliser.match("bijenhoudster", "occupation").concept_id == bee.id
    assert normaliser.match("manage hives", "skill").concept_id.startswith("esco:skill/")  # type: ignore[union-attr]
    # an ESCO concept the curated vocabulary already maps lends it its labels instead of competing with it
    assert f"esco:{cleaner.esco_uri.rsplit('/esco/', 1)[1]}" not in vocab.concepts  # type: ignore[union-attr]
    assert normaliser.match("poetshulp kantoren", "occupation").concept_id == cleaner.id
    with service.db.transaction() as conn:  # importing twice changes nothing
        assert import_esco(conn, folder) == counts
        assert conn.execute("SELECT count(*) AS n FROM vocab_concepts WHERE origin = 'esco'").fetchone()["n"] == 3
