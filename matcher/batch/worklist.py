"""What the nightly rematch found that is *new*: per person, per vacancy, per municipality, and as CSV.

"New" is the difference with the previous completed run: a pair in the latest run's top K of a
person (or of a vacancy) that was not in that top K in the run before. On the first run everything
is new. The difference is worked out once, when a run completes (`record_new_pairs`, one row per new
pair in ``rematch_new_pairs``, with its place in its municipality's worklist), so a page of a municipality's
worklist is a range of stored positions, corrected for what changed since (`positioned_query`). Only active
people and open vacancies are listed; a consultant bound to a municipality sees only that municipality's
people.

Explanations are rebuilt from the stored features and attention checks with the model of the run
(`matcher.matching.explain.Explainer`), so they are the same explanation the API gives for those features,
and each served list is written to the audit log with pseudonymised references.
"""

from __future__ import annotations

import bisect
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


_RECORD_NEW = """
INSERT INTO rematch_new_pairs (run_id, candidate_id, vacancy_id, rank, vacancy_rank, score,
                               new_for_candidate, new_for_vacancy, municipality, position, listed)
SELECT g.*, c.municipality,
       CASE WHEN c.status = 'active' THEN
           (row_number() OVER (PARTITION BY c.municipality, c.status = 'active'
                               ORDER BY c.ref, g.rank NULLS LAST, g.vacancy_rank NULLS LAST, g.vacancy_id) - 1)::integer
       END,
       v.status = 'open'
FROM (SELECT r.run_id, r.candidate_id, r.vacancy_id,
             min(r.rank) FILTER (WHERE r.direction = 'candidate') AS rank,
             min(r.rank) FILTER (WHERE r.direction = 'vacancy') AS vacancy_rank,
             max(r.score), bool_or(r.direction = 'candidate' AND p.run_id IS NULL),
             bool_or(r.direction = 'vacancy' AND p.run_id IS NULL)
      FROM rematch_results r
      LEFT JOIN rematch_results p ON p.run_id = %(prev)s AND p.direction = r.direction
                                 AND p.candidate_id = r.candidate_id AND p.vacancy_id = r.vacancy_id
      WHERE r.run_id = %(run)s
      GROUP BY r.run_id, r.candidate_id, r.vacancy_id
      HAVING bool_or(p.run_id IS NULL)) g
JOIN candidates c ON c.id = g.candidate_id
JOIN vacancies v ON v.id = g.vacancy_id
"""
# What the positions were worked out against, to correct them for what changed since (`positioned_query`).
_RECORD_SNAPSHOTS = """
INSERT INTO rematch_new_people
SELECT run_id, candidate_id, municipality, active,
       (coalesce(sum(positions) OVER (PARTITION BY municipality ORDER BY ref
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::integer, positions
FROM (SELECT n.run_id, n.candidate_id, c.municipality, c.ref, c.status = 'active' AS active,
             (count(n.position))::integer AS positions
      FROM rematch_new_pairs n JOIN candidates c ON c.id = n.candidate_id
      WHERE n.run_id = %(run)s
      GROUP BY n.run_id, n.candidate_id, c.municipality, c.ref, c.status) p;
INSERT INTO rematch_new_vacancies
SELECT DISTINCT n.run_id, n.vacancy_id, v.status = 'open'
FROM rematch_new_pairs n JOIN vacancies v ON v.id = n.vacancy_id WHERE n.run_id = %(run)s;
INSERT INTO rematch_new_municipalities
SELECT run_id, municipality, count(*), sum(positions) FROM rematch_new_people WHERE run_id = %(run)s
GROUP BY run_id, municipality
"""


def record_new_pairs(conn: Conn, run_id: int) -> dict[str, Any]:
    """Store what run ``run_id`` found that is new against the previous completed run, one row per pair
    with both ranks and its worklist position, and count it. Part of completing a run (in its transaction), so
    that a worklist page is a range lookup instead of comparing two runs on every request."""
    previous = conn.execute(
        "SELECT max(id) AS id FROM rematch_runs WHERE status = 'completed' AND id < %s", (run_id,)).fetchone()
    prev_id = previous["id"] if previous else None
    conn.execute(_RECORD_NEW, {"run": run_id, "prev": prev_id})
    for statement in _RECORD_SNAPSHOTS.split(";"):
        conn.execute(statement, {"run": run_id})
    # the planner's row counts, before the first page is asked for
    conn.execute("ANALYZE rematch_new_pairs, rematch_new_people, rematch_new_vacancies, rematch_new_municipalities")
    counts = conn.execute(
        """SELECT count(*) FILTER (WHERE new_for_candidate) AS for_candidates,
                  count(DISTINCT candidate_id) FILTER (WHERE new_for_candidate) AS candidates_with_new,
                  count(*) FILTER (WHERE new_for_vacancy) AS for_vacancies,
                  count(DISTINCT vacancy_id) FILTER (WHERE new_for_vacancy) AS vacancies_with_new
           FROM rematch_new_pairs WHERE run_id = %s""", (run_id,)).fetchone()
    assert counts is not None
    return {"previous_run_id": prev_id, "new_matches": dict(counts)}


