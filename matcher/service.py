"""The service: every use case the API, the CLI and the nightly job share.

Each public method owns its transaction. Methods with more than two parameters take keywords.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from matcher import geo
from matcher.config import Settings
from matcher.db import Conn, Database, repository
from matcher.domain import CandidateIn, OutcomeEvent, OutcomeIn, VacancyIn
from matcher.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from matcher.ingest import jobposting
from matcher.ingest.extract import VacancyReader
from matcher.ingest.prepare import Prepared, embed, prepare_candidates, prepare_vacancies
from matcher.learning import outcomes, registry
from matcher.matching.embeddings import Encoder, open_encoder
from matcher.matching.explain import Explainer
from matcher.matching.index import MatchIndex, Snapshot
from matcher.matching.ranking import RankResult, for_candidate, for_vacancy
from matcher.matching.scoring import AdditiveModel
from matcher.matching.vocabulary import Vocabulary
from matcher.matching.vocabulary.normalise import Normaliser
from matcher.security import SYSTEM, Actor, audit, pseudonym

log = logging.getLogger(__name__)
MAX_IMPORT_ROWS = 20_000
AUDIT_CHUNK = 5_000
EXPOSURE_TTL_S = 300.0  # counts over 30 days: five minutes stale changes little, and a recount reads the whole log


@dataclass
class Upserted:
    id: int
    version: int
    created: bool
    changed: bool


@dataclass
class ImportReport:
    ok: bool
    received: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    encoded: int = 0
    errors: list[dict[str, Any]] | None = None


@dataclass
class Shortlist:
    request_id: str
    model_version: str
    result: RankResult


class Service:
    def __init__(self, settings: Settings, db: Database, *, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self.db = db
        self._encoder = encoder
        self._lock = threading.RLock()
        # One ranking at a time per process: it is CPU-bound and holds the GIL most of the time, and requests
        # that interleave it only trade the GIL and the caches (8 at once cost 50 % more CPU per shortlist)
        self._ranking = threading.Lock()
        self._vocabulary: Vocabulary | None = None
        self._normaliser: Normaliser | None = None
        self._reader: VacancyReader | None = None
        self._index: MatchIndex | None = None
        self.models = registry.ModelCache(settings.models_dir)
        self._exposure_counts: tuple[float, Counter[int], dict[int, list[int]]] | None = None
        self._exposure_rows: tuple[float, int, np.ndarray] | None = None
        self._recounting = threading.Lock()
        self.recounter: threading.Thread | None = None  # the last thread that recounted the exposure
        self.audit_key = settings.audit_key()

    # -- resources, opened on first use ------------------------------------------------------
    @property
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = open_encoder(self.settings)
            return self._encoder

    @property
    def vocabulary(self) -> Vocabulary:
        with self._lock:
            if self._vocabulary is None:
                with self.db.connection() as conn:
                    self._vocabulary = Vocabulary.from_db(conn)
            return self._vocabulary

    @property
    def normaliser(self) -> Normaliser:
        with self._lock:
            if self._normaliser is None:
                self._normaliser = Normaliser(self.vocabulary, self.encoder, self.settings.data_dir / "cache")
            return self._normaliser

    @property
    def reader(self) -> VacancyReader:
        with self._lock:
            if self._reader is None:
                self._reader = VacancyReader(self.vocabulary)
            return self._reader

    @property
    def index(self) -> MatchIndex:
        with self._lock:
            if self._index is None:
                self._index = MatchIndex(self.vocabulary, encoder_name=self.encoder.name, dim=self.encoder.dim)
            return self._index

    def reload_vocabulary(self) -> None:
        with self._lock:
            self._vocabulary = self._normaliser = self._index = self._reader = None

    def snapshot(self, conn: Conn) -> Snapshot:
        return self.index.refresh(conn)

    def champion(self, conn: Conn) -> AdditiveModel:
        return self.models.champion(conn)

    def pseudonym(self, ref: str) -> str:
        return pseudonym(self.audit_key, ref)

    # -- candidates ---------------------------------------------------------------------------
    def _check_scope(self, actor: Actor, municipality: str | None) -> None:
        if actor.role == "consultant" and actor.municipality and municipality != actor.municipality:
            raise NotFound("no such candidate in your municipality")

    def _check_write_scope(self, actor: Actor, municipality: str) -> None:
        if actor.role == "consultant" and actor.municipality and municipality != actor.municipality:
            raise Forbidden(f"your key is bound to {actor.municipality}; you may not write a candidate of "
                            f"{municipality}")

    def upsert_candidate(self, ref: str, body: CandidateIn, *, actor: Actor, if_match: int | None = None) -> Upserted:
        self._check_write_scope(actor, body.municipality)
        prepared = prepare_candidates(self.normaliser, [(ref, body)])
        row = prepared.rows[0]
        self._prefetch_vectors("candidate", prepared)
        with self.db.transaction() as conn:
            current = conn.execute(
                "SELECT id, version, content_hash, municipality FROM candidates WHERE ref = %s FOR UPDATE", (ref,)
            ).fetchone()
            if current is not None:
                self._check_scope(actor, current["municipality"])
            if if_match is not None and (current is None or current["version"] != if_match):
                raise PreconditionFailed(
                    f"candidate {ref} is at version {current['version'] if current else 'none'}, not {if_match}; "
                    "read it again and retry")
            if current is not None and current["content_hash"] == row["content_hash"]:
                return Upserted(current["id"], current["version"], created=False, changed=False)
            written = repository.upsert_candidate(conn, row)
            if written is None:  # a concurrent request stored this very content first
                return self._unchanged(conn, "SELECT id, version FROM candidates WHERE ref = %s", (ref,))
            self._store_vectors(conn, "candidate", [written["id"]], prepared)
            audit(conn, actor, "candidate.upsert", subject_kind="candidate", subjects=[self.pseudonym(ref)],
                  detail={"version": written["version"]})
        return Upserted(written["id"], written["version"], created=written["inserted"], changed=True)

    @staticmethod
    def _unchanged(conn: Conn, sql: str, params: tuple[Any, ...]) -> Upserted:
        row = conn.execute(sql, params).fetchone()
        assert row is not None
        return Upserted(row["id"], row["version"], created=False, changed=False)

    def _prefetch_vectors(self, kind: str, prepared: Prepared) -> None:
        """Encode new texts before the write transaction opens, so no row lock waits on the model; the
        encoder keeps the vectors by text, and `_store_vectors` then finds them without encoding again."""
        with self.db.connection() as conn:
            known = repository.embedding_hashes(conn, kind, self.encoder.name, prepared.hashes)
        missing = [t for t, h in zip(prepared.texts, prepared.hashes, strict=True) if h not in known]
        if missing:
            self.encoder.encode(missing)

    def _store_vectors(self, conn: Conn, kind: str, ids: Sequence[int], prepared: Prepared) -> int:
        known = repository.embedding_hashes(conn, kind, self.encoder.name, prepared.hashes)
        vectors, encoded = embed(self.encoder, prepared.texts, prepared.hashes, known)
        repository.save_embeddings(conn, kind, self.encoder.name,
                                   list(zip(ids, prepared.hashes, vectors, strict=True)))
        return encoded

    def get_candidate(self, ref: str, *, actor: Actor) -> dict[str, Any]:
        with self.db.transaction() as conn:
            rows = conn.execute("SELECT id FROM candidates WHERE ref = %s", (ref,)).fetchall()
            if not rows:
                raise NotFound(f"no candidate {ref}")
            row = repository.load_candidates(conn, encoder=self.encoder.name, ids=[rows[0]["id"]])[0]
            self._check_scope(actor, row["municipality"])
            row["monitoring"] = {r["attribute"]: r["value"] for r in conn.execute(
                "SELECT attribute, value FROM candidate_monitoring WHERE candidate_id = %s", (row["id"],))}
            row["outcomes"] = list(conn.execute(
                f"""SELECT o.event, o.reason, o.occurred_at, o.manual, v.source, v.external_id, v.title,
                          NOT {outcomes.LIVE} AS undone
                   FROM outcome_events o LEFT JOIN vacancies v ON v.id = o.vacancy_id
                   WHERE o.candidate_id = %s ORDER BY o.occurred_at DESC, o.id DESC LIMIT 200""", (row["id"],)))
            audit(conn, actor, "candidate.read", subject_kind="candidate", subjects=[self.pseudonym(ref)])
        row.pop("vector", None)
        return row

    def erase_candidate(self, ref: str, *, actor: Actor) -> None:
        """Erasure: the person's data, vectors, shown matches and rematch results go; outcome events stay,
        cut loose from the person, with the features that were shown (for learning, anonymised)."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT id FROM candidates WHERE ref = %s FOR UPDATE", (ref,)).fetchone()
            if row is None:
                raise NotFound(f"no candidate {ref}")
            cid = row["id"]
            conn.execute(
                """UPDATE outcome_events o SET features = COALESCE(o.features, s.features), note = NULL
                   FROM shown_matches s WHERE s.id = o.shown_match_id AND o.candidate_id = %s""", (cid,))
            conn.execute("UPDATE outcome_events SET note = NULL WHERE candidate_id = %s", (cid,))
            conn.execute("DELETE FROM embeddings WHERE kind = 'candidate' AND row_id = %s", (cid,))
            conn.execute("DELETE FROM shortlist_requests WHERE candidate_id = %s", (cid,))
            conn.execute("DELETE FROM candidates WHERE id = %s", (cid,))  # cascades to children and matches
            conn.execute("INSERT INTO deleted_rows (kind, row_id) VALUES ('candidate', %s)", (cid,))
            audit(conn, actor, "candidate.erase", subject_kind="candidate", subjects=[self.pseudonym(ref)])

    def import_candidates(self, items: Sequence[tuple[str, CandidateIn]], *, actor: Actor) -> ImportReport:
        return self._import("candidate", items, actor=actor)

    def import_vacancies(self, items: Sequence[tuple[tuple[str, str], VacancyIn]], *, actor: Actor) -> ImportReport:
        return self._import("vacancy", items, actor=actor)

    def _import(self, kind: str, items: Sequence[tuple[Any, Any]], *, actor: Actor) -> ImportReport:
        if len(items) > MAX_IMPORT_ROWS:
            raise Invalid(f"at most {MAX_IMPORT_ROWS} rows per request")
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            seen: set[Any] = set()
            dupes = [i for i, k in enumerate(keys) if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
            return ImportReport(ok=False, received=len(items), errors=[
                {"row": i + 1, "errors": [{"loc": "ref" if kind == "candidate" else "external_id",
                                           "msg": "duplicate key in this request"}]} for i in dupes])
        if kind == "candidate":
            for _, body in items:
                self._check_write_scope(actor, body.municipality)
        with self.db.connection() as conn:
            current = repository.current_hashes(conn, kind, keys)
        if kind == "candidate":
            prepared = prepare_candidates(self.normaliser, list(items))
        else:
            prepared = prepare_vacancies(self.normaliser, list(items), self.reader)
        keep = [i for i, row in enumerate(prepared.rows)
                if keys[i] not in current or current[keys[i]]["content_hash"] != row["content_hash"]]
        report = ImportReport(ok=True, received=len(items), unchanged=len(items) - len(keep))
        upsert = repository.upsert_candidate if kind == "candidate" else repository.upsert_vacancy
        self._prefetch_vectors(kind, Prepared([], [prepared.texts[i] for i in keep],
                                                     [prepared.hashes[i] for i in keep]))
        with self.db.transaction() as conn:
            ids, stored = [], []
            for i in sorted(keep, key=lambda i: keys[i]):  # one lock order for all writers: no deadlocks
                written = upsert(conn, prepared.rows[i])
                if written is None:  # a concurrent writer stored this very content meanwhile
                    report.unchanged += 1
                    continue
                ids.append(written["id"])
                stored.append(i)
                if written["inserted"]:
                    report.created += 1
                else:
                    report.updated += 1
            sub = Prepared([prepared.rows[i] for i in stored], [prepared.texts[i] for i in stored],
                                  [prepared.hashes[i] for i in stored])
            report.encoded = self._store_vectors(conn, kind, ids, sub)
            subjects = [self.pseudonym(k) for k in keys] if kind == "candidate" else []
            for start in range(0, max(len(subjects), 1), AUDIT_CHUNK):  # every person named, in chunks
                audit(conn, actor, f"{kind}.import", subject_kind=kind, subjects=subjects[start:start + AUDIT_CHUNK],
                      detail={"received": report.received, "created": report.created, "updated": report.updated})
        return report

    def list_candidates(self, *, actor: Actor, municipality: str | None = None, status: str | None = None,
                        text: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        if actor.role == "consultant" and actor.municipality:
            if municipality and municipality != actor.municipality:
                raise Forbidden("you may only list candidates of your own municipality")
            municipality = actor.municipality
        with self.db.transaction() as conn:
            rows = list(conn.execute(
                """SELECT ref, municipality, postcode, trede, status, updated_at,
                          (SELECT string_agg(title, ', ' ORDER BY position) FROM candidate_experience e
                            WHERE e.candidate_id = c.id) AS experience
                   FROM candidates c
                   WHERE (%(m)s::text IS NULL OR municipality = %(m)s)
                     AND (%(s)s::text IS NULL OR status = %(s)s)
                     AND (%(t)s::text IS NULL OR ref ILIKE %(like)s OR summary ILIKE %(like)s OR EXISTS (
                          SELECT 1 FROM candidate_experience e WHERE e.candidate_id = c.id AND e.title ILIKE %(like)s))
                   ORDER BY ref LIMIT %(limit)s OFFSET %(offset)s""",
                {"m": municipality, "s": status, "t": text, "like": f"%{_escape_like(text or '')}%",
                 "limit": limit, "offset": offset}))
            audit(conn, actor, "candidate.list", subject_kind="candidate",
                  subjects=[self.pseudonym(r["ref"]) for r in rows], detail={"count": len(rows)})
        return rows

    # -- vacancies ----------------------------------------------------------------------------
    def _check_source(self, source: str) -> None:
        if source not in self.settings.sources:
            raise NotFound(f"unknown vacancy source {source!r}; configured: {', '.join(self.settings.sources)}")

    def read_vacancy(self, content: str, format: str | None = None) -> jobposting.Read:
        """What a vacancy text, web page or JobPosting says, as proposed fields with evidence. Stores nothing."""
        return jobposting.read(self.reader, content, format)

    def vacancy_from(self, content: str, format: str | None = None) -> tuple[VacancyIn, str | None]:
        """A page or JobPosting as a vacancy body, with the posting's identifier: what it states, and its
        readable text as the description (read again when stored, so each field read from it keeps its
        evidence)."""
        read = self.read_vacancy(content, format)
        found = read.extraction
        body = {k: found.vacancy[k] for k in found.stated if k in found.vacancy} | {"description": read.text[:4000]}
        if not found.vacancy.get("title"):
            raise Invalid("the content names no job title; send it as JSON with a title")
        body["title"] = str(found.vacancy["title"])[:200]
        try:
            vacancy = VacancyIn.model_validate(body)
        except ValidationError as exc:
            raise Invalid("the content gives values a vacancy cannot take",
                          errors=[{"loc": ".".join(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]) \
                from None
        vacancy.stated_by = "jobposting" if read.posting else "page"
        return vacancy, read.identifier

    def upsert_vacancy(self, source: str, external_id: str, body: VacancyIn, *, actor: Actor,
                       if_match: int | None = None) -> Upserted:
        self._check_source(source)
        prepared = prepare_vacancies(self.normaliser, [((source, external_id), body)], self.reader)
        row = prepared.rows[0]
        self._prefetch_vectors("vacancy", prepared)
        with self.db.transaction() as conn:
            current = conn.execute(
                "SELECT id, version, content_hash FROM vacancies WHERE source = %s AND external_id = %s FOR UPDATE",
                (source, external_id)).fetchone()
            if if_match is not None and (current is None or current["version"] != if_match):
                raise PreconditionFailed(
                    f"vacancy {source}/{external_id} is at version {current['version'] if current else 'none'}, "
                    f"not {if_match}; read it again and retry")
            if current is not None and current["content_hash"] == row["content_hash"]:
                return Upserted(current["id"], current["version"], created=False, changed=False)
            written = repository.upsert_vacancy(conn, row)
            if written is None:  # a concurrent request stored this very content first
                return self._unchanged(conn, "SELECT id, version FROM vacancies WHERE source = %s AND external_id = %s",
                                       (source, external_id))
            self._store_vectors(conn, "vacancy", [written["id"]], prepared)
            audit(conn, actor, "vacancy.upsert", subject_kind="vacancy", subjects=[f"{source}/{external_id}"])
        return Upserted(written["id"], written["version"], created=written["inserted"], changed=True)

    def _vacancy_id(self, conn: Conn, source: str, external_id: str) -> int:
        self._check_source(source)
        row = conn.execute("SELECT id FROM vacancies WHERE source = %s AND external_id = %s",
                           (source, external_id)).fetchone()
        if row is None:
            raise NotFound(f"no vacancy {source}/{external_id}")
        return int(row["id"])

    def get_vacancy(self, source: str, external_id: str) -> dict[str, Any]:
        with self.db.connection() as conn:
            vid = self._vacancy_id(conn, source, external_id)
            row = repository.load_vacancies(conn, encoder=self.encoder.name, ids=[vid])[0]
        row.pop("vector", None)
        return row

    def list_vacancies(self, *, source: str | None = None, status: str | None = None, text: str | None = None,
                       limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        with self.db.connection() as conn:
            return list(conn.execute(
                """SELECT source, external_id, title, employer, postcode, status, positions, closes_at, support,
                          occupation_id, updated_at
                   FROM vacancies
                   WHERE (%(src)s::text IS NULL OR source = %(src)s) AND (%(s)s::text IS NULL OR status = %(s)s)
                     AND (%(t)s::text IS NULL OR title ILIKE %(like)s OR employer ILIKE %(like)s
                          OR external_id ILIKE %(like)s OR postcode LIKE %(like)s OR postcode = ANY(%(places)s))
                   ORDER BY source, external_id LIMIT %(limit)s OFFSET %(offset)s""",
                {"src": source, "s": status, "t": text, "like": f"%{_escape_like(text or '')}%",
                 "places": geo.postcodes_in_place(text or ""), "limit": limit, "offset": offset}))

    # -- ranking ------------------------------------------------------------------------------
    def _exposure(self, conn: Conn, snap: Snapshot, vacancy_id: int) -> np.ndarray:
        """For how many *other* vacancies each person (by row of the snapshot) was in the top 10 of a shortlist
        in the last 30 days. A vacancy counts once, however often its shortlist was opened again (a reload, the
        page after recording an outcome), this vacancy's own shortlist does not count (or opening it would move
        its own top 10 down on the next reload), and a person's own list of vacancies does not count: it shows
        vacancies to a consultant, not the person to employers. Recounted at most every five minutes, and laid out
        by row again only when the counts or the candidates change; this vacancy's own top 10s are taken from
        the same count, so the two always agree and a request asks the database nothing for them."""
        last = self._exposure_counts
        if last is None:  # none yet: this request counts, and the others wait for it
            with self._recounting:
                if self._exposure_counts is None:
                    self._recount(conn)
        elif time.monotonic() - last[0] > EXPOSURE_TTL_S and self._recounting.acquire(blocking=False):
            # A thread recounts (it reads the whole month's log: seconds on a busy one) while requests, this one
            # too, rank with the last counts
            self.recounter = threading.Thread(target=self._recount_apart, name="exposure-recount", daemon=True)
            self.recounter.start()
        assert self._exposure_counts is not None
        counted_at, counts, shown = self._exposure_counts
        cached = self._exposure_rows
        if cached is None or cached[:2] != (counted_at, snap.seq):
            cached = self._exposure_rows = (counted_at, snap.seq,
                                            np.array([counts[int(c)] for c in snap.candidates.ids], dtype=np.float64))
        here = [snap.candidate_pos[c] for c in shown.get(vacancy_id, ()) if c in snap.candidate_pos]
        if not here:
            return cached[2]
        other = cached[2].copy()
        other[here] -= 1
        return other

    def _recount(self, conn: Conn) -> None:
        now = time.monotonic()
        shown: dict[int, list[int]] = {}
        for r in conn.execute(
                """SELECT DISTINCT m.vacancy_id, m.candidate_id
                   FROM shown_matches m JOIN shortlist_requests r ON r.id = m.request_id
                   WHERE m.created_at > now() - interval '30 days' AND m.rank <= 10 AND r.direction = 'vacancy'"""):
            shown.setdefault(r["vacancy_id"], []).append(r["candidate_id"])
        self._exposure_counts = (now, Counter(c for people in shown.values() for c in people), shown)

    def _recount_apart(self) -> None:
        try:
            with self.db.connection(autocommit=True) as conn:
                self._recount(conn)
        except Exception:  # the last counts stay in use, and a request tries again after EXPOSURE_TTL_S
            log.exception("recounting the exposure failed")
            last = self._exposure_counts
            if last is not None:
                self._exposure_counts = (time.monotonic(), *last[1:])
        finally:
            self._recounting.release()

    def shortlist(self, source: str, external_id: str, *, actor: Actor, limit: int = 20,
                  rerank: bool = True, municipality: str | None = None) -> Shortlist:
        if actor.role == "consultant" and actor.municipality:
            municipality = actor.municipality
        with self.db.transaction() as conn:
            vid = self._vacancy_id(conn, source, external_id)
            snap = self.snapshot(conn)
            model = self.champion(conn)
            exposure = self._exposure(conn, snap, vid) if rerank else None
            with self._ranking:
                result = for_vacancy(snap, model, Explainer(self.vocabulary), vid, limit=limit,
                                     municipality=municipality, exposure=exposure, rerank=rerank)
            # what was shown, the audit entry and the pairs' outcome status: one round trip to the database
            with conn.pipeline():
                request_id = self._log_shown(conn, actor, "vacancy", result, model, vacancy_id=vid,
                                             params={"limit": limit, "rerank": rerank, "municipality": municipality})
                audit(conn, actor, "shortlist.serve", subject_kind="vacancy",
                      subjects=[f"{source}/{external_id}"] + [self.pseudonym(i.candidate["ref"]) for i in result.items],
                      model_version=model.version, detail={"shortlist_request": request_id, "count": len(result.items)})
                _with_status(conn, result)
        return Shortlist(request_id, model.version, result)

    def matches(self, ref: str, *, actor: Actor, limit: int = 20) -> Shortlist:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT id, municipality FROM candidates WHERE ref = %s", (ref,)).fetchone()
            if row is None:
                raise NotFound(f"no candidate {ref}")
            self._check_scope(actor, row["municipality"])
            snap = self.snapshot(conn)
            model = self.champion(conn)
            with self._ranking:
                result = for_candidate(snap, model, Explainer(self.vocabulary), row["id"], limit=limit)
            with conn.pipeline():
                request_id = self._log_shown(conn, actor, "candidate", result, model, candidate_id=row["id"],
                                             params={"limit": limit})
                audit(conn, actor, "matches.serve", subject_kind="candidate", subjects=[self.pseudonym(ref)],
                      model_version=model.version, detail={"shortlist_request": request_id,
                                                           "count": len(result.items)})
                _with_status(conn, result)
        return Shortlist(request_id, model.version, result)

    def _log_shown(self, conn: Conn, actor: Actor, direction: str, result: RankResult,
                   model: AdditiveModel, *, params: dict[str, Any], vacancy_id: int | None = None,
                   candidate_id: int | None = None) -> str:
        request_id = str(uuid.uuid4())
        conn.execute(
            """INSERT INTO shortlist_requests (id, direction, vacancy_id, candidate_id, key_id, model_version, params)
               VALUES (%s, %s, %s, %s, %s, %s, %s)""",
            (request_id, direction, vacancy_id, candidate_id, actor.key_id, model.version, Jsonb(params)))
        conn.execute(  # one statement and one JSON document for the whole list: cheaper to send than arrays
            """INSERT INTO shown_matches (request_id, candidate_id, vacancy_id, rank, score, features, attention_points)
               SELECT %s, * FROM jsonb_to_recordset(%s)
                 AS shown(candidate_id bigint, vacancy_id bigint, rank smallint, score real, features jsonb,
                          attention_points jsonb)""",
            (request_id, Jsonb([{"candidate_id": i.candidate_id, "vacancy_id": i.vacancy_id, "rank": i.rank,
                                 "score": i.score, "features": i.features,
                                 "attention_points": i.explanation["attention_points"]} for i in result.items])))
        return request_id

    # -- outcomes -----------------------------------------------------------------------------
    def record_outcome(self, body: OutcomeIn, *, actor: Actor) -> dict[str, Any]:
        with self.db.transaction() as conn:
            resolved = outcomes.resolve(conn, [body], actor=actor, sources=self.settings.sources)[0]
            if isinstance(resolved, outcomes.RowError):
                raise resolved.error
            if body.event == OutcomeEvent.proposed:
                standing = outcomes.proposal(conn, resolved.candidate_id, resolved.vacancy_id)
                if standing is not None and outcomes.recorded_by_another(actor, standing["key_id"]):
                    raise Conflict(f"{body.candidate_ref} cannot be proposed for {body.vacancy.source}/"
                                   f"{body.vacancy.external_id} now")
                if standing is not None:
                    at = standing["occurred_at"].isoformat()
                    raise Conflict(
                        f"{body.candidate_ref} was already proposed for {body.vacancy.source}/"
                        f"{body.vacancy.external_id} (outcome {standing['id']}, {at}); undo that proposal to "
                        "record it again", existing_outcome_id=standing["id"], proposed_at=at)
            recorded = outcomes.insert(conn, resolved, actor=actor)
            audit(conn, actor, "outcome.record", subject_kind="candidate",
                  subjects=[self.pseudonym(body.candidate_ref)],
                  detail={"event": body.event.value, "vacancy": f"{body.vacancy.source}/{body.vacancy.external_id}"})
        return recorded

    def undo_outcome(self, outcome_id: int, *, actor: Actor) -> dict[str, Any]:
        """A recorded event undone: it stays in the history, marked, and no longer counts."""
        with self.db.transaction() as conn:
            undone = outcomes.undo(conn, outcome_id, actor=actor)
            audit(conn, actor, "outcome.undo", subject_kind="candidate",
                  subjects=[self.pseudonym(undone["candidate_ref"])],
                  detail={"outcome": outcome_id, "event": undone["event"],
                          "vacancy": f"{undone['vacancy']['source']}/{undone['vacancy']['external_id']}"})
        return undone

    def import_outcomes(self, items: Sequence[OutcomeIn], *, actor: Actor,
                        rows: Sequence[int] | None = None) -> ImportReport:
        """All or nothing: every row is checked first; one bad row means nothing is written and the report
        lists each bad row (``rows`` are the file's line numbers, default 1, 2, …). Rows recorded before
        (same event, pair, reason and explicit time) are skipped, so a file can be imported again."""
        if len(items) > MAX_IMPORT_ROWS:
            raise Invalid(f"at most {MAX_IMPORT_ROWS} rows per request")
        numbers = list(rows) if rows is not None else list(range(1, len(items) + 1))
        report = ImportReport(ok=True, received=len(items))
        with self.db.transaction() as conn:
            resolved = outcomes.resolve(conn, items, actor=actor, sources=self.settings.sources)
            errors = [{"row": n, "errors": [{"loc": r.loc, "msg": r.error.detail}]}
                      for n, r in zip(numbers, resolved, strict=True) if isinstance(r, outcomes.RowError)]
            if errors:
                return ImportReport(ok=False, received=len(items), errors=errors)
            good = [r for r in resolved if isinstance(r, outcomes.Resolved)]
            skip = outcomes.already_recorded(conn, good)
            for i, row in enumerate(good):
                if i not in skip:
                    outcomes.insert(conn, row, actor=actor)
            report.created, report.unchanged = len(good) - len(skip), len(skip)
            subjects = sorted({self.pseudonym(b.candidate_ref) for b in items})
            for start in range(0, max(len(subjects), 1), AUDIT_CHUNK):
                audit(conn, actor, "outcome.import", subject_kind="candidate",
                      subjects=subjects[start:start + AUDIT_CHUNK],
                      detail={"received": report.received, "created": report.created, "unchanged": report.unchanged})
        return report

    # -- audit --------------------------------------------------------------------------------
    def audit_entries(self, *, actor: Actor, candidate_ref: str | None = None,
                      limit: int = 500) -> list[dict[str, Any]]:
        with self.db.transaction() as conn:
            rows = list(conn.execute(
                """SELECT a.id, a.at, a.key_id, k.name AS key_name, a.role, a.action, a.subject_kind, a.request_id,
                          a.model_version, a.detail
                   FROM audit_log a LEFT JOIN api_keys k ON k.id = a.key_id
                   WHERE %(p)s::text IS NULL OR %(p)s = ANY(a.subjects)
                   ORDER BY a.id DESC LIMIT %(limit)s""",
                {"p": self.pseudonym(candidate_ref) if candidate_ref else None, "limit": limit}))
            audit(conn, actor, "audit.read", subject_kind="candidate",
                  subjects=[self.pseudonym(candidate_ref)] if candidate_ref else [])
        return rows


def _with_status(conn: Conn, result: RankResult) -> None:
    """Each listed pair's latest recorded outcome, so a list shows who was proposed, invited or hired already.
    Called last in the request's pipeline: reading its rows sends the queued writes with it."""
    found = outcomes.latest(conn, [(item.candidate_id, item.vacancy_id) for item in result.items])
    for item in result.items:
        item.status = found.get((item.candidate_id, item.vacancy_id))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def system_actor(request_id: str | None = None) -> Actor:
    return SYSTEM if request_id is None else Actor(key_id=None, role="system", request_id=request_id, name="cli")
