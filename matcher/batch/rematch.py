"""The nightly rematch: every active person against every open vacancy, the best K both ways.

One run, start to finish:

1. **Lock.** The run holds a PostgreSQL advisory lock on a session of its own for as long as it
   lives. A second start while the lock is held is refused (`RematchBusy`, exit code 3). A row
   still marked 'running' while nobody holds the lock belongs to a run that was killed: it is marked
   failed and its partial results are deleted before the new run starts. (The unique partial index
   on ``status = 'running'`` is the second line of defence.)
2. **Embeddings.** Every active candidate and open vacancy is checked against the hash of its
   current text; only rows whose vector is missing or stale are embedded again (and a vector
   already made for the same text is copied, not recomputed). The run reports what it reused.
3. **Scoring**, in two stages by default. *Stage one* (`matcher.batch.estimate`) estimates every
   pair's model score from one matrix product of the stored vectors, one sparse product of the
   vocabulary terms and a few small look-up tables that hold the exact value of every other feature
   and every feasibility check, and keeps the best M (``proposals``) per person and per vacancy.
   *Stage two* scores those pairs exactly, with the same code as the API
   (`matcher.matching.features.compute_pairs`, `AdditiveModel.logit`, feasibility conflicts excluded),
   and keeps the best K both ways. Every stored score is the API's; a pair of the exhaustive top K is
   missed only where the estimate put it below the M-th place, which `bench/rematch_bench.py`
   measures as the recall. ``exact=True`` (`matcher rematch --exact`, for audits) scores every pair:
   `matcher.matching.features.compute` over tiles of (a chunk of candidates) × (a block of
   vacancies); each tile keeps its best K per candidate and per vacancy and the driver merges them
   into a running top K. Both stages and the tiles run here, or on a Dask cluster (the tables are
   scattered to the workers once; only the best M or K of each piece of work come back).
4. **Writing.** A vacancy block's (or a candidate chunk's) results are written by a writer thread as
   soon as they are final (in the exact run as soon as all its tiles are merged, while scoring goes
   on), by COPY into the run's own partition of ``rematch_results`` (migration 0008), which has no
   indexes yet (a block written twice is still written once: its earlier rows are deleted first). Nothing
   is visible yet: readers use the latest *completed* run. The rows' references to people, vacancies
   and the run are not checked row by row (that was half the time of the COPY): deleting a person,
   a vacancy or a run deletes its results per statement (triggers, migration 0006), and
5. **Completing** first deletes the run's results whose person or vacancy was deleted while it wrote
   (one anti-join), indexes the run's partition and gives the planner statistics that know the rows
   just written, then flips the status in one transaction (the new results appear at once), stores
   the new matches against the previous completed run (`matcher.batch.worklist.record_new_pairs`,
   which the worklists read) and drops the partitions of old runs.

What is stored per match: rank, score, the features (rounded as the API shows them) and the names
of the attention checks that fired. The explanation is rebuilt from those when a match is served
(`matcher.batch.worklist`), with the model of the run, so it is the API's explanation for the same pair.

Ordering follows the API: a person's vacancies by model score; a vacancy's candidates by model
score with the shortlist's lift for *het bestand* (trede 0–2) where the vacancy offers jobcoach or
jobcarving. The exposure re-rank is for served shortlists only (it depends on what was shown).
Everyone active is matched, whatever their trede.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import psycopg
import scipy.sparse as sp
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import Jsonb
from threadpoolctl import threadpool_limits

from matcher.batch.estimate import Estimate
from matcher.batch.worklist import record_new_pairs
from matcher.db import repository
from matcher.db.connect import Conn
from matcher.errors import Conflict, Invalid, Unavailable
from matcher.ingest.prepare import embed
from matcher.matching.features import FEATURES, Block, compute, compute_pairs
from matcher.matching.ranking import bestand_lift
from matcher.matching.scoring import AdditiveModel
from matcher.matching.tables import CandidateTable, VacancyTable
from matcher.matching.texts import candidate_text, vacancy_text
from matcher.text import content_hash

if TYPE_CHECKING:
    from matcher.service import Service

log = logging.getLogger(__name__)

LOCK_NAME = "werkmatch.rematch"
DEFAULT_BLOCK_SIZE = 128       # vacancies per tile
TILE_PAIRS = 1_200_000         # pairs per tile at most (bounds memory: ~70 MB of features)
MIN_CHUNKS = 4                 # candidate chunks at least, so writing overlaps scoring …
MIN_CHUNK_ROWS = 512           # … unless that would make tiles tiny
KEEP_COMPLETED = 3             # completed runs whose results are kept (the latest and the ones before)
HEARTBEAT_S = 5.0
COPY_SLICE = 10_000            # result rows formatted per COPY write
MAX_TOP_K = 500
MAX_BLOCK_SIZE = 4096
DEFAULT_PROPOSALS = 50         # two stages: pairs proposed per person and per vacancy by stage one
MAX_PROPOSALS = 1000
STAGE_ONE_PAIRS = 4_000_000    # pairs estimated per piece of stage one (some people × every open vacancy)
RESCORE_PAIRS = 250_000        # pairs scored exactly per piece of stage two
MERGE_PIECES = 4               # stage one: pieces whose vacancy side is merged at once (one sort, not four)
_EMPTY = np.iinfo(np.int64).max
_KEY_COLUMNS = "run_id, direction, candidate_id, vacancy_id"  # what the completion's queries select and join on

T = TypeVar("T", CandidateTable, VacancyTable)
ProgressFn = Callable[[int, int, int], None]  # (tiles done, tiles in all, pairs scored)


class RematchBusy(Conflict):
    """Another rematch run holds the lock."""


# -- top K per row, vectorised ------------------------------------------------------------------

def best_per_row(key: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest keys of each row, best first, ties broken by column.

    The row-wise twin of `matcher.matching.ranking.top_k`, without a Python loop over rows. Ties at the
    cut-off are broken by column too (the lowest columns get in), so the result does not depend on
    how the rows were cut into tiles: merging partial top-Ks gives exactly the top K of the whole.
    """
    n, m = key.shape
    if m > k:
        kth = -np.partition(-key, k - 1, axis=1)[:, k - 1: k]      # the k-th largest value per row
        above, tied = key > kth, key == kth
        room = k - above.sum(axis=1, keepdims=True)
        chosen = above | (tied & (np.cumsum(tied, axis=1) <= room))
        part = np.nonzero(chosen)[1].reshape(n, k)
    else:
        part = np.broadcast_to(np.arange(m), (n, m))
    values = np.take_along_axis(key, part, axis=1)
    order = np.lexsort((part, -values), axis=1)
    return np.take_along_axis(part, order, axis=1)


