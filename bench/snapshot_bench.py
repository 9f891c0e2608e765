"""The cold match index: how long a new process takes to load every candidate and vacancy and build the
tables that scoring reads (`matcher.matching.index.MatchIndex.refresh`, the first step of a rematch).

Prints the wall time of the build and a digest of every array and matrix of both tables, so that two
versions of the code can be checked to build the same tables (``--digest FILE`` writes it, ``--compare
FILE`` fails unless it is the same). ``--profile FILE`` writes a cProfile of the build and prints its top.

Usage: python -m bench.snapshot_bench --region NAME [--digest FILE | --compare FILE] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import json
import pstats
import sys
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from bench.common import bench_service
from matcher.matching.tables import CandidateTable, VacancyTable


def _digest(value: Any) -> str | dict[str, str] | None:
    """A hash of an array's or a sparse matrix's values (not of how they are stored)."""
    h = hashlib.sha256()
    if sp.issparse(value):
        m = sp.csr_matrix(value)
        m.sort_indices()
        h.update(repr((m.shape, str(m.dtype))).encode())
        for part in (m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data):
            h.update(np.ascontiguousarray(part).tobytes())
    elif isinstance(value, np.ndarray):
        h.update(repr((value.shape, str(value.dtype))).encode())
        h.update(repr(value.tolist()).encode() if value.dtype == object else np.ascontiguousarray(value).tobytes())
    elif isinstance(value, dict):
        return {k: str(_digest(v)) for k, v in sorted(value.items())}
    elif isinstance(value, tuple | float | int):
        h.update(repr(value).encode())
    else:
        return None
    return h.hexdigest()[:16]


def digest(table: CandidateTable | VacancyTable) -> dict[str, Any]:
    return {f.name: d for f in dataclasses.fields(table) if (d := _digest(getattr(table, f.name))) is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", required=True, help="a region loaded by bench/run.py (bench/out/NAME)")
    parser.add_argument("--digest", help="write the tables' digest to this file")
    parser.add_argument("--compare", help="fail unless the tables' digest equals the one in this file")
    parser.add_argument("--profile", help="write a cProfile of the build to this file")
    args = parser.parse_args()
    service = bench_service(args.region)
    try:
        service.index  # noqa: B018  the encoder (its name keys the vectors) and vocabulary, loaded apart
        profile = cProfile.Profile() if args.profile else None
        with service.db.connection() as conn:
            start = time.perf_counter()
            if profile:
                profile.enable()
            snap = service.snapshot(conn)
            if profile:
                profile.disable()
            seconds = time.perf_counter() - start
        tables = {"candidates": digest(snap.candidates), "vacancies": digest(snap.vacancies)}
        print(json.dumps({"candidates": len(snap.candidates), "vacancies": len(snap.vacancies),
                          "seconds": round(seconds, 2), "profiled": bool(profile)}))
        if args.digest:
            with open(args.digest, "w") as f:
                json.dump(tables, f, indent=1, sort_keys=True)
        if profile and args.profile:
            profile.dump_stats(args.profile)
            pstats.Stats(args.profile).sort_stats("cumulative").print_stats(30)
        if args.compare:
            with open(args.compare) as f:
                want = json.load(f)
            differ = [f"{side}.{name}" for side in tables for name in sorted(set(want[side]) | set(tables[side]))
                      if want[side].get(name) != tables[side].get(name)]
            print(json.dumps({"same_tables": not differ, "differ": differ}))
            if differ:
                sys.exit(1)
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
