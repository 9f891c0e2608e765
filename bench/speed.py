"""Speed: ingest, in-process shortlist and match latency, and the HTTP shortlist endpoint under load."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import bench_service, latencies
from matcher.matching.explain import Explainer
from matcher.matching.ranking import for_candidate, for_vacancy
from matcher.security import SYSTEM, create_key
from matcher.service import Service


def in_process_latency(service: Service, *, samples: int = 200, seed: int = 3) -> dict[str, Any]:
    """Ranking with features and explanations for the top 20, in-process (no HTTP, no logging)."""
    with service.db.connection() as conn:
        snap = service.snapshot(conn)
        model = service.champion(conn)
    explainer = Explainer(service.vocabulary)
    rng = np.random.default_rng(seed)
    vacancy_ids = rng.choice(snap.vacancies.ids[snap.open], size=samples).tolist()
    candidate_ids = rng.choice(snap.candidates.ids[snap.active], size=samples).tolist()
    vacancy_keys = [(r["source"], r["external_id"]) for r in snap.vacancies.rows if r["id"] in set(vacancy_ids)]
    return {
        "candidates": int(snap.active.sum()), "vacancies": int(snap.open.sum()),
        "shortlist_one_vacancy_over_all_candidates": latencies(
            lambda v: for_vacancy(snap, model, explainer, int(v), limit=20, rerank=False), vacancy_ids),
        "matches_one_candidate_over_all_vacancies": latencies(
            lambda c: for_candidate(snap, model, explainer, int(c), limit=20), candidate_ids),
        "service_shortlist_with_logging_and_audit": latencies(
            lambda k: service.shortlist(k[0], k[1], actor=SYSTEM, limit=20), vacancy_keys[:100]),
    }


def encoder_backends(service: Service, *, texts: int = 600, rounds: int = 2) -> dict[str, Any]:
    """Texts per second of the running encoder on the demo vacancies' embedding texts (the import's), per
    backend: ONNX Runtime (the default on the CPU), torch in float32 and torch in bfloat16; and the lowest
    cosine of each against torch float32. Each backend is timed ``rounds`` times, interleaved."""
    from matcher.batch.rematch import embedding_text
    from matcher.matching.embeddings import open_encoder

    with service.db.connection() as conn:
        rows = service.snapshot(conn).vacancies.rows[:texts]
    batch = [embedding_text(service.vocabulary, "vacancy", r) for r in rows]
    settings = service.settings
    backends = {"onnxruntime": open_encoder(settings.model_copy(update={"encoder_backend": "onnx"})),
                "torch float32": open_encoder(settings.model_copy(update={"encoder_backend": "torch",
                                                                          "encoder_dtype": "float32"})),
                "torch bfloat16": open_encoder(settings.model_copy(update={"encoder_backend": "torch",
                                                                           "encoder_dtype": "bfloat16"}))}
    speeds: dict[str, list[float]] = {name: [] for name in backends}
    vectors = {}
    for _ in range(rounds):
        for name, encoder in backends.items():
            encoder._cache.clear()  # time the model, not the cache of texts seen before
            start = time.perf_counter()
            vectors[name] = encoder.encode(batch)
            speeds[name].append(len(batch) / (time.perf_counter() - start))
    reference = vectors["torch float32"]
    return {"encoder": service.encoder.name, "texts": len(batch), "texts_per_s": {
        name: [round(v, 1) for v in found] for name, found in speeds.items()},
        "min_cosine_to_torch_float32": {name: round(float((v * reference).sum(axis=1).min()), 5)
                                        for name, v in vectors.items()}}


def start_server(data_dir: Path, models_dir: Path, *, workers: int = 1) -> tuple[subprocess.Popen[bytes], int]:
    """`matcher serve` on a free port over the benchmark's embedded database, as the README starts it; returns
    once it answers /readyz and every worker has logged that it started (its log: `data_dir`/serve.log)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MATCHER_DATABASE_URL"} | {
        "MATCHER_DATA_DIR": str(data_dir), "MATCHER_MODELS_DIR": str(models_dir),
        "MATCHER_RATE_LIMIT_PER_MINUTE": "1000000"}
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "matcher.cli", "serve", "--port", str(port),
                                   "--workers", str(workers)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)
    try:
        _wait_ready(port, log, workers)
    except BaseException:
        stop_server(server)
        raise
    return server, port


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_load(service: Service, data_dir: Path, models_dir: Path, *, clients: int = 8, seconds: float = 30.0,
              seed: int = 5, workers: int = 1) -> dict[str, Any]:
    """`matcher serve` started as the README starts it; `clients` threads request shortlists for `seconds`.

    Every run adds some 70,000 rows to the request log (shown matches and requests), far more than a day of
    consultants' use, and a log grown by many runs measured slower (its indexes outgrew the embedded server's shared
    buffers). So each run removes what it logged (the audit log is append-only and keeps its entries), and the
    clean-up PostgreSQL owes is done first, outside the timed part: left to autovacuum, it fell inside about every
    other run (9 vacuums of shown_matches in 14 runs). Every run thus starts from the region as loaded."""
    with service.db.transaction() as conn:
        key_id, key = create_key(conn, role="consultant", municipality=None, name="bench load")
        keys = [(r["source"], r["external_id"]) for r in conn.execute(
            "SELECT source, external_id FROM vacancies WHERE status = 'open'")]
    with service.db.connection(autocommit=True) as conn:  # VACUUM runs outside a transaction
        conn.execute("VACUUM (ANALYZE) shown_matches, shortlist_requests, audit_log")
    server, port = start_server(data_dir, models_dir, workers=workers)
    try:
        rng = np.random.default_rng(seed)
        order = [keys[i] for i in rng.integers(0, len(keys), size=100_000)]
        for source, external_id in order[:20]:  # warm-up
            _get(port, key, f"/v1/vacancies/{source}/{external_id}/shortlist?limit=20")
        times: list[float] = []
        errors = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds
        counter = iter(range(20, len(order)))

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.perf_counter() < deadline:
                source, external_id = order[next(counter)]
                start = time.perf_counter()
                conn.request("GET", f"/v1/vacancies/{source}/{external_id}/shortlist?limit=20",
                             headers={"Authorization": f"Bearer {key}"})
                response = conn.getresponse()
                response.read()
                with lock:
                    times.append((time.perf_counter() - start) * 1000)
                    errors[0] += response.status != 200
            conn.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        arr = np.array(times)
        return {"workers": workers, "clients": clients, "seconds": round(elapsed, 1), "requests": len(arr),
                "errors": errors[0], "requests_per_s": round(len(arr) / elapsed, 1),
                "p50_ms": round(float(np.percentile(arr, 50)), 1), "p95_ms": round(float(np.percentile(arr, 95)), 1)}
    finally:
        stop_server(server)
        with service.db.transaction() as conn:  # its shown matches go with the requests (ON DELETE CASCADE)
            conn.execute("DELETE FROM shortlist_requests WHERE key_id = %s", (key_id,))