@dataclass
class Top:
    """The best K per row (a candidate or a vacancy), best first.

    ``key`` is the ordering value (-inf: empty slot), ``pos`` the position of the other side in the
    run's table, ``x`` the features and ``att`` the attention checks that fired, as bits.
    """

    key: np.ndarray   # (n, k) float64
    pos: np.ndarray   # (n, k) int64
    x: np.ndarray     # (n, k, F) float32
    att: np.ndarray   # (n, k) int64

    @classmethod
    def empty(cls, n: int, k: int) -> Top:
        return cls(key=np.full((n, k), -np.inf), pos=np.full((n, k), _EMPTY, dtype=np.int64),
                   x=np.zeros((n, k, len(FEATURES)), dtype=np.float32), att=np.zeros((n, k), dtype=np.int64))

    def merge(self, rows: slice, other: Top) -> None:
        """Fold ``other`` (the same rows, from another tile) into rows ``rows``, keeping the best K."""
        k = self.key.shape[1]
        key = np.concatenate([self.key[rows], other.key], axis=1)
        pos = np.concatenate([self.pos[rows], other.pos], axis=1)
        order = np.lexsort((pos, -key), axis=1)[:, :k]
        self.key[rows] = np.take_along_axis(key, order, axis=1)
        self.pos[rows] = np.take_along_axis(pos, order, axis=1)
        x = np.concatenate([self.x[rows], other.x], axis=1)
        self.x[rows] = np.take_along_axis(x, order[:, :, None], axis=1)
        att = np.concatenate([self.att[rows], other.att], axis=1)
        self.att[rows] = np.take_along_axis(att, order, axis=1)


@dataclass
class TileResult:
    a: int                       # candidate chunk
    b: int                       # vacancy block
    checks: tuple[str, ...]      # feasibility check names, in bit order
    by_candidate: Top
    by_vacancy: Top
    pairs: int
    conflicts: int
    excluded: dict[str, int]
    seconds: float


def _attention_bits(block: Block, index: tuple[Any, ...]) -> np.ndarray:
    """The attention checks that fired for the pairs at ``index`` of the block, as bits in check order."""
    att = np.zeros(block.X[(*index, 0)].shape, dtype=np.int64)
    for bit, (_, attention) in enumerate(block.feasibility.fired.values()):
        att |= attention[index].astype(np.int64) << bit
    return att


def score_tile(cands: CandidateTable, vacs: VacancyTable, model: AdditiveModel, *, a: int, b: int,
               c_offset: int, v_offset: int, k: int) -> TileResult:
    """Score one tile and keep its best K both ways (the exact run). Runs here or on a Dask worker."""
    start = time.perf_counter()
    block = compute(cands, vacs)
    feas = block.feasibility
    logit = model.logit(block.X).astype(np.float64)
    key = np.where(feas.conflict, -np.inf, logit)
    lift = bestand_lift(cands.trede[:, None], vacs.support[None, :])
    nc, nv = key.shape

    def gather(ci: np.ndarray, vj: np.ndarray, order_key: np.ndarray, pos: np.ndarray) -> Top:
        return Top(key=order_key, pos=pos, x=block.X[ci, vj], att=_attention_bits(block, (ci, vj)))

    rows_c = np.arange(nc)[:, None]
    sel_v = best_per_row(key, min(k, nv))                       # per candidate: vacancy columns
    by_candidate = gather(np.broadcast_to(rows_c, sel_v.shape), sel_v,
                          np.take_along_axis(key, sel_v, axis=1), sel_v.astype(np.int64) + v_offset)
    vkey = (key + lift).T
    rows_v = np.arange(nv)[:, None]
    sel_c = best_per_row(vkey, min(k, nc))                      # per vacancy: candidate rows
    by_vacancy = gather(sel_c, np.broadcast_to(rows_v, sel_c.shape),
                        np.take_along_axis(vkey, sel_c, axis=1), sel_c.astype(np.int64) + c_offset)
    excluded = {name: int(c.sum()) for name, (c, _) in feas.fired.items()}
    return TileResult(a=a, b=b, checks=tuple(feas.fired), by_candidate=by_candidate, by_vacancy=by_vacancy,
                      pairs=nc * nv, conflicts=int(feas.conflict.sum()),
                      excluded={n: v for n, v in excluded.items() if v}, seconds=time.perf_counter() - start)


# -- two stages ---------------------------------------------------------------------------------------

def _best(key: np.ndarray, m: int) -> np.ndarray:
    """Column indices of (up to) the m largest keys per row, in no particular order."""
    if key.shape[1] <= m:
        return np.broadcast_to(np.arange(key.shape[1]), key.shape).copy()
    return np.argpartition(-key, m - 1, axis=1)[:, :m]


