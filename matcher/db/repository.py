"""SQL for candidates and vacancies. Functions take a connection and never commit."""

from __future__ import annotations

from typing import Any

import numpy as np
from psycopg.types.json import Jsonb

from matcher.db.connect import Conn

Row = dict[str, Any]


def _vector(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    return np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, dtype=np.float32)


def _with_vectors(conn: Conn, kind: str, encoder: str, rows: list[Any]) -> list[Row]:
    """The rows with their stored vector (None: not made yet), read in a query of its own in binary: as text,
    parsing 384 numbers a row was most of the time a full load took."""
    if not rows:
        return rows
    found = {r["row_id"]: r["vector"] for r in conn.cursor(binary=True).execute(
        "SELECT row_id, vector FROM embeddings WHERE kind = %s AND encoder = %s AND row_id = ANY(%s)",
        (kind, encoder, [r["id"] for r in rows]))}
    for row in rows:
        row["vector"] = _vector(found.get(row["id"]))
    return rows

_CANDIDATE_CHILDREN = """
    COALESCE((SELECT json_agg(json_build_object('label', s.label, 'years', s.years, 'concept_id', s.concept_id,
              'confidence', s.confidence) ORDER BY s.position) FROM candidate_skills s
              WHERE s.candidate_id = c.id), '[]') AS skills,
    COALESCE((SELECT json_agg(json_build_object('title', e.title, 'years', e.years, 'concept_id', e.concept_id,
              'confidence', e.confidence) ORDER BY e.position) FROM candidate_experience e
              WHERE e.candidate_id = c.id), '[]') AS experience,
    COALESCE((SELECT json_agg(json_build_object('code', r.code, 'value', r.value, 'text', r.text,
              'confidence', r.confidence) ORDER BY r.position) FROM candidate_restrictions r
              WHERE r.candidate_id = c.id), '[]') AS restrictions
"""
_VACANCY_CHILDREN = """
    COALESCE((SELECT json_agg(json_build_object('label', s.label, 'concept_id', s.concept_id,
              'confidence', s.confidence) ORDER BY s.position) FROM vacancy_skills s
              WHERE s.vacancy_id = v.id AND s.kind = 'required'), '[]') AS required_skills,
    COALESCE((SELECT json_agg(json_build_object('label', s.label, 'concept_id', s.concept_id,
              'confidence', s.confidence) ORDER BY s.position) FROM vacancy_skills s
              WHERE s.vacancy_id = v.id AND s.kind = 'preferred'), '[]') AS preferred_skills,
    COALESCE((SELECT json_agg(json_build_object('code', d.code, 'value', d.value) ORDER BY d.position)
              FROM vacancy_demands d WHERE d.vacancy_id = v.id), '[]') AS demands
"""


def load_candidates(conn: Conn, *, encoder: str, since: int = 0,
                    ids: list[int] | None = None) -> list[Row]:
    where, params = ("c.id = ANY(%(ids)s)", {"ids": ids}) if ids is not None else ("c.change_seq > %(since)s",
                                                                                     {"since": since})
    return _with_vectors(conn, "candidate", encoder, conn.execute(
        f"SELECT c.*, {_CANDIDATE_CHILDREN} FROM candidates c WHERE {where} ORDER BY c.id", params).fetchall())


def load_vacancies(conn: Conn, *, encoder: str, since: int = 0,
                   ids: list[int] | None = None) -> list[Row]:
    where, params = ("v.id = ANY(%(ids)s)", {"ids": ids}) if ids is not None else ("v.change_seq > %(since)s",
                                                                                     {"since": since})
    return _with_vectors(conn, "vacancy", encoder, conn.execute(
        f"SELECT v.*, {_VACANCY_CHILDREN} FROM vacancies v WHERE {where} ORDER BY v.id", params).fetchall())


def deleted_since(conn: Conn, since: int) -> list[Row]:
    return list(conn.execute("SELECT kind, row_id, change_seq FROM deleted_rows WHERE change_seq > %s",
                             (since,)).fetchall())


def last_change(conn: Conn) -> int:
    row = conn.execute("SELECT last_value, is_called FROM change_seq").fetchone()
    assert row is not None
    return int(row["last_value"]) if row["is_called"] else 0