def http_import(service: Service, demo_dir: Path, name: str = "import") -> dict[str, Any]:
    """The demo region's vacancies in one `POST /v1/vacancies/import` (NDJSON) to `matcher serve` over an empty
    database of its own, as an employer service pushes them: parsing, normalisation, embedding and the write.
    The vocabulary's label vectors are cached as after an installation's first import (copied from `service`)."""
    fresh = bench_service(name, fresh=True)
    shutil.copytree(service.settings.data_dir / "cache", fresh.settings.data_dir / "cache", dirs_exist_ok=True)
    with fresh.db.transaction() as conn:
        key = create_key(conn, role="employer_service", municipality=None, name="bench import")[1]
    fresh.db.close()
    body = (demo_dir / "vacancies.ndjson").read_bytes()
    server, port = start_server(fresh.settings.data_dir, fresh.settings.models_dir)
    try:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        start = time.perf_counter()
        client.request("POST", "/v1/vacancies/import", body=body,
                       headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"})
        response = client.getresponse()
        report = json.loads(response.read())
        elapsed = time.perf_counter() - start
        rows = body.count(b"\n")
        return {"status": response.status, "rows": rows, "bytes": len(body), "seconds": round(elapsed, 1),
                "rows_per_s": round(rows / elapsed, 1), "created": report.get("created"),
                "encoded": report.get("encoded")}
    finally:
        stop_server(server)


def _get(port: int, key: str, path: str) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, json.loads(body or b"null")


def _wait_ready(port: int, log: Path, workers: int, timeout: float = 180.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200 and log.read_bytes().count(b"Application startup complete") >= workers:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server did not become ready; see {log}")