@dataclass
class Proposed:
    """Stage one for some people: their best M vacancies, and each vacancy's best M among them."""

    rows: slice
    vacancies: np.ndarray        # (people, M) vacancy positions, -1: none
    people_key: np.ndarray       # (vacancies, M) estimated key of each vacancy's best people here
    people: np.ndarray           # (vacancies, M) their candidate positions, -1: none
    pairs: int
    conflicts: int
    seconds: float


def propose(estimate: Estimate, rows: slice, m: int) -> Proposed:
    """Stage one for the people ``rows`` against every open vacancy. Runs here or on a Dask worker."""
    start = time.perf_counter()
    key = estimate.scores(rows)
    cols = _best(key, m)
    vacancies = np.where(np.isfinite(np.take_along_axis(key, cols, axis=1)), cols, -1)
    key += estimate.lift(rows)  # a vacancy's people are ordered with the lift for het bestand
    vkey = np.ascontiguousarray(key.T)
    picked = _best(vkey, m)
    people_key = np.take_along_axis(vkey, picked, axis=1)
    people = np.where(np.isfinite(people_key), picked + rows.start, -1)
    return Proposed(rows=rows, vacancies=vacancies, people_key=people_key, people=people,
                    pairs=int(key.size), conflicts=int(np.count_nonzero(np.isneginf(key))),
                    seconds=time.perf_counter() - start)


@dataclass
class Rescored:
    """Stage two: the exact key (log-odds, -inf for a conflict), features and attention bits of pairs."""

    ci: np.ndarray
    vj: np.ndarray
    key: np.ndarray
    x: np.ndarray
    att: np.ndarray
    checks: tuple[str, ...]
    seconds: float


def rescore(cands: CandidateTable, vacs: VacancyTable, model: AdditiveModel, ci: np.ndarray,
            vj: np.ndarray) -> Rescored:
    """Stage two for the pairs (``ci[p]``, ``vj[p]``): the API's features and score. Runs here or on a worker."""
    start = time.perf_counter()
    block = compute_pairs(cands, vacs, ci, vj)
    key = np.where(block.feasibility.conflict, -np.inf, model.logit(block.X).astype(np.float64))
    return Rescored(ci=ci, vj=vj, key=key, x=block.X, att=_attention_bits(block, (slice(None),)),
                    checks=tuple(block.feasibility.fired), seconds=time.perf_counter() - start)


def group_top(own: np.ndarray, other: np.ndarray, key: np.ndarray, x: np.ndarray, att: np.ndarray, *, n: int,
              k: int) -> Top:
    """The best K of a list of scored pairs per ``own`` row (of ``n``), ties broken by ``other`` as
    `best_per_row` breaks them by column; conflicts (-inf) are left out."""
    top = Top.empty(n, k)
    order = np.lexsort((other, -key, own))
    grouped = own[order]
    rank = np.arange(len(order)) - np.searchsorted(grouped, grouped, side="left")
    keep = (rank < k) & np.isfinite(key[order])
    chosen, r, t = order[keep], grouped[keep], rank[keep]
    top.key[r, t], top.pos[r, t], top.x[r, t], top.att[r, t] = key[chosen], other[chosen], x[chosen], att[chosen]
    return top


# -- tables, chunks and tiles ---------------------------------------------------------------------

def subset(table: T, index: np.ndarray | slice) -> T:
    """The same table for some rows only. Rows keep just their id: scoring needs arrays, not dicts,
    and a tile sent to a worker should not carry profiles it does not use."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(table):
        value = getattr(table, f.name)
        if f.name == "rows":
            values[f.name] = [{"id": int(i)} for i in table.ids[index]]
        elif isinstance(value, np.ndarray) or sp.issparse(value):
            values[f.name] = value[index]
        elif isinstance(value, dict):
            values[f.name] = {key: column[index] for key, column in value.items()}
        elif f.name == "meaning":  # the encoder's cosine scale: one for the whole table
            values[f.name] = value
        else:  # a new field type must be thought about, not silently shared
            raise TypeError(f"cannot subset field {f.name} of {type(table).__name__}")
    return dataclasses.replace(table, **values)


def plan(n_candidates: int, n_vacancies: int, block_size: int) -> tuple[list[slice], list[slice]]:
    """Candidate chunks and vacancy blocks. A tile holds at most about `TILE_PAIRS` pairs, and the
    candidates come in at least `MIN_CHUNKS` chunks (of `MIN_CHUNK_ROWS` or more), so that a chunk's
    results are final, and written, while the next chunk is scored."""
    if n_candidates == 0 or n_vacancies == 0:
        return [], []
    chunk = min(TILE_PAIRS // block_size, max(MIN_CHUNK_ROWS, -(-n_candidates // MIN_CHUNKS)))

    def cut(n: int, size: int) -> list[slice]:
        return [slice(i, min(i + size, n)) for i in range(0, n, size)]

    return cut(n_candidates, max(chunk, 1)), cut(n_vacancies, block_size)


Job = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]  # a piece of work: function, arguments, keywords


class _Here:
    """Runs the pieces of work in this process, on a thread per core, and hands the results back in the order
    of the jobs. A piece is NumPy and SciPy work that lets go of the GIL, mostly on one core (the sorts, the
    sparse products, the look-ups), so a single thread left the other cores idle; the BLAS product keeps to one
    thread per piece meanwhile. At most one result per thread waits to be taken, so memory stays bounded."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or len(os.sched_getaffinity(0))
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="rematch") if self.threads > 1 else None

    def share(self, items: list[Any]) -> list[Any]:
        return items

    def run(self, jobs: list[Job], ordered: bool = False) -> Iterator[Any]:
        if self.pool is None:
            for fn, args, kwargs in jobs:
                yield fn(*args, **kwargs)
            return
        pending: deque[Future[Any]] = deque()
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                for fn, args, kwargs in jobs:
                    pending.append(self.pool.submit(fn, *args, **kwargs))
                    if len(pending) > self.threads:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def connect_dask(address: str, timeout_s: float = 30.0) -> Any:
    """A client for the Dask scheduler at ``address``; `Unavailable` when it does not answer."""
    from distributed import Client

    try:
        return Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise Unavailable(f"the Dask scheduler at {address} cannot be reached ({exc})") from None


