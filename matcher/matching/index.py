"""The in-memory match index: every candidate and vacancy as arrays, kept in step with the database.

Each change to a candidate or vacancy takes a number from the ``change_seq`` sequence. The index
remembers the last number it has seen and, before each query, loads only what changed since
(erasures included, through ``deleted_rows``). Tables are rebuilt lazily, only on the side that
changed, so a burst of shortlist requests costs one cheap sequence read each.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

import numpy as np

from matcher.db import repository
from matcher.db.connect import Conn
from matcher.matching.tables import (
    CandidateTable,
    Row,
    TermSpace,
    VacancyTable,
    candidate_table,
    ngram_weights,
    vacancy_table,
)
from matcher.matching.texts import candidate_text, vacancy_text
from matcher.matching.vocabulary import Vocabulary
from matcher.matching.vocabulary.blend import meaning_scale
from matcher.text import fold


@dataclass
class Snapshot:
    candidates: CandidateTable
    vacancies: VacancyTable
    candidate_pos: dict[int, int]
    vacancy_pos: dict[int, int]
    active: np.ndarray   # candidates with status 'active'
    open: np.ndarray     # vacancies with status 'open'
    seq: int


class MatchIndex:
    def __init__(self, vocabulary: Vocabulary, *, encoder_name: str, dim: int) -> None:
        self.vocabulary = vocabulary
        self.families = {c.id: c.family for c in vocabulary.of_kind("occupation") if c.family}
        self.ngram_weights = ngram_weights(fold(label.text) for c in vocabulary for label in c.labels)
        self.encoder_name = encoder_name
        self.dim = dim
        self.terms = TermSpace()
        self._candidates: dict[int, Row] = {}
        self._vacancies: dict[int, Row] = {}
        self._seq = -1
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def refresh(self, conn: Conn) -> Snapshot:
        """Bring the index up to date with the database and return a consistent snapshot."""
        with self._lock:
            latest = repository.last_change(conn)
            if self._snapshot is not None and latest == self._seq:
                return self._snapshot
            since = max(self._seq, 0)
            changed_c = repository.load_candidates(conn, encoder=self.encoder_name, since=since)
            changed_v = repository.load_vacancies(conn, encoder=self.encoder_name, since=since)
            deleted = repository.deleted_since(conn, since)
            for row in changed_c:
                row["text"] = candidate_text(self.vocabulary, row)
                self._candidates[row["id"]] = row
            for row in changed_v:
                row["text"] = vacancy_text(self.vocabulary, row)
                self._vacancies[row["id"]] = row
            for d in deleted:
                (self._candidates if d["kind"] == "candidate" else self._vacancies).pop(d["row_id"], None)
            new_c = self._snapshot is None or bool(changed_c) or any(d["kind"] == "candidate" for d in deleted)
            new_v = self._snapshot is None or bool(changed_v) or any(d["kind"] == "vacancy" for d in deleted)
            self._seq = latest
            self._snapshot = self._build(new_c, new_v)
            # The rows live until they change. Keep them out of Python's full cyclic-garbage passes, which
            # would otherwise walk every row now and then: 400 ms with the demo region, in the middle of a
            # request. The collection first frees what is garbage already; it does not walk frozen rows.
            gc.collect()
            gc.freeze()
            return self._snapshot

    def _build(self, new_c: bool, new_v: bool) -> Snapshot:
        old = self._snapshot
        if new_c or old is None:
            rows = [self._candidates[k] for k in sorted(self._candidates)]
            cands = candidate_table(rows, self.terms, self.families, self.dim, self.vocabulary.shared("occupation"),
                                    self.ngram_weights)
        else:
            cands = old.candidates
        if new_v or old is None:
            rows = [self._vacancies[k] for k in sorted(self._vacancies)]
            vacs = vacancy_table(rows, self.terms, self.families, self.dim, meaning_scale(self.encoder_name),
                                 self.ngram_weights)
        else:
            vacs = old.vacancies
        return Snapshot(
            candidates=cands, vacancies=vacs,
            candidate_pos={int(i): k for k, i in enumerate(cands.ids)},
            vacancy_pos={int(i): k for k, i in enumerate(vacs.ids)},
            active=np.array([r["status"] == "active" for r in cands.rows], dtype=bool),
            open=np.array([r["status"] == "open" for r in vacs.rows], dtype=bool),
            seq=self._seq,
        )