def current_hashes(conn: Conn, kind: str, keys: list[Any]) -> dict[Any, Row]:
    """Existing id, version and content hash per key (ref, or (source, external_id))."""
    if not keys:
        return {}
    if kind == "candidate":
        rows = conn.execute("SELECT id, ref AS key, version, content_hash FROM candidates WHERE ref = ANY(%s)",
                            (keys,)).fetchall()
        return {r["key"]: r for r in rows}
    rows = conn.execute(
        """SELECT v.id, v.source, v.external_id, v.version, v.content_hash FROM vacancies v
           JOIN unnest(%s::text[], %s::text[]) AS k(source, external_id)
             ON v.source = k.source AND v.external_id = k.external_id""",
        ([k[0] for k in keys], [k[1] for k in keys]),
    ).fetchall()
    return {(r["source"], r["external_id"]): r for r in rows}


def embedding_hashes(conn: Conn, kind: str, encoder: str, hashes: list[str]) -> dict[str, Any]:
    """Vectors already made from the same text (by any row), so unchanged content is never re-encoded."""
    if not hashes:
        return {}
    rows = conn.execute(
        """SELECT DISTINCT ON (content_hash) content_hash, vector FROM embeddings
           WHERE kind = %s AND encoder = %s AND content_hash = ANY(%s)""",
        (kind, encoder, hashes),
    ).fetchall()
    return {r["content_hash"]: _vector(r["vector"]) for r in rows}