class _Dask:
    """Runs the pieces of work on a Dask cluster: what they share is scattered once, one task per piece.
    ``ordered``: results in the order of the jobs (stage one merges them in that order, so the
    proposals do not depend on which worker finished first); otherwise as they finish."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.shared: list[Any] = []

    def share(self, items: list[Any]) -> list[Any]:
        futures = list(self.client.scatter(items, hash=False, broadcast=len(items) == 1))
        self.shared += futures
        return futures

    def run(self, jobs: list[Job], ordered: bool = False) -> Iterator[Any]:
        from distributed import as_completed

        futures = [self.client.submit(fn, *args, pure=False, **kwargs) for fn, args, kwargs in jobs]
        try:
            for future in (futures if ordered else as_completed(futures, loop=self.client.loop)):
                result = future.result()
                future.release()
                yield result
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.cancel(self.shared)


# -- embeddings ---------------------------------------------------------------------------------

def embedding_text(vocabulary: Any, kind: str, row: dict[str, Any]) -> str:
    """The text a vector is made from: the short form the import path embeds (`matcher.ingest`).
    Must stay the import's text, or every night would re-embed everything (a test watches this)."""
    make = candidate_text if kind == "candidate" else vacancy_text
    return make(vocabulary, row, full=False)


def refresh_embeddings(service: Service) -> dict[str, dict[str, int]]:
    """Make sure every active candidate and open vacancy has a vector for its current text.

    Rows whose vector is missing or was made from another text (the content hash tells) are embedded
    again; a vector already made for the same text by another row is copied. Their change number is
    bumped so the match index reloads them. Returns per kind: checked, up_to_date, copied, encoded.
    """
    encoder = service.encoder
    with service.db.connection() as conn:
        snap = service.snapshot(conn)
        stored = {(r["kind"], r["row_id"]): r["content_hash"] for r in conn.execute(
            "SELECT kind, row_id, content_hash FROM embeddings WHERE encoder = %s", (encoder.name,))}
    report: dict[str, dict[str, int]] = {}
    for kind, table, live, sql_table in (("candidate", snap.candidates, snap.active, "candidates"),
                                         ("vacancy", snap.vacancies, snap.open, "vacancies")):
        rows = [table.rows[i] for i in np.flatnonzero(live)]
        texts = [embedding_text(service.vocabulary, kind, r) for r in rows]
        hashes = [content_hash(t) for t in texts]
        stale = [(r["id"], t, h) for r, t, h in zip(rows, texts, hashes, strict=True)
                 if stored.get((kind, r["id"])) != h]
        copied = encoded = 0
        if stale:
            ids, stale_texts, stale_hashes = (list(column) for column in zip(*stale, strict=True))
            with service.db.transaction() as conn:
                known = repository.embedding_hashes(conn, kind, encoder.name, stale_hashes)
                vectors, encoded = embed(encoder, stale_texts, stale_hashes, known)
                repository.save_embeddings(conn, kind, encoder.name,
                                           list(zip(ids, stale_hashes, vectors, strict=True)))
                conn.execute(f"UPDATE {sql_table} SET change_seq = nextval('change_seq') WHERE id = ANY(%s)",
                             (ids,))
            copied = sum(1 for h in stale_hashes if h in known)
        report[kind] = {"checked": len(rows), "up_to_date": len(rows) - len(stale), "copied": copied,
                        "encoded": encoded}
    return report


# -- the run ------------------------------------------------------------------------------------

@dataclass
class RunReport:
    run_id: int
    status: str
    model_version: str
    counts: dict[str, Any] = field(default_factory=dict)
    abandoned: list[int] = field(default_factory=list)


class _Lock:
    """The rematch lock: a session advisory lock on a connection of its own, released when the
    process ends however it ends (so a killed run never blocks the next one)."""

    def __init__(self, url: str) -> None:
        self.conn: psycopg.Connection[Any] = psycopg.connect(url, autocommit=True)

    def acquire(self) -> bool:
        row = self.conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (LOCK_NAME,)).fetchone()
        return bool(row and row[0])

    def release(self) -> None:
        # Unlock explicitly: closing alone frees the lock only once the server has noticed.
        with contextlib.suppress(psycopg.Error):
            self.conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (LOCK_NAME,))
        self.conn.close()


def _event(name: str, **fields: Any) -> None:
    log.info(json.dumps({"event": name, **fields}, default=str))


def _start(service: Service, params: dict[str, Any]) -> tuple[int, AdditiveModel, list[int]]:
    """Retire runs nobody is running any more, then record a new one (we hold the lock)."""
    with service.db.transaction() as conn:
        abandoned = [r["id"] for r in conn.execute(
            """UPDATE rematch_runs SET status = 'failed', finished_at = now(),
                      counts = counts || '{"error": "abandoned: the process stopped before finishing"}'
               WHERE status = 'running' RETURNING id""")]
        drop_results(conn, abandoned)
        model = service.champion(conn)
        try:
            row = conn.execute(
                """INSERT INTO rematch_runs (status, model_version, counts) VALUES ('running', %s, %s)
                   RETURNING id""", (model.version, Jsonb({"params": params}))).fetchone()
        except psycopg.errors.UniqueViolation:
            raise RematchBusy("another rematch run is in progress") from None
    assert row is not None
    with service.db.transaction() as conn:  # its own transaction: the parent's lock is held for a moment only
        create_partition(conn, int(row["id"]))
    return int(row["id"]), model, abandoned


