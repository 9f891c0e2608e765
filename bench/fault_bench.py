"""A database restart under load: `matcher serve` answers shortlists to 8 clients for 60 s while the embedded
PostgreSQL is stopped and started again in the middle. Reports what the clients saw (200, 503 or anything
else), how quickly refusals came, how long until the first 200 after the restart, whether /readyz is green at
the end, and whether every stored record is intact (counts and a checksum over every row's content hash).

Usage: python -m bench.fault_bench [--candidates N] [--vacancies M] [--seconds S] [--downtime S]
(generates and loads its own demo region under bench/out/faults). From bench/run.py: ``run(service)`` with
the demo region already loaded in ``service``'s embedded database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections import Counter
from typing import Any

import numpy as np

from bench.common import OUT
from bench.speed import _get, start_server, stop_server
from matcher.security import create_key
from matcher.service import Service


def embedded_server(service: Service) -> Any:
    """The pgserver handle of the service's embedded database (the bench cannot restart an external one)."""
    if service.settings.database_url:
        raise ValueError("the fault bench restarts the embedded PostgreSQL; unset MATCHER_DATABASE_URL")
    import pgserver

    return pgserver.get_server(service.settings.pg_data_dir)  # this process's handle, already running


def stop_postgres(server: Any) -> None:
    """`pg_ctl stop -m fast`: every session is cut off, as in a crash or a failover."""
    from pgserver import pg_ctl  # type: ignore[attr-defined]  # made at import, one per binary

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user, timeout=60)


def start_postgres(server: Any) -> None:
    """The same data directory and socket again, as after a restart."""
    with server._lock:  # pgserver's cross-process lock, as when it starts a server itself
        server.ensure_postgres_running()


def records(service: Service) -> dict[str, Any]:
    """Counts and an md5 over every candidate's and vacancy's key, version and content hash."""
    with service.db.connection() as conn:
        row = conn.execute(
            """SELECT (SELECT count(*) FROM candidates) AS candidates,
                      (SELECT count(*) FROM vacancies) AS vacancies,
                      (SELECT count(*) FROM embeddings) AS vectors,
                      (SELECT md5(string_agg(ref || ':' || version || ':' || content_hash, ',' ORDER BY ref))
                         FROM candidates) AS candidates_md5,
                      (SELECT md5(string_agg(source || '/' || external_id || ':' || version || ':' || content_hash,
                                             ',' ORDER BY source, external_id)) FROM vacancies) AS vacancies_md5"""
        ).fetchone()
    assert row is not None
    return dict(row)


def run(service: Service, *, clients: int = 8, seconds: float = 60.0, downtime_s: float = 5.0,
        seed: int = 11) -> dict[str, Any]:
    server_handle = embedded_server(service)
    with service.db.transaction() as conn:
        key = create_key(conn, role="consultant", municipality=None, name="bench faults")[1]
        keys = [(r["source"], r["external_id"]) for r in conn.execute(
            "SELECT source, external_id FROM vacancies WHERE status = 'open'")]
    before = records(service)
    server, port = start_server(service.settings.data_dir, service.settings.models_dir)
    try:
        rng = np.random.default_rng(seed)
        order = [keys[i] for i in rng.integers(0, len(keys), size=1_000_000)]
        for source, external_id in order[:10]:  # warm-up
            _get(port, key, f"/v1/vacancies/{source}/{external_id}/shortlist?limit=20")
        log: list[tuple[float, float, int]] = []  # (start, end, status) relative to the start of the load
        lock = threading.Lock()
        counter = iter(range(10, len(order)))
        t0 = time.perf_counter()
        deadline = t0 + seconds

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.perf_counter() < deadline:
                source, external_id = order[next(counter)]
                start = time.perf_counter()
                try:
                    conn.request("GET", f"/v1/vacancies/{source}/{external_id}/shortlist?limit=20",
                                 headers={"Authorization": f"Bearer {key}"})
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status = 0  # no HTTP answer at all
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    log.append((start - t0, time.perf_counter() - t0, status))
                if status != 200:
                    time.sleep(0.1)  # a client backs off a little after a refusal instead of spinning
            conn.close()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        time.sleep(max(0.0, (seconds - downtime_s) / 2))
        stopping = time.perf_counter() - t0
        stop_postgres(server_handle)
        stopped = time.perf_counter() - t0
        time.sleep(downtime_s)
        start_postgres(server_handle)
        restarted = time.perf_counter() - t0
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        ready_status = _readyz(port)
    finally:
        stop_server(server)
    after = records(service)
    return _report(log, clients=clients, elapsed=elapsed, stopping=stopping, stopped=stopped,
                   restarted=restarted, ready_status=ready_status, before=before, after=after)


def _readyz(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/readyz")
    status = conn.getresponse().status
    conn.close()
    return status


def _report(log: list[tuple[float, float, int]], *, clients: int, elapsed: float, stopping: float, stopped: float,
            restarted: float, ready_status: int, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    statuses = Counter(s for _, _, s in log)
    refused = [(end - start) * 1000 for start, end, s in log if s == 503]
    served = [(end - start) * 1000 for start, end, s in log if s == 200]
    first_ok = min((end for _, end, s in log if s == 200 and end > restarted), default=None)
    last_ok = max((end for start, end, s in log if s == 200 and start < stopping), default=None)

    def ms(values: list[float], q: float) -> float | None:
        return round(float(np.percentile(values, q)), 1) if values else None

    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(log),
        "status": {"200": statuses[200], "503": statuses[503],
                   "other": sum(n for s, n in statuses.items() if s not in (200, 503))},
        "other_statuses": {str(s): n for s, n in sorted(statuses.items()) if s not in (200, 503)},
        "database_stop_s": round(stopping, 1), "database_stopped_after_s": round(stopped - stopping, 2),
        "database_down_s": round(restarted - stopped, 1),
        "last_200_before_stop_s": round(last_ok, 2) if last_ok is not None else None,
        "first_200_after_restart_s": round(first_ok - restarted, 2) if first_ok is not None else None,
        "ms_200": {"p50": ms(served, 50), "p95": ms(served, 95), "max": ms(served, 100)},
        "ms_503": {"p50": ms(refused, 50), "p95": ms(refused, 95), "max": ms(refused, 100)},
        "readyz_at_end": ready_status,
        "records_before": before, "records_after": after, "records_intact": before == after,
        "healthy_at_end": ready_status == 200 and first_ok is not None,
    }


def main() -> None:
    from bench.run import region

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--candidates", type=int, default=9000)
    parser.add_argument("--vacancies", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--downtime", type=float, default=5.0, help="seconds the database stays down")
    args = parser.parse_args()
    service, _, load = region("faults", args.candidates, args.vacancies)
    try:
        result = {"size": {"candidates": args.candidates, "vacancies": args.vacancies}, "load": load,
                  "fault": run(service, clients=args.clients, seconds=args.seconds, downtime_s=args.downtime)}
    finally:
        service.db.close()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fault_bench.json").write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result["fault"], indent=2, default=str))
    if not (result["fault"]["records_intact"] and result["fault"]["healthy_at_end"]):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