def save_embeddings(conn: Conn, kind: str, encoder: str,
                    items: list[tuple[int, str, np.ndarray]]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO embeddings (kind, row_id, encoder, content_hash, vector) VALUES (%s, %s, %s, %s, %s)
               ON CONFLICT (kind, row_id, encoder) DO UPDATE
               SET content_hash = EXCLUDED.content_hash, vector = EXCLUDED.vector, created_at = now()""",
            [(kind, row_id, encoder, h, np.asarray(v, dtype=np.float32)) for row_id, h, v in items],
        )


def upsert_candidate(conn: Conn, row: Row) -> Row | None:
    """Insert or update one normalised candidate with its children; returns id, version and whether it was
    inserted, or None when the stored content already has this hash (a concurrent writer got there first).

    The hash comparison happens under the row lock that ON CONFLICT takes, so concurrent identical writes
    leave one row and one version, and concurrent different writes each get a version of their own."""
    result = conn.execute(
        """INSERT INTO candidates (ref, municipality, postcode, trede, hours_min, hours_max, max_travel_km,
               driving_licences, dutch_level, education_level, certificates, desired_occupations, shifts,
               summary, status, content_hash)
           VALUES (%(ref)s, %(municipality)s, %(postcode)s, %(trede)s, %(hours_min)s, %(hours_max)s,
               %(max_travel_km)s, %(driving_licences)s, %(dutch_level)s, %(education_level)s, %(certificates)s,
               %(desired_occupations)s, %(shifts)s, %(summary)s, %(status)s, %(content_hash)s)
           ON CONFLICT (ref) DO UPDATE SET municipality = EXCLUDED.municipality, postcode = EXCLUDED.postcode,
               trede = EXCLUDED.trede, hours_min = EXCLUDED.hours_min, hours_max = EXCLUDED.hours_max,
               max_travel_km = EXCLUDED.max_travel_km, driving_licences = EXCLUDED.driving_licences,
               dutch_level = EXCLUDED.dutch_level, education_level = EXCLUDED.education_level,
               certificates = EXCLUDED.certificates, desired_occupations = EXCLUDED.desired_occupations,
               shifts = EXCLUDED.shifts, summary = EXCLUDED.summary, status = EXCLUDED.status,
               content_hash = EXCLUDED.content_hash, version = candidates.version + 1,
               change_seq = nextval('change_seq'), updated_at = now()
           WHERE candidates.content_hash IS DISTINCT FROM EXCLUDED.content_hash
           RETURNING id, version, (xmax = 0) AS inserted""",
        row | {"certificates": Jsonb(row["certificates"]), "desired_occupations": Jsonb(row["desired_occupations"])},
    ).fetchone()
    if result is None:
        return None
    cid = result["id"]
    for table in ("candidate_skills", "candidate_experience", "candidate_restrictions", "candidate_monitoring"):
        conn.execute(f"DELETE FROM {table} WHERE candidate_id = %s", (cid,))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO candidate_skills VALUES (%s, %s, %s, %s, %s, %s)",
            [(cid, i, s["label"], s.get("years"), s.get("concept_id"), s.get("confidence"))
             for i, s in enumerate(row["skills"])],
        )
        cur.executemany(
            "INSERT INTO candidate_experience VALUES (%s, %s, %s, %s, %s, %s)",
            [(cid, i, e["title"], e.get("years"), e.get("concept_id"), e.get("confidence"))
             for i, e in enumerate(row["experience"])],
        )
        cur.executemany(
            "INSERT INTO candidate_restrictions VALUES (%s, %s, %s, %s, %s, %s)",
            [(cid, i, r.get("code"), r.get("value"), r.get("text"), r.get("confidence"))
             for i, r in enumerate(row["restrictions"])],
        )
        cur.executemany(
            "INSERT INTO candidate_monitoring VALUES (%s, %s, %s)",
            [(cid, k, v) for k, v in row["monitoring"].items()],
        )
    return dict(result)


def upsert_vacancy(conn: Conn, row: Row) -> Row | None:
    """Like `upsert_candidate`: None when the stored vacancy already has this content."""
    result = conn.execute(
        """INSERT INTO vacancies (source, external_id, title, description, employer, postcode, occupation_id,
               occupation_confidence, hours_min, hours_max, shifts, certificates, driving_licences, dutch_level,
               education_level, support, positions, closes_at, status, content_hash, provenance)
           VALUES (%(source)s, %(external_id)s, %(title)s, %(description)s, %(employer)s, %(postcode)s,
               %(occupation_id)s, %(occupation_confidence)s, %(hours_min)s, %(hours_max)s, %(shifts)s,
               %(certificates)s, %(driving_licences)s, %(dutch_level)s, %(education_level)s, %(support)s,
               %(positions)s, %(closes_at)s, %(status)s, %(content_hash)s, %(provenance)s)
           ON CONFLICT (source, external_id) DO UPDATE SET title = EXCLUDED.title,
               description = EXCLUDED.description, employer = EXCLUDED.employer, postcode = EXCLUDED.postcode,
               occupation_id = EXCLUDED.occupation_id, occupation_confidence = EXCLUDED.occupation_confidence,
               hours_min = EXCLUDED.hours_min, hours_max = EXCLUDED.hours_max, shifts = EXCLUDED.shifts,
               certificates = EXCLUDED.certificates, driving_licences = EXCLUDED.driving_licences,
               dutch_level = EXCLUDED.dutch_level, education_level = EXCLUDED.education_level,
               support = EXCLUDED.support, positions = EXCLUDED.positions, closes_at = EXCLUDED.closes_at,
               status = EXCLUDED.status, content_hash = EXCLUDED.content_hash, provenance = EXCLUDED.provenance,
               version = vacancies.version + 1,
               change_seq = nextval('change_seq'), updated_at = now()
           WHERE vacancies.content_hash IS DISTINCT FROM EXCLUDED.content_hash
           RETURNING id, version, (xmax = 0) AS inserted""",
        row | {"certificates": Jsonb(row["certificates"]), "provenance": Jsonb(row.get("provenance") or {})},
    ).fetchone()
    if result is None:
        return None
    vid = result["id"]
    conn.execute("DELETE FROM vacancy_skills WHERE vacancy_id = %s", (vid,))
    conn.execute("DELETE FROM vacancy_demands WHERE vacancy_id = %s", (vid,))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO vacancy_skills VALUES (%s, %s, %s, %s, %s, %s)",
            [(vid, i, kind, s["label"], s.get("concept_id"), s.get("confidence"))
             for kind in ("required", "preferred") for i, s in enumerate(row[f"{kind}_skills"])],
        )
        cur.executemany(
            "INSERT INTO vacancy_demands VALUES (%s, %s, %s, %s)",
            [(vid, i, d["code"], d.get("value")) for i, d in enumerate(row["demands"])],
        )
    return dict(result)


def missing_vectors(conn: Conn, encoder: str) -> int:
    """Active people and open vacancies without a vector from this encoder (after switching encoders: all)."""
    row = conn.execute(
        """SELECT (SELECT count(*) FROM candidates c WHERE c.status = 'active' AND NOT EXISTS (
                       SELECT 1 FROM embeddings e WHERE e.kind = 'candidate' AND e.row_id = c.id AND e.encoder = %(e)s))
                + (SELECT count(*) FROM vacancies v WHERE v.status = 'open' AND NOT EXISTS (
                       SELECT 1 FROM embeddings e WHERE e.kind = 'vacancy' AND e.row_id = v.id AND e.encoder = %(e)s))
                  AS n""", {"e": encoder}).fetchone()
    return int(row["n"]) if row else 0


def move_shortlist(conn: Conn, request_id: str, when: Any) -> None:
    """Date a logged shortlist and its shown matches at another moment: the demo's simulated history only."""
    conn.execute("UPDATE shortlist_requests SET created_at = %s WHERE id = %s", (when, request_id))
    conn.execute("UPDATE shown_matches SET created_at = %s WHERE request_id = %s", (when, request_id))