def _heartbeat(conn: Conn, run_id: int, counts: dict[str, Any] | None = None) -> None:
    if counts is None:
        conn.execute("UPDATE rematch_runs SET heartbeat_at = now() WHERE id = %s", (run_id,))
    else:
        conn.execute("UPDATE rematch_runs SET heartbeat_at = now(), counts = counts || %s WHERE id = %s",
                     (Jsonb(counts), run_id))


def _fail(service: Service, run_id: int | None, exc: BaseException) -> None:
    """Mark the run failed and drop its partial results. Without its id (stopped while it was being recorded),
    every run still marked running is failed: the caller holds the lock, so none of them is running."""
    try:
        with service.db.transaction() as conn:
            failed = [r["id"] for r in conn.execute(
                """UPDATE rematch_runs SET status = 'failed', finished_at = now(), counts = counts || %s
                   WHERE status = 'running' AND (id = %s OR %s::bigint IS NULL) RETURNING id""",
                (Jsonb({"error": f"{type(exc).__name__}: {exc}"[:500]}), run_id, run_id))]
            drop_results(conn, failed)
    except psycopg.Error:  # the database itself is gone: the next start retires the run
        log.warning("could not mark rematch run %s as failed", run_id)


def partition(run_id: int) -> str:
    """The partition of ``rematch_results`` that holds a run's results (migration 0008)."""
    return f"rematch_results_run_{int(run_id):d}"


def create_partition(conn: Conn, run_id: int) -> None:
    """The run's own partition of ``rematch_results``, empty and without indexes until the run completes."""
    conn.execute(f"CREATE TABLE {partition(run_id)} PARTITION OF rematch_results FOR VALUES IN ({int(run_id):d})")


def drop_results(conn: Conn, run_ids: list[int]) -> None:
    """Remove the results of these runs: their partitions, and any rows of theirs in the default one."""
    if not run_ids:
        return
    existing = {r["name"] for r in conn.execute(
        """SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'rematch_results'::regclass""")}
    for name in sorted({partition(run_id) for run_id in run_ids} & existing):
        conn.execute(f"DROP TABLE {name}")
    conn.execute("DELETE FROM rematch_results_other WHERE run_id = ANY(%s)", (run_ids,))


def index_results(conn: Conn, run_id: int) -> None:
    """Index a run's partition once all of it is written: building an index at once is several times cheaper
    than keeping it up to date row by row while copying (and with it the previous runs' indexes)."""
    name = partition(run_id)
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    conn.execute(f"CREATE UNIQUE INDEX {name}_pair ON {name} (direction, candidate_id, vacancy_id)")
    conn.execute(f"CREATE INDEX {name}_candidate ON {name} (candidate_id)")
    conn.execute(f"CREATE INDEX {name}_vacancy ON {name} (vacancy_id)")


_FEATURES_JSON = "{" + ", ".join(f'"{name}": %.4f' for name in FEATURES) + "}"
_LINE = "%d\t%s\t%d\t%d\t%d\t%.7g\t" + _FEATURES_JSON + "\t%s\n"
_COPY = "COPY {} (run_id, direction, candidate_id, vacancy_id, rank, score, features, attention) FROM STDIN"


class _Writer:
    """Turns merged top-K rows into COPY lines: the direction's own ids, the other side's ids."""

    def __init__(self, run_id: int, model: AdditiveModel, c_ids: np.ndarray, v_ids: np.ndarray) -> None:
        self.run_id = run_id
        self.weights = model.weights.astype(np.float64)
        self.intercept = float(model.intercept)
        self.c_ids, self.v_ids = c_ids, v_ids
        self.checks: tuple[str, ...] = ()
        self._literals: dict[int, str] = {}
        self._written: set[tuple[str, int, int]] = set()

    def _attention(self, bits: int) -> str:
        if bits not in self._literals:
            self._literals[bits] = "{" + ",".join(n for i, n in enumerate(self.checks) if bits >> i & 1) + "}"
        return self._literals[bits]

    def lines(self, direction: str, rows: slice, top: Top) -> Iterator[str]:
        """The COPY lines of the merged top K of these rows, `COPY_SLICE` rows at a time."""
        own_ids = (self.c_ids if direction == "candidate" else self.v_ids)[rows]
        r, t = np.nonzero(np.isfinite(top.key[rows]))
        if direction == "candidate":
            cids, vids = own_ids[r], self.v_ids[top.pos[rows][r, t]]
        else:
            vids, cids = own_ids[r], self.c_ids[top.pos[rows][r, t]]
        x = np.nan_to_num(top.x[rows][r, t].astype(np.float64))
        score = 1.0 / (1.0 + np.exp(-(np.round(x, 4) @ self.weights + self.intercept)))
        columns = (cids.tolist(), vids.tolist(), (t + 1).tolist(), score.tolist(), x.tolist(),
                   top.att[rows][r, t].tolist())
        for i in range(0, len(r), COPY_SLICE):
            yield "".join([_LINE % (self.run_id, direction, c, v, rank, s, *xs, self._attention(bits))
                           for c, v, rank, s, xs, bits in zip(*(col[i: i + COPY_SLICE] for col in columns),
                                                               strict=True)])

    def write(self, conn: Conn, direction: str, rows: slice, top: Top) -> int:
        """Replace this run's results for these rows (idempotent) with the merged top K, in the run's partition
        (not indexed yet: rows written before are looked for only when these rows are written again)."""
        table = partition(self.run_id)
        if (direction, rows.start, rows.stop) in self._written:
            own_ids = (self.c_ids if direction == "candidate" else self.v_ids)[rows]
            column = "candidate_id" if direction == "candidate" else "vacancy_id"
            conn.execute(f"DELETE FROM {table} WHERE direction = %s AND {column} = ANY(%s)",
                         (direction, own_ids.tolist()))
        with conn.cursor() as cur, cur.copy(_COPY.format(table), writer=QueuedLibpqWriter(cur)) as copy:
            # formatted a slice at a time, so the server parses one slice while the next is made
            for chunk in self.lines(direction, rows, top):
                copy.write(chunk)
        self._written.add((direction, rows.start, rows.stop))
        return int(np.isfinite(top.key[rows]).sum())


