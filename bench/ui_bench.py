"""Speed of the web interface: a shortlist page (vacancy, ranking of everyone, explanations, logging, audit,
template) measured server-side, in-process, for a consultant and for an employer-service adviser.

Usage: python -m bench.ui_bench [--candidates N] [--vacancies M]   (or from `bench.run` as an optional step)
Target: under 300 ms per shortlist page at demo size.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from matcher.security import create_key
from matcher.service import Service

TARGET_MS = 300.0


def _page_latencies(client: Any, paths: list[str], cookie: str, warmup: int = 3) -> dict[str, float]:
    client.cookies.set("werkmatch_key", cookie)
    for path in paths[:warmup]:
        client.get(path)
    times = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200 or "Shortlist" not in response.text:
            raise RuntimeError(f"{path} answered {response.status_code}")
    arr = np.array(times)
    return {"n": len(arr), "p50_ms": round(float(np.percentile(arr, 50)), 1),
            "p95_ms": round(float(np.percentile(arr, 95)), 1), "max_ms": round(float(arr.max()), 1)}


def run(service: Service, *, samples: int = 60, seed: int = 11) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.app import create_app

    with service.db.transaction() as conn:
        keys = {role: create_key(conn, role=role, municipality=None, name=f"bench ui {role}")[1]
                for role in ("consultant", "employer_service")}
        vacancies = [(r["source"], r["external_id"]) for r in conn.execute(
            "SELECT source, external_id FROM vacancies WHERE status = 'open' ORDER BY id")]
        candidates = int(conn.execute("SELECT count(*) AS n FROM candidates WHERE status = 'active'")
                         .fetchone()["n"])  # type: ignore[index]
    rng = np.random.default_rng(seed)
    picked = [vacancies[i] for i in rng.choice(len(vacancies), size=min(samples, len(vacancies)), replace=False)]
    paths = [f"/ui/vacatures/{source}/{external_id}" for source, external_id in picked]
    with TestClient(create_app(service.settings, service)) as client:
        result: dict[str, Any] = {"candidates": candidates, "open_vacancies": len(vacancies), "target_ms": TARGET_MS}
        for role, key in keys.items():
            result[f"shortlist_page_{role}"] = _page_latencies(client, paths, key)
    result["meets_target"] = all(result[f"shortlist_page_{r}"]["p95_ms"] < TARGET_MS for r in keys)
    return result


def main() -> None:
    from bench.run import region

    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=9000)
    parser.add_argument("--vacancies", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    service, _, load = region("ui", args.candidates, args.vacancies)
    try:
        print(json.dumps({"load": load, "ui": run(service, samples=args.samples)}, indent=2, default=str))
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
