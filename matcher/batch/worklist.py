"""What the nightly rematch found that is *new*: per person, per vacancy, per municipality, and as CSV.

"New" is the difference with the previous completed run: a pair in the latest run's top K of a
person (or of a vacancy) that was not in that top K in the run before. On the first run everything
is new. Only active people and open vacancies are listed; a consultant bound to a municipality sees
only that municipality's people.

Explanations are rebuilt from the stored features and attention checks with the model of the run
(`matcher.matching.explain.Explainer`), so they are the same explanation the API gives for those features,
and each served list is written to the audit log with pseudonymised references.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from matcher.db.connect import Conn
from matcher.errors import Forbidden, NotFound
from matcher.geo import distance_km
from matcher.matching.explain import Explainer
from matcher.matching.features import FEATURES
from matcher.matching.index import Snapshot
from matcher.matching.scoring import AdditiveModel
from matcher.security import SYSTEM, Actor, audit

if TYPE_CHECKING:
    from matcher.service import Service

Row = dict[str, Any]
RUN_FIELDS = "id, status, model_version, started_at, finished_at, heartbeat_at, counts"
CSV_COLUMNS = ("municipality", "candidate_ref", "vacancy_source", "vacancy_external_id", "vacancy_title",
               "employer", "rank", "vacancy_rank", "score", "new_for", "summary_nl")


@dataclass
class Runs:
    latest: Row
    previous: Row | None


def completed_runs(conn: Conn) -> Runs:
    rows = conn.execute(
        f"SELECT {RUN_FIELDS} FROM rematch_runs WHERE status = 'completed' ORDER BY id DESC LIMIT 2").fetchall()
    if not rows:
        raise NotFound("no rematch run has completed yet; run `matcher rematch`")
    return Runs(latest=rows[0], previous=rows[1] if len(rows) > 1 else None)


def run_status(service: Service) -> dict[str, Any]:
    """The latest completed run, the one before, and a run in progress if there is one."""
    with service.db.connection() as conn:
        running = conn.execute(f"SELECT {RUN_FIELDS} FROM rematch_runs WHERE status = 'running'").fetchone()
        last_failed = conn.execute(
            f"SELECT {RUN_FIELDS} FROM rematch_runs WHERE status = 'failed' ORDER BY id DESC LIMIT 1").fetchone()
        try:
            runs = completed_runs(conn)
        except NotFound:
            if running is None and last_failed is None:
                raise
            runs = None
    return {"run": runs.latest if runs else None,
            "previous_run_id": runs.previous["id"] if runs and runs.previous else None,
            "in_progress": running, "last_failed": last_failed}


_NEW_PAIRS = """
WITH cur AS (
    SELECT r.direction, r.candidate_id, r.vacancy_id, r.rank, r.score, r.features,
           array_to_string(r.attention, ',') AS attention,
           NOT EXISTS (SELECT 1 FROM rematch_results p
                       WHERE p.run_id = %(prev)s AND p.direction = r.direction
                         AND p.candidate_id = r.candidate_id AND p.vacancy_id = r.vacancy_id) AS is_new
    FROM rematch_results r
    JOIN candidates c ON c.id = r.candidate_id
    WHERE r.run_id = %(run)s
      AND (%(candidate)s::bigint IS NULL OR r.candidate_id = %(candidate)s)
      AND (%(vacancy)s::bigint IS NULL OR r.vacancy_id = %(vacancy)s)
      AND (%(municipality)s::text IS NULL OR c.municipality = %(municipality)s)
), pairs AS (
    SELECT candidate_id, vacancy_id,
           min(rank) FILTER (WHERE direction = 'candidate') AS rank,
           min(rank) FILTER (WHERE direction = 'vacancy') AS vacancy_rank,
           max(score) AS score, (array_agg(features))[1] AS features, (array_agg(attention))[1] AS attention,
           bool_or(is_new AND direction = 'candidate') AS new_for_candidate,
           bool_or(is_new AND direction = 'vacancy') AS new_for_vacancy
    FROM cur GROUP BY candidate_id, vacancy_id
    HAVING bool_or(is_new AND direction = ANY(%(directions)s))
)
SELECT pairs.*, c.ref, c.municipality, v.source, v.external_id, v.title, v.employer, v.postcode,
       count(*) OVER () AS total