class _Writes:
    """Every database write of a run, in order, on one thread of its own: scoring goes on while the
    database takes a finished block, and two writes never wait on each other for the run's row."""

    def __init__(self, service: Service, run_id: int, writer: _Writer) -> None:
        self.service, self.run_id, self.writer = service, run_id, writer
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rematch-writer")
        self.futures: list[Future[None]] = []
        self.rows = {"candidate": 0, "vacancy": 0}
        self.seconds = 0.0
        self.last = time.monotonic()

    def _write(self, direction: str | None, rows: slice, top: Top | None) -> None:
        start = time.perf_counter()
        with self.service.db.transaction() as conn:
            if direction is not None and top is not None:
                self.rows[direction] += self.writer.write(conn, direction, rows, top)
            _heartbeat(conn, self.run_id)
        self.seconds += time.perf_counter() - start

    def submit(self, direction: str | None, rows: slice = slice(0), top: Top | None = None) -> None:
        self.last = time.monotonic()
        self.futures.append(self.pool.submit(self._write, direction, rows, top))

    def heartbeat(self) -> None:
        if time.monotonic() - self.last > HEARTBEAT_S:
            self.submit(None)

    def check(self) -> None:
        """Raise the error of a write that failed, now rather than at the end."""
        for future in [f for f in self.futures if f.done()]:
            self.futures.remove(future)
            future.result()

    def finish(self) -> None:
        while self.futures:
            self.futures.pop(0).result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _complete(service: Service, run_id: int, counts: dict[str, Any]) -> dict[str, Any]:
    """Make the run visible in one transaction, then prune results nobody reads any more (`_prune`)."""
    with service.db.transaction() as conn:
        start = time.perf_counter()
        # the results' references, checked once for the run (migration 0006): a person or vacancy deleted
        # while the run was writing takes its rows along when deleted, except rows written after that
        conn.execute(
            f"""DELETE FROM {partition(run_id)} r
                WHERE NOT EXISTS (SELECT 1 FROM candidates c WHERE c.id = r.candidate_id)
                   OR NOT EXISTS (SELECT 1 FROM vacancies v WHERE v.id = r.vacancy_id)""")
        # The planner's statistics must know the rows just written before the new matches are worked out:
        # taking this run and the previous one for a row each, it compared every new row with every row of
        # the previous run (a nested loop; at demo size it did not finish in 15 minutes). Autovacuum may
        # not have come by yet; this samples the run's partition (a fraction of a second at 10×).
        index_results(conn, run_id)
        conn.execute(f"ANALYZE {partition(run_id)} ({_KEY_COLUMNS})")
        counts = counts | record_new_pairs(conn, run_id)
        counts["seconds"]["new_matches"] = round(time.perf_counter() - start, 3)
        counts["seconds"]["total"] = round(counts["seconds"]["total"] + counts["seconds"]["new_matches"], 3)
        done = conn.execute(
            """UPDATE rematch_runs SET status = 'completed', finished_at = now(), heartbeat_at = now(),
                      counts = counts || %s WHERE id = %s AND status = 'running' RETURNING id""",
            (Jsonb(counts), run_id)).fetchone()
        if done is None:
            raise Conflict(f"rematch run {run_id} was stopped from outside before it could complete")
    try:  # after the run is visible, in a transaction of its own: a prune that fails is done by the next run
        _prune(service)
    except psycopg.Error as exc:
        log.warning("could not prune the results of old rematch runs: %s", exc)
    return counts


def _prune(service: Service) -> None:
    """Drop the results and new matches of failed runs and of completed runs older than the last few."""
    with service.db.transaction() as conn:
        gone = [r["id"] for r in conn.execute(
            """SELECT id FROM rematch_runs WHERE status = 'failed'
               UNION ALL
               (SELECT id FROM rematch_runs WHERE status = 'completed' ORDER BY id DESC OFFSET %s)""",
            (KEEP_COMPLETED,))]
        conn.execute(
            """WITH new_pairs AS (DELETE FROM rematch_new_pairs WHERE run_id = ANY(%(gone)s)),
                    people AS (DELETE FROM rematch_new_people WHERE run_id = ANY(%(gone)s)),
                    vacancies AS (DELETE FROM rematch_new_vacancies WHERE run_id = ANY(%(gone)s))
               DELETE FROM rematch_new_municipalities WHERE run_id = ANY(%(gone)s)""", {"gone": gone})
        drop_results(conn, gone)


