"""ESCO pairs and encoder distillation on a tiny ESCO-format sample written here (no ESCO data ships).

The distillation runs a few real steps on the CPU with the bundled model, so this file takes a while
(tens of seconds); everything heavy is shared through module-scoped fixtures.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from matcher.cli.main import main
from matcher.learning.distill import build_pairs, pair_counts, read_pairs

OCC_COLUMNS = ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels", "status",
               "modifiedDate", "regulatedProfessionNote", "scopeNote", "definition", "inScheme", "description", "code"]
SKILL_COLUMNS = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels",
                 "hiddenLabels", "status", "modifiedDate", "scopeNote", "definition", "inScheme", "description"]
COLLECTION_COLUMNS = ["conceptType", "conceptUri", "preferredLabel", "status", "skillType", "reuseLevel",
                      "altLabels", "description", "broaderConceptUri", "broaderConceptPT"]
ISCO_COLUMNS = ["conceptType", "conceptUri", "code", "preferredLabel", "status", "altLabels", "inScheme",
                "description"]
OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"

# uri suffix, isco group, (nl pref, nl alts, nl description), (en pref, en alts, en description)
OCCUPATIONS = [
    ("o1", "5120", ("kok", ["chef-kok", "keukenkok"], "Koks bereiden maaltijden."),
     ("cook", ["chef", "kitchen cook"], "Cooks prepare meals.")),
    ("o2", "9112", ("schoonmaker", ["schoonmaakster", "interieurverzorger"], "Schoonmakers maken gebouwen schoon."),
     ("cleaner", ["office cleaner", "janitor"], "Cleaners clean buildings.")),
    ("o3", "4321", ("magazijnmedewerker", ["orderpicker", "magazijnier"], "Zij slaan goederen op."),
     ("warehouse worker", ["order picker", "stock handler"], "They store goods.")),
    ("o4", "8332", ("vrachtwagenchauffeur", ["trucker", "chauffeur vrachtauto"], "Zij rijden vrachtwagens."),
     ("truck driver", ["lorry driver", "trucker"], "They drive trucks.")),
    ("o5", "5223", ("winkelmedewerker", ["verkoopmedewerker", "winkelbediende"], "Zij helpen klanten."),
     ("shop assistant", ["sales assistant", "retail clerk"], "They help customers.")),
    ("o6", "5414", ("beveiliger", ["bewaker", "beveiligingsmedewerker"], "Zij bewaken gebouwen."),
     ("security guard", ["guard", "security officer"], "They guard buildings.")),
]
ISCO = [("5120", "Koks", "Cooks"), ("9112", "Schoonmakers", "Cleaners")]


def _write(path: Path, columns: list[str], rows: list[dict[str, str]], crlf: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\r\n" if crlf else "\n")
        writer.writeheader()
        writer.writerows([{c: row.get(c, "") for c in columns} for row in rows])


def write_esco_sample(directory: Path) -> Path:
    for lang, side in (("nl", 2), ("en", 3)):
        rows = [{"conceptType": "Occupation", "conceptUri": OCC + o[0], "iscoGroup": o[1], "preferredLabel": o[side][0],
                 "altLabels": "\n".join(o[side][1]), "description": o[side][2], "code": o[1] + ".1"}
                for o in OCCUPATIONS]
        rows[0]["hiddenLabels"] = "kookster" if lang == "nl" else ""
        _write(directory / f"occupations_{lang}.csv", OCC_COLUMNS, rows, crlf=lang == "en")
        _write(directory / f"ISCOGroups_{lang}.csv", ISCO_COLUMNS,
               [{"conceptType": "ISCOGroup", "conceptUri": f"http://data.europa.eu/esco/isco/C{code}", "code": code,
                 "preferredLabel": nl if lang == "nl" else en, "description": "" if lang == "nl" else f"{en}."}
                for code, nl, en in ISCO], crlf=lang == "en")
    _write(directory / "skills_en.csv", SKILL_COLUMNS, [
        {"conceptType": "KnowledgeSkillCompetence", "conceptUri": SKILL + "s1", "preferredLabel": "show initiative",
         "altLabels": "take the initiative\nbe proactive", "description": "Be proactive."},
        {"conceptType": "KnowledgeSkillCompetence", "conceptUri": SKILL + "s2", "preferredLabel": "operate forklift",
         "altLabels": "drive a forklift", "description": "Drive forklifts."},
    ], crlf=True)
    _write(directory / "nl_skill_collections" / "transversalSkillsCollection_nl.csv", COLLECTION_COLUMNS, [
        {"conceptType": "KnowledgeSkillCompetence", "conceptUri": SKILL + "s1",
         "preferredLabel": "initiatief aan de dag leggen", "altLabels": "initiatief nemen",
         "description": "Proactief zijn."},
    ])
    return directory


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("distill")


@pytest.fixture(scope="module")
def pairs_file(workdir: Path) -> Path:
    esco = write_esco_sample(workdir / "esco")
    out = workdir / "pairs.jsonl"
    assert main(["vocab", "esco-pairs", str(esco), "--out", str(out), "--holdout", "0.34", "--seed", "7"]) == 0
    return out


def test_esco_pairs_split_by_concept(pairs_file: Path) -> None:
    pairs = read_pairs(pairs_file)
    train = {p.concept for p in pairs if p.split == "train"}
    held = {p.concept for p in pairs if p.split == "heldout"}
    assert train and held and not train & held
    held_occupations = {c for c in held if c.startswith("esco:occupation/")}
    assert len(held_occupations) == 2  # round(0.34 * 6)
    kinds = {(p.src_lang, p.kind) for p in pairs}
    for kind in ("occupation_pref", "occupation_alt", "occupation_hidden", "occupation_description", "skill_pref",
                 "skill_alt", "skill_description", "isco_pref"):
        assert ("nl", kind) in kinds
    assert ("en", "occupation_pref") in kinds and ("en", "skill_alt") in kinds
    assert all(p.src == p.tgt for p in pairs if p.src_lang == "en")
    assert any(p.src == "Koks" and p.tgt == "Cooks" for p in pairs)
    assert any(p.src == "initiatief nemen" and p.tgt == "show initiative" for p in pairs)
    # a Dutch alternative label points at the English preferred label of the same concept, in its split
    alt = next(p for p in pairs if p.src == "chef-kok")
    assert (alt.tgt, alt.kind, alt.concept) == ("cook", "occupation_alt", "esco:occupation/o1")
    assert alt.split == ("heldout" if alt.concept in held else "train")
    # held-out occupations keep their English alternative labels for the English evaluation
    assert {p.concept for p in pairs if p.split == "heldout" and p.src_lang == "en"} == held_occupations
    assert pair_counts(pairs)["concepts_in_both_splits"] == 0
    assert not any(p.src_lang == "nl" and p.kind == "occupation_alt" and p.tgt in ("chef", "janitor") for p in pairs)


def test_esco_pairs_is_seeded(workdir: Path, pairs_file: Path) -> None:
    esco = workdir / "esco"
    assert build_pairs(esco, holdout=0.34, seed=7) == read_pairs(pairs_file)
    assert build_pairs(esco, holdout=0.0, seed=7) and not any(p.split == "heldout"
                                                              for p in build_pairs(esco, holdout=0.0, seed=7))
    with pytest.raises(FileNotFoundError):
        build_pairs(workdir / "esco" / "nl_skill_collections")


def _distill(workdir: Path, pairs_file: Path, name: str) -> Path:
    synonyms = workdir / "synonyms.tsv"
    synonyms.write_text("a\tb\tlabel\tkind\nkok\tchef-kok\t1\toccupation\nschoonmaker\tcleaner\t1\toccupation\n"
                        "kok\tbeveiliger\t0\toccupation\nbewaker\tmagazijnier\t0\toccupation\n", encoding="utf-8")
    out = workdir / name
    assert main(["encoder", "distill", "--pairs", str(pairs_file), "--out", str(out), "--batch-size", "4",
                 "--max-steps", "3", "--seed", "3", "--synonyms", str(synonyms), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def students(workdir: Path, pairs_file: Path) -> tuple[Path, Path]:
    return _distill(workdir, pairs_file, "student-a"), _distill(workdir, pairs_file, "student-b")


def test_distill_writes_a_loadable_model(students: tuple[Path, Path]) -> None:
    from sentence_transformers import SentenceTransformer

    out = students[0]
    assert (out / "model.safetensors").exists() and (out / "README.md").exists()
    model = SentenceTransformer(str(out), device="cpu", local_files_only=True)
    vectors = model.encode(["kok", "truck driver"], normalize_embeddings=True)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    report = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert report["training"]["steps"] == 3 and report["training"]["device"] == "cpu"
    for when in ("before", "after"):
        assert report[when]["dutch_synonym_auc"]["auc"] is not None
        assert report[when]["heldout_retrieval"]["nl"]["queries"] > 0
        assert report[when]["heldout_pair_auc"]["en"]["auc"] is not None
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "This service uses the ESCO classification of the European Commission." in card


def test_distill_is_seeded_and_changes_the_model(students: tuple[Path, Path]) -> None:
    from safetensors.numpy import load_file

    from matcher.matching.embeddings import default_model_path

    a, b = (load_file(str(path / "model.safetensors")) for path in students)
    assert a.keys() == b.keys()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    teacher = load_file(str(default_model_path() / "model.safetensors"))
    key = next(k for k in a if k.endswith("encoder.layer.0.attention.self.query.weight"))
    teacher_key = next(k for k in teacher if k.endswith("encoder.layer.0.attention.self.query.weight"))
    assert a[key].dtype == np.float16  # shipped as fp16
    assert not np.array_equal(a[key].astype(np.float32), teacher[teacher_key].astype(np.float16).astype(np.float32))
