"""Speed of the web interface: a shortlist page (vacancy, ranking of everyone, explanations, logging, audit,
template) measured server-side, in-process, for a consultant and for an employer-service adviser; and with
``--walk``, a consultant's walk in a real browser (Debian's Chromium through Playwright, against uvicorn on
localhost): how long each page takes to load (the browser's navigation timing) and how many Tab presses it
takes from a freshly loaded shortlist to the first person's link and to their first outcome button; and how
many distinct numbers a top 20 shows (the whole percent against the 0–100 points).

Usage: python -m bench.ui_bench [--candidates N] [--vacancies M] [--region NAME] [--walk]
       (or from `bench.run` as an optional step). A region already loaded under bench/out/NAME is reused.
Target: under 300 ms per shortlist page at demo size.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from matcher.security import SYSTEM, create_key
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# the browser's own timing of the last navigation: first byte and the end of the load event, ms after its start
NAVIGATION = """() => { const n = performance.getEntriesByType('navigation')[0];
                       return [n.responseStart - n.startTime, n.loadEventEnd - n.startTime]; }"""
FIRST_PERSON = "document.querySelector('ol.matches li.match')"


@contextmanager
def _server(service: Service) -> Iterator[str]:
    """The real app served by uvicorn in a thread, on a free localhost port."""
    import uvicorn

    from api.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(service.settings, service), host="127.0.0.1", port=port,
                                          log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _loads(page: Any, path: str, repeats: int) -> dict[str, float]:
    first_byte, loaded = [], []
    for _ in range(repeats):
        response = page.goto(path)
        if response is None or response.status != 200:
            raise RuntimeError(f"{path} answered {response.status if response else 'nothing'}")
        ttfb, load = page.evaluate(NAVIGATION)
        first_byte.append(ttfb)
        loaded.append(load)
    return {"n": repeats, "first_byte_median_ms": round(statistics.median(first_byte), 1),
            "load_median_ms": round(statistics.median(loaded), 1), "load_max_ms": round(max(loaded), 1)}


def _tabs_until(page: Any, condition: str, limit: int = 200) -> int | None:
    """Tab presses from the top of a freshly loaded page until the focused element meets ``condition``."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean({condition}); }}"):
            return presses
    return None


def spread(service: Service, municipality: str, *, samples: int = 20, seed: int = 3) -> dict[str, Any]:
    """How well the shown number tells a shortlist's top 20 apart: distinct values of the whole percent the
    page used to show, and of the 0–100 points it shows now, with one decimal (model order, no re-rank), per
    sampled vacancy."""
    with service.db.connection() as conn:
        keys = [(r["source"], r["external_id"]) for r in conn.execute(
            "SELECT source, external_id FROM vacancies WHERE status = 'open' ORDER BY id")]
    rng = np.random.default_rng(seed)
    percent, points, at_99 = [], [], []
    for i in rng.choice(len(keys), size=min(samples, len(keys)), replace=False):
        items = service.shortlist(*keys[int(i)], actor=SYSTEM, limit=20, rerank=False,
                                  municipality=municipality).result.items
        whole = [int(np.floor(item.score * 100)) for item in items]
        percent.append(len(set(whole)))
        points.append(len({round(item.points, 1) for item in items}))
        at_99.append(sum(w >= 99 for w in whole))
    return {"vacancies": len(percent), "top": 20, "distinct_percent_median": float(np.median(percent)),
            "distinct_points_median": float(np.median(points)), "at_99_percent_median": float(np.median(at_99))}


def walk(service: Service, *, repeats: int = 5) -> dict[str, Any]:
    """A consultant of the largest municipality: sign in, the worklist, the vacancies, a shortlist, a person."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit("the browser walk needs Debian's Chromium at /usr/bin/chromium")
    with service.db.transaction() as conn:
        biggest = conn.execute("""SELECT municipality, count(*) AS n FROM candidates WHERE status = 'active'
                                  GROUP BY municipality ORDER BY count(*) DESC LIMIT 1""").fetchone()
        assert biggest is not None
        _, key = create_key(conn, role="consultant", municipality=biggest["municipality"], name="bench ui walk")
        vacancy = conn.execute("SELECT source, external_id FROM vacancies WHERE status = 'open' ORDER BY id LIMIT 1"
                               ).fetchone()
        assert vacancy is not None
    shortlist = f"/ui/vacatures/{vacancy['source']}/{vacancy['external_id']}"
    result: dict[str, Any] = {"municipality": biggest["municipality"], "active_people": biggest["n"],
                              "shortlist": shortlist, "browser": "Chromium (Debian), headless, 1366x768"}
    with _server(service) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(base_url=base, viewport={"width": 1366, "height": 768},
                                       locale="nl-NL").new_page()
            page.set_default_timeout(600_000)
            page.goto("/ui/inloggen")
            page.get_by_label("Sleutel").fill(key)
            start = time.perf_counter()
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url("**/ui/werklijst")
            page.wait_for_load_state("load")
            result["sign_in_to_worklist_ms"] = round((time.perf_counter() - start) * 1000, 1)
            result["pages"] = {name: _loads(page, path, repeats) for name, path in (
                ("werklijst", "/ui/werklijst"), ("vacatures", "/ui/vacatures"), ("shortlist", shortlist))}
            person = page.evaluate(f"{FIRST_PERSON}.id.slice(2)")
            result["pages"]["kandidaat"] = _loads(page, f"/ui/kandidaten/{person}", repeats)
            page.goto(shortlist)
            result["tabs_to_first_person_link"] = _tabs_until(page, f"{FIRST_PERSON}.querySelector('h3 a') === el")
            page.goto(shortlist)
            result["tabs_to_first_person_outcome_button"] = _tabs_until(
                page, f"el.closest('form.outcome') && el.closest('li.match') === {FIRST_PERSON}")
        finally:
            browser.close()
    result["top20_spread"] = spread(service, biggest["municipality"])
    return result


def main() -> None:
    from bench.run import loaded_region

    parser = argparse.ArgumentParser()
    parser.add_argument("--region", default="ui")
    parser.add_argument("--candidates", type=int, default=9000)
    parser.add_argument("--vacancies", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--walk", action="store_true", help="only the browser walk (load times, Tab presses)")
    parser.add_argument("--repeats", type=int, default=5, help="loads of each page in the walk")
    args = parser.parse_args()
    service, load = loaded_region(args.region, args.candidates, args.vacancies)
    try:
        out = {"walk": walk(service, repeats=args.repeats)} if args.walk else {"ui": run(service, samples=args.samples)}
        print(json.dumps({"load": load} | out, indent=2, default=str))
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