def run(service: Service, *, k: int | None = None, block_size: int = DEFAULT_BLOCK_SIZE, scheduler: Any = None,
        on_progress: ProgressFn | None = None, exact: bool = False, proposals: int | None = None) -> RunReport:
    """One complete rematch run. ``scheduler``: a Dask scheduler address or a `distributed.Client`
    (None: `Settings.dask_scheduler`, and when that is unset too, score on this machine). Two stages
    by default (``proposals`` pairs per person and per vacancy proposed by the estimate, at least K;
    None: `DEFAULT_PROPOSALS` or K if larger; those are scored exactly); ``exact``: every pair scored,
    for audits and for measuring the two stages' recall.

    Raises `RematchBusy` when another run is in progress, `Invalid` for bad parameters and
    `Unavailable` when the Dask scheduler does not answer; any other failure marks the run failed.
    """
    k = k if k is not None else service.settings.rematch_top_k
    if not 1 <= k <= MAX_TOP_K:
        raise Invalid(f"top K must be between 1 and {MAX_TOP_K}, not {k}")
    if not 1 <= block_size <= MAX_BLOCK_SIZE:
        raise Invalid(f"block size must be between 1 and {MAX_BLOCK_SIZE}, not {block_size}")
    proposals = max(DEFAULT_PROPOSALS, k) if proposals is None else proposals
    if not exact and not k <= proposals <= MAX_PROPOSALS:
        raise Invalid(f"proposals per person and per vacancy must be between top K ({k}) and {MAX_PROPOSALS}, "
                      f"not {proposals}")
    scheduler = scheduler if scheduler is not None else service.settings.dask_scheduler
    lock = _Lock(service.db.url)
    client = None
    try:
        if not lock.acquire():
            raise RematchBusy("another rematch run is in progress")
        if isinstance(scheduler, str):
            client = connect_dask(scheduler)
        params = {"top_k": k, "block_size": block_size, "executor": "dask" if scheduler is not None else "local",
                  "mode": "exact" if exact else "two-stage", "proposals": None if exact else proposals}
        run_id: int | None = None
        try:
            run_id, model, abandoned = _start(service, params)
            _event("rematch.started", run_id=run_id, model_version=model.version, abandoned=abandoned, **params)
            counts = _run(service, run_id, model, k=k, block_size=block_size,
                          client=client if client is not None else scheduler, on_progress=on_progress,
                          proposals=None if exact else proposals)
            counts = _complete(service, run_id, counts | {"params": params})
        except RematchBusy:
            raise  # nothing of ours was recorded
        except BaseException as exc:
            _fail(service, run_id, exc)
            _event("rematch.failed", run_id=run_id, error=f"{type(exc).__name__}: {exc}")
            raise
        _event("rematch.completed", run_id=run_id, model_version=model.version, **counts)
        return RunReport(run_id=run_id, status="completed", model_version=model.version, counts=counts,
                         abandoned=abandoned)
    finally:
        if client is not None:
            client.close()
        lock.release()


@dataclass
class _Tally:
    """What the scoring of a run counted, for its report."""

    pairs: int = 0
    conflicts: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    cpu_s: float = 0.0
    rescored: int | None = None

    def add_excluded(self, excluded: dict[str, int]) -> None:
        for name, n in excluded.items():
            self.excluded[name] = self.excluded.get(name, 0) + n