FROM pairs
JOIN candidates c ON c.id = pairs.candidate_id AND c.status = 'active'
JOIN vacancies v ON v.id = pairs.vacancy_id AND v.status = 'open'
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s
"""
_ORDER = {
    "candidate": "pairs.rank NULLS LAST, pairs.score DESC, v.id",
    "vacancy": "pairs.vacancy_rank NULLS LAST, pairs.score DESC, c.ref",
    "worklist": "c.ref, pairs.rank NULLS LAST, pairs.vacancy_rank NULLS LAST, v.id",
}


def _new_pairs(conn: Conn, runs: Runs, *, order: str, directions: list[str], candidate: int | None = None,
               vacancy: int | None = None, municipality: str | None = None, limit: int | None = None,
               offset: int = 0) -> list[Row]:
    return list(conn.execute(
        _NEW_PAIRS.format(order=_ORDER[order]),
        {"run": runs.latest["id"], "prev": runs.previous["id"] if runs.previous else None,
         "candidate": candidate, "vacancy": vacancy, "municipality": municipality, "directions": directions,
         "limit": limit, "offset": offset}).fetchall())


def _model(service: Service, conn: Conn, version: str) -> AdditiveModel:
    """The model the run scored with; its files are kept for every registered version."""
    row = conn.execute("SELECT path FROM model_versions WHERE version = %s", (version,)).fetchone()
    model: AdditiveModel = service.models.load(version, row["path"] if row else None)
    return model


def _explain(snap: Snapshot, explainer: Explainer, model: AdditiveModel, row: Row) -> dict[str, Any] | None:
    """The explanation for a stored match, rebuilt from its features and attention checks."""
    ci, vj = snap.candidate_pos.get(row["candidate_id"]), snap.vacancy_pos.get(row["vacancy_id"])
    if ci is None or vj is None:
        return None
    cand, vac = snap.candidates.rows[ci], snap.vacancies.rows[vj]
    c, v = snap.candidates, snap.vacancies
    km = float(distance_km(c.lat[ci], c.lon[ci], v.lat[vj], v.lon[vj]))
    names = [n for n in (row["attention"] or "").split(",") if n]
    attention = explainer.point_texts(names, cand, vac, km, conflict=False)
    x = np.array([row["features"][name] for name in FEATURES], dtype=np.float32)
    return explainer.explain(model, x, cand, vac, km=km, attention=attention)


def _items(service: Service, conn: Conn, runs: Runs, rows: list[Row]) -> list[Row]:
    if not rows:
        return []
    snap = service.snapshot(conn)
    model = _model(service, conn, runs.latest["model_version"])
    explainer = Explainer(service.vocabulary)
    items = []
    for row in rows:
        explanation = _explain(snap, explainer, model, row)
        if explanation is None:
            continue
        new_for = [side for side in ("candidate", "vacancy") if row[f"new_for_{side}"]]
        items.append({
            "candidate_ref": row["ref"], "municipality": row["municipality"],
            "vacancy": {"source": row["source"], "external_id": row["external_id"], "title": row["title"],
                        "employer": row["employer"], "postcode": row["postcode"]},
            "rank": row["rank"], "vacancy_rank": row["vacancy_rank"],
            "score": round(float(1.0 / (1.0 + np.exp(-explanation["logit"]))), 6),
            "new_for": new_for, "explanation": explanation, "features": row["features"],
        })
    return items


def _scope(actor: Actor, municipality: str | None) -> str | None:
    """A consultant bound to a municipality works on that municipality only."""
    if actor.role == "consultant" and actor.municipality:
        if municipality and municipality != actor.municipality:
            raise Forbidden("you may only see the worklist of your own municipality")
        return actor.municipality
    return municipality


def _envelope(runs: Runs, items: list[Row], total: int) -> dict[str, Any]:
    return {"run_id": runs.latest["id"], "model_version": runs.latest["model_version"],
            "finished_at": runs.latest["finished_at"],
            "previous_run_id": runs.previous["id"] if runs.previous else None,
            "total": total, "items": items}


def _audit(service: Service, conn: Conn, actor: Actor, runs: Runs, items: list[Row], *, scope: str,
           subjects: list[str]) -> None:
    refs = list(dict.fromkeys(i["candidate_ref"] for i in items))
    audit(conn, actor, "rematch.new_matches", subject_kind="candidate",
          subjects=list(dict.fromkeys(subjects + [service.pseudonym(r) for r in refs])),
          model_version=runs.latest["model_version"],
          detail={"run_id": runs.latest["id"], "scope": scope, "count": len(items)})


def for_candidate(service: Service, ref: str, *, actor: Actor, limit: int = 50) -> dict[str, Any]:
    """Vacancies that are new in this person's top K since the previous run."""
    with service.db.transaction() as conn:
        cand = conn.execute("SELECT id, municipality FROM candidates WHERE ref = %s", (ref,)).fetchone()
        if cand is None or (actor.role == "consultant" and actor.municipality
                            and cand["municipality"] != actor.municipality):
            raise NotFound(f"no candidate {ref}" + (" in your municipality" if cand else ""))
        runs = completed_runs(conn)
        rows = _new_pairs(conn, runs, order="candidate", directions=["candidate"], candidate=cand["id"], limit=limit)
        items = _items(service, conn, runs, rows)
        _audit(service, conn, actor, runs, items, scope="candidate", subjects=[service.pseudonym(ref)])
    return _envelope(runs, items, rows[0]["total"] if rows else 0) | {"candidate_ref": ref}