_PAIRS_FROM = """
FROM rematch_new_pairs n
JOIN candidates c ON c.id = n.candidate_id AND c.status = 'active'
JOIN vacancies v ON v.id = n.vacancy_id AND v.status = 'open'
WHERE {where}
"""
# The stored features and attention checks of the page's pairs only (both directions hold the same ones).
_PAGE = """
WITH page AS (  -- narrow rows, so that sorting a deep page's predecessors stays in memory
    SELECT n.candidate_id, n.vacancy_id, n.rank, n.vacancy_rank, n.score, n.new_for_candidate,
           n.new_for_vacancy, c.ref, c.municipality
    """ + _PAIRS_FROM + """
    ORDER BY {order}
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.*, v.source, v.external_id, v.title, v.employer, v.postcode, r.features, r.attention
FROM page JOIN vacancies v ON v.id = page.vacancy_id, LATERAL (
    SELECT features, array_to_string(attention, ',') AS attention FROM rematch_results
    WHERE run_id = %(run)s AND direction = CASE WHEN page.rank IS NULL THEN 'vacancy' ELSE 'candidate' END
      AND candidate_id = page.candidate_id AND vacancy_id = page.vacancy_id) r
ORDER BY {order}
"""
# in both the page and the outer query, these names are the page's columns
_ORDER = {
    "candidate": "rank NULLS LAST, score DESC, vacancy_id",
    "vacancy": "vacancy_rank NULLS LAST, score DESC, ref",
    "worklist": "ref, rank NULLS LAST, vacancy_rank NULLS LAST, vacancy_id",
}
_FILTERS = {"candidate": "n.candidate_id = %(candidate)s", "vacancy": "n.vacancy_id = %(vacancy)s",
            "municipality": "c.municipality = %(municipality)s"}


def queries(runs: Runs, *, order: str, new_for: str | None = None, candidate: int | None = None,
            vacancy: int | None = None, municipality: str | None = None, limit: int | None = None,
            offset: int = 0) -> tuple[str, str, dict[str, Any]]:
    """The count and page queries over the latest run's new pairs (``new_for``: new for that side; None:
    for either), with their parameters. Only the filters given are in the SQL, so the planner sees the
    real query (and `bench.worklist_bench` can show its plan)."""
    params = {"run": runs.latest["id"], "candidate": candidate, "vacancy": vacancy, "municipality": municipality,
              "limit": limit, "offset": offset}
    where = ["n.run_id = %(run)s"] + [sql for name, sql in _FILTERS.items() if params[name] is not None]
    if new_for is not None:
        where.append(f"n.new_for_{new_for}")
    clause = " AND ".join(where)
    return "SELECT count(*) AS n " + _PAIRS_FROM.format(where=clause), \
        _PAGE.format(where=clause, order=_ORDER[order]), params


def _new_pairs(conn: Conn, runs: Runs, **filters: Any) -> tuple[list[Row], int]:
    """One page of new pairs and how many there are in all."""
    count_sql, page_sql, params = queries(runs, **filters)
    total = conn.execute(count_sql, params).fetchone()
    return list(conn.execute(page_sql, params).fetchall()), int(total["n"]) if total else 0