def _run(service: Service, run_id: int, model: AdditiveModel, *, k: int, block_size: int, client: Any,
         on_progress: ProgressFn | None, proposals: int | None) -> dict[str, Any]:
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    service.encoder  # noqa: B018  its name keys the stored vectors; loaded once, timed apart
    seconds["encoder"] = time.perf_counter() - started
    mark = time.perf_counter()
    with service.db.connection() as conn:
        service.snapshot(conn)
    seconds["snapshot"] = time.perf_counter() - mark

    mark = time.perf_counter()
    embeddings = refresh_embeddings(service)
    with service.db.transaction() as conn:
        snap = service.snapshot(conn)  # reloads only the rows whose vectors were just made
        _heartbeat(conn, run_id, {"embeddings": embeddings})
    seconds["embeddings"] = time.perf_counter() - mark

    mark = time.perf_counter()
    active, open_ = np.flatnonzero(snap.active), np.flatnonzero(snap.open)
    cands, vacs = subset(snap.candidates, active), subset(snap.vacancies, open_)
    c_ids, v_ids = snap.candidates.ids[active], snap.vacancies.ids[open_]
    c_slices, v_slices = plan(len(c_ids), len(v_ids), block_size)
    seconds["snapshot"] += time.perf_counter() - mark

    mark = time.perf_counter()
    writes = _Writes(service, run_id, _Writer(run_id, model, c_ids, v_ids))
    executor: _Here | _Dask = _Here() if client is None else _Dask(client)
    try:
        if proposals is None:
            tally = _exact(executor, cands, vacs, model, c_slices, v_slices, k, writes, on_progress)
        else:
            tally = _two_stages(executor, cands, vacs, model, c_slices, v_slices, k, proposals, writes,
                                on_progress, seconds)
        seconds["scoring"] = time.perf_counter() - mark
        mark = time.perf_counter()
        writes.finish()
    finally:
        executor.close()
        writes.close()
    seconds["writing"] = writes.seconds
    seconds["writing_after_scoring"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return {
        "candidates": len(c_ids), "vacancies": len(v_ids), "pairs": tally.pairs,
        "feasible_pairs": tally.pairs - tally.conflicts, "rescored_pairs": tally.rescored,
        "excluded": tally.excluded, "tiles": len(c_slices) * len(v_slices), "embeddings": embeddings,
        "results": dict(writes.rows),
        "seconds": {name: round(s, 3) for name, s in seconds.items()},
        "tile_cpu_seconds": round(tally.cpu_s, 3),
        "pairs_per_second": round(tally.pairs / seconds["scoring"]) if seconds["scoring"] > 0 else None,
    }


def _exact(executor: _Here | _Dask, cands: CandidateTable, vacs: VacancyTable, model: AdditiveModel,
           c_slices: list[slice], v_slices: list[slice], k: int, writes: _Writes,
           on_progress: ProgressFn | None) -> _Tally:
    """Every pair of every tile scored; a block's (a chunk's) results written once all its tiles are in."""
    chunks = executor.share([subset(cands, s) for s in c_slices])
    blocks = executor.share([subset(vacs, s) for s in v_slices])
    shared_model = executor.share([model])[0]
    by_candidate, by_vacancy = Top.empty(len(cands), k), Top.empty(len(vacs), k)
    pending_v, pending_c = [len(c_slices)] * len(v_slices), [len(v_slices)] * len(c_slices)
    jobs: list[Job] = [(score_tile, (chunks[a], blocks[b], shared_model),
                        {"a": a, "b": b, "c_offset": cs.start, "v_offset": vs.start, "k": k})
                       for a, cs in enumerate(c_slices) for b, vs in enumerate(v_slices)]
    tally = _Tally()
    for done, part in enumerate(executor.run(jobs), start=1):
        writes.writer.checks = writes.writer.checks or part.checks
        by_candidate.merge(c_slices[part.a], part.by_candidate)
        by_vacancy.merge(v_slices[part.b], part.by_vacancy)
        tally.pairs, tally.conflicts, tally.cpu_s = (tally.pairs + part.pairs, tally.conflicts + part.conflicts,
                                                     tally.cpu_s + part.seconds)
        tally.add_excluded(part.excluded)
        pending_v[part.b] -= 1
        pending_c[part.a] -= 1
        if pending_v[part.b] == 0:  # this block's top K is final: written while scoring goes on
            writes.submit("vacancy", v_slices[part.b], by_vacancy)
        if pending_c[part.a] == 0:  # and so is this chunk's
            writes.submit("candidate", c_slices[part.a], by_candidate)
        writes.heartbeat()
        writes.check()
        if on_progress is not None:
            on_progress(done, len(jobs), tally.pairs)
    return tally


def _two_stages(executor: _Here | _Dask, cands: CandidateTable, vacs: VacancyTable, model: AdditiveModel,
                c_slices: list[slice], v_slices: list[slice], k: int, m: int, writes: _Writes,
                on_progress: ProgressFn | None, seconds: dict[str, float]) -> _Tally:
    """Stage one proposes the best ``m`` pairs per person and per vacancy; stage two scores them exactly."""
    mark = time.perf_counter()
    nc, nv = len(cands), len(vacs)
    estimate = Estimate(cands, vacs, model)
    tally = _Tally(excluded=estimate.excluded())
    step = max(1, STAGE_ONE_PAIRS // max(nv, 1))
    shared = executor.share([estimate])[0]
    jobs: list[Job] = [(propose, (shared, slice(i, min(i + step, nc)), m), {}) for i in range(0, nc, step)]
    seconds["stage_one_setup"] = time.perf_counter() - mark
    own: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    other: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    # each vacancy's best m people so far, merged with the pieces that came in since every few pieces
    people_key, people = [np.full((nv, 0), -np.inf, dtype=np.float32)], [np.full((nv, 0), -1, dtype=np.int64)]
    for done, part in enumerate(executor.run(jobs, ordered=True), start=1):
        r, t = np.nonzero(part.vacancies >= 0)
        own.append(r + part.rows.start)
        other.append(part.vacancies[r, t])
        people_key.append(part.people_key)
        people.append(part.people)
        if len(people) > MERGE_PIECES or done == len(jobs):
            merged_key, merged = np.concatenate(people_key, axis=1), np.concatenate(people, axis=1)
            keep = _best(merged_key, m)
            people_key = [np.take_along_axis(merged_key, keep, axis=1)]
            people = [np.take_along_axis(merged, keep, axis=1)]
        tally.pairs, tally.conflicts, tally.cpu_s = (tally.pairs + part.pairs, tally.conflicts + part.conflicts,
                                                     tally.cpu_s + part.seconds)
        writes.heartbeat()
        writes.check()
        if on_progress is not None:
            on_progress(done, len(jobs), tally.pairs)
    r, t = np.nonzero(people[0] >= 0)
    ci, vj = np.concatenate([*own, people[0][r, t]]), np.concatenate([*other, r])
    # each proposed pair once, by vacancy: stage two works out the n-gram similarity a vacancy at a time, so a
    # piece holding a few vacancies' pairs costs a few steps, where one holding some of every vacancy's (pairs by
    # person) cost a step per vacancy per piece (at 10×: 27,612 in each of 20 pieces, most of stage two)
    pair = np.unique(vj * max(nc, 1) + ci)
    ci, vj = pair % max(nc, 1), pair // max(nc, 1)
    seconds["stage_one"] = time.perf_counter() - mark

    mark = time.perf_counter()
    tables = executor.share([cands, vacs, model])
    parts = list(executor.run([(rescore, (*tables, ci[i: i + RESCORE_PAIRS], vj[i: i + RESCORE_PAIRS]), {})
                               for i in range(0, len(ci), RESCORE_PAIRS)], ordered=True))
    tally.rescored = len(ci)
    tally.cpu_s += sum(p.seconds for p in parts)
    if parts:
        writes.writer.checks = parts[0].checks
        key, x, att = (np.concatenate([getattr(p, name) for p in parts]) for name in ("key", "x", "att"))
        lift = bestand_lift(cands.trede[ci], vacs.support[vj])
        by_candidate = group_top(ci, vj, key, x, att, n=nc, k=k)
        by_vacancy = group_top(vj, ci, key + lift, x, att, n=nv, k=k)
        for rows in v_slices:
            writes.submit("vacancy", rows, by_vacancy)
        for rows in c_slices:
            writes.submit("candidate", rows, by_candidate)
    seconds["stage_two"] = time.perf_counter() - mark
    return tally