def for_vacancy(service: Service, source: str, external_id: str, *, actor: Actor, limit: int = 50) -> dict[str, Any]:
    """People who are new in this vacancy's top K since the previous run (a consultant: of their
    municipality only)."""
    with service.db.transaction() as conn:
        vac = conn.execute("SELECT id FROM vacancies WHERE source = %s AND external_id = %s",
                           (source, external_id)).fetchone()
        if vac is None:
            raise NotFound(f"no vacancy {source}/{external_id}")
        runs = completed_runs(conn)
        rows = _new_pairs(conn, runs, order="vacancy", directions=["vacancy"], vacancy=vac["id"],
                          municipality=_scope(actor, None), limit=limit)
        items = _items(service, conn, runs, rows)
        _audit(service, conn, actor, runs, items, scope="vacancy", subjects=[f"{source}/{external_id}"])
    return _envelope(runs, items, rows[0]["total"] if rows else 0) | {
        "vacancy": {"source": source, "external_id": external_id}}


def for_municipality(service: Service, *, actor: Actor, municipality: str | None = None, limit: int = 100,
                     offset: int = 0) -> dict[str, Any]:
    """The worklist: every pair new for the person or for the vacancy, grouped by person."""
    municipality = _scope(actor, municipality)
    with service.db.transaction() as conn:
        runs = completed_runs(conn)
        rows = _new_pairs(conn, runs, order="worklist", directions=["candidate", "vacancy"],
                          municipality=municipality, limit=limit, offset=offset)
        items = _items(service, conn, runs, rows)
        _audit(service, conn, actor, runs, items, scope="municipality", subjects=[])
    return _envelope(runs, items, rows[0]["total"] if rows else 0) | {
        "municipality": municipality, "limit": limit, "offset": offset}


def export_csv(service: Service, out: IO[str], *, municipality: str | None = None, actor: Actor = SYSTEM) -> int:
    """Write the worklist (all of it, or one municipality's) as CSV; returns the number of rows."""
    with service.db.transaction() as conn:
        runs = completed_runs(conn)
        rows = _new_pairs(conn, runs, order="worklist", directions=["candidate", "vacancy"],
                          municipality=municipality)
        items = _items(service, conn, runs, rows)
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for i in items:
            v = i["vacancy"]
            writer.writerow([i["municipality"], i["candidate_ref"], v["source"], v["external_id"], v["title"],
                             v["employer"], i["rank"] or "", i["vacancy_rank"] or "", f"{i['score']:.4f}",
                             "+".join(i["new_for"]), i["explanation"]["summary_nl"]])
        audit(conn, actor, "rematch.export", subject_kind="candidate",
              subjects=[service.pseudonym(r) for r in dict.fromkeys(i["candidate_ref"] for i in items)],
              model_version=runs.latest["model_version"],
              detail={"run_id": runs.latest["id"], "municipality": municipality, "count": len(items)})
    return len(items)