# A municipality's worklist from the stored positions (migration 0007), corrected for what changed since the
# run completed. A pair whose vacancy opened or closed since is in or out where it stands; a person whose
# status or municipality changed leaves a gap where their pairs were stored and is put back with the pairs
# listed now, before the first position of the next person (by reference) stored in this municipality.
_SNAPSHOT = """
SELECT (SELECT count(*) FROM rematch_new_municipalities WHERE run_id = %(run)s) AS municipalities,
       (SELECT count(*) FROM rematch_new_people WHERE run_id = %(run)s AND municipality = %(municipality)s) AS people,
       m.people AS people_stored, m.positions
FROM (SELECT 1) one LEFT JOIN rematch_new_municipalities m
     ON m.run_id = %(run)s AND m.municipality = %(municipality)s
"""
_CHANGED_VACANCIES = """
SELECT s.vacancy_id, v.id IS NULL AS gone
FROM rematch_new_vacancies s LEFT JOIN vacancies v ON v.id = s.vacancy_id
WHERE s.run_id = %(run)s AND (v.id IS NULL OR s.open <> (v.status = 'open'))
"""
# stored pairs not listed now (their person unchanged): vacancy closed then and unchanged, or open then and changed
_UNLISTED = """
SELECT coalesce(array_agg(position), '{}') AS positions FROM (
    SELECT position, listed, vacancy_id FROM rematch_new_pairs
    WHERE run_id = %(run)s AND municipality = %(municipality)s AND position IS NOT NULL AND NOT listed
    UNION
    SELECT position, listed, vacancy_id FROM rematch_new_pairs
    WHERE run_id = %(run)s AND vacancy_id = ANY(%(vacancies)s) AND municipality = %(municipality)s
      AND position IS NOT NULL) p
WHERE listed = (vacancy_id = ANY(%(vacancies)s))
"""
_CHANGED_PEOPLE = """
SELECT s.candidate_id, s.municipality = %(municipality)s AS stored_here, s.first_position, s.positions,
       CASE WHEN here THEN (SELECT count(*) FROM rematch_new_pairs n JOIN vacancies v ON v.id = n.vacancy_id
                            WHERE n.run_id = %(run)s AND n.candidate_id = s.candidate_id AND v.status = 'open')
       END AS listed_now,
       CASE WHEN here AND s.municipality = %(municipality)s THEN s.first_position
            WHEN here THEN coalesce((SELECT o.first_position FROM candidates oc JOIN rematch_new_people o
                                       ON o.run_id = %(run)s AND o.candidate_id = oc.id
                                      AND o.municipality = %(municipality)s
                                     WHERE oc.ref > c.ref ORDER BY oc.ref LIMIT 1), %(positions)s)
       END AS insert_at
FROM rematch_new_people s JOIN candidates c ON c.id = s.candidate_id,
     LATERAL (SELECT c.status = 'active' AND c.municipality = %(municipality)s AS here) h
WHERE s.run_id = %(run)s AND (s.municipality = %(municipality)s OR c.municipality = %(municipality)s)
  AND (s.municipality <> c.municipality OR s.active <> (c.status = 'active'))
"""


def positioned_query(conn: Conn, runs: Runs, municipality: str, limit: int, offset: int
                     ) -> tuple[str, dict[str, Any], int] | None:
    """The query of a page of a municipality's worklist from the stored positions, with its parameters and
    the total: the same rows in the same order as the offset walk of `queries`. None when the positions
    cannot say (none stored for the run, a person or vacancy deleted since)."""
    params: dict[str, Any] = {"run": runs.latest["id"], "municipality": municipality, "limit": limit}
    snap = conn.execute(_SNAPSHOT, params).fetchone()
    assert snap is not None
    if not snap["municipalities"] or snap["people"] != (snap["people_stored"] or 0):
        return None
    changed = conn.execute(_CHANGED_VACANCIES, params).fetchall()
    if any(r["gone"] for r in changed):
        return None
    stored = snap["positions"] or 0
    params |= {"vacancies": [r["vacancy_id"] for r in changed], "positions": stored}
    people = conn.execute(_CHANGED_PEOPLE, params).fetchall()
    gaps = [r for r in people if r["stored_here"]]  # never listed here now: their status or municipality changed
    gap_start = np.array([r["first_position"] for r in gaps], dtype=np.int64)
    gap_len = np.array([r["positions"] for r in gaps], dtype=np.int64)
    order = np.argsort(gap_start)
    gap_start, gap_len = gap_start[order], gap_len[order]
    row = conn.execute(_UNLISTED, params).fetchone()
    unlisted = np.sort(np.array(row["positions"] if row else [], dtype=np.int64))
    if len(gaps):  # a pair inside a gap is left out with it already
        inside = np.searchsorted(gap_start, unlisted, side="right") - 1
        unlisted = unlisted[(inside < 0) | (unlisted >= gap_start[inside] + gap_len[inside])]
    back = [r for r in people if r["insert_at"] is not None]
    insert_at = np.array([r["insert_at"] for r in back], dtype=np.int64)
    back_len = np.array([r["listed_now"] for r in back], dtype=np.int64)

    def before(p: int) -> int:
        """How many listed pairs come before stored position ``p`` (and before anyone put back there)."""
        left_out = np.clip(p - gap_start, 0, gap_len).sum() + np.searchsorted(unlisted, p)
        return int(p - left_out + back_len[insert_at < p].sum())

    total = int(stored - gap_len.sum() - len(unlisted) + back_len.sum())
    offset = min(offset, total)  # beyond the end: an empty page
    positions = range(stored + 1)  # before() never decreases along them
    start = bisect.bisect_right(positions, offset, key=before) - 1  # the last position with before() <= offset
    end = bisect.bisect_left(positions, offset + limit, lo=start, key=before)  # stored + 1: the page ends there
    chosen = [int(r["candidate_id"]) for r, at in zip(back, insert_at, strict=True) if start <= at < end]
    params |= {"start": start, "end": end, "back": chosen, "offset": offset - before(start)}
    where = ("n.run_id = %(run)s AND c.municipality = %(municipality)s AND (n.municipality = %(municipality)s"
             " AND n.position >= %(start)s AND n.position < %(end)s"
             + (" OR n.candidate_id = ANY(%(back)s))" if chosen else ")"))
    return _PAGE.format(where=where, order=_ORDER["worklist"]), params, total


def _positioned(conn: Conn, runs: Runs, municipality: str, limit: int, offset: int
                ) -> tuple[list[Row], int] | None:
    """One page of a municipality's worklist and the total from the stored positions (`positioned_query`)."""
    query = positioned_query(conn, runs, municipality, limit, offset)
    if query is None:
        return None
    sql, params, total = query
    return list(conn.execute(sql, params).fetchall()), total


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
            "points": model.points(explanation["logit"]),
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
        rows, total = _new_pairs(conn, runs, order="candidate", new_for="candidate", candidate=cand["id"],
                                 limit=limit)
        items = _items(service, conn, runs, rows)
        _audit(service, conn, actor, runs, items, scope="candidate", subjects=[service.pseudonym(ref)])
    return _envelope(runs, items, total) | {"candidate_ref": ref}


def for_vacancy(service: Service, source: str, external_id: str, *, actor: Actor, limit: int = 50) -> dict[str, Any]:
    """People who are new in this vacancy's top K since the previous run (a consultant: of their
    municipality only)."""
    with service.db.transaction() as conn:
        vac = conn.execute("SELECT id FROM vacancies WHERE source = %s AND external_id = %s",
                           (source, external_id)).fetchone()
        if vac is None:
            raise NotFound(f"no vacancy {source}/{external_id}")
        runs = completed_runs(conn)
        rows, total = _new_pairs(conn, runs, order="vacancy", new_for="vacancy", vacancy=vac["id"],
                                 municipality=_scope(actor, None), limit=limit)
        items = _items(service, conn, runs, rows)
        _audit(service, conn, actor, runs, items, scope="vacancy", subjects=[f"{source}/{external_id}"])
    return _envelope(runs, items, total) | {
        "vacancy": {"source": source, "external_id": external_id}}


def for_municipality(service: Service, *, actor: Actor, municipality: str | None = None, limit: int = 100,
                     offset: int = 0) -> dict[str, Any]:
    """The worklist: every pair new for the person or for the vacancy, grouped by person."""
    municipality = _scope(actor, municipality)
    with service.db.transaction() as conn:
        # the corrections, the page and the total read one snapshot, whatever is written in the meantime
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        runs = completed_runs(conn)
        page = _positioned(conn, runs, municipality, limit, offset) if municipality else None
        rows, total = page or _new_pairs(conn, runs, order="worklist", municipality=municipality, limit=limit,
                                         offset=offset)
        items = _items(service, conn, runs, rows)
        _audit(service, conn, actor, runs, items, scope="municipality", subjects=[])
    return _envelope(runs, items, total) | {
        "municipality": municipality, "limit": limit, "offset": offset}


def export_csv(service: Service, out: IO[str], *, municipality: str | None = None, actor: Actor = SYSTEM) -> int:
    """Write the worklist (all of it, or one municipality's) as CSV; returns the number of rows."""
    with service.db.transaction() as conn:
        runs = completed_runs(conn)
        rows, _ = _new_pairs(conn, runs, order="worklist", municipality=municipality)
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
