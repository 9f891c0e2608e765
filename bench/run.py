"""`make bench`: generate the demo region, load it, measure speed and quality, rewrite bench/RESULTS.md.

Usage: python -m bench.run [--candidates N] [--vacancies M] [--skip-http] [--scale10] [--reuse] [--only a,b]
(`--scale10` also loads and measures a region ten times larger; its steps are named scale10_load, scale10_latency,
scale10_rematch and scale10_learning.)
Every number in RESULTS.md comes from a run of this script; the raw results are kept in
bench/out/results.json. `--reuse` keeps the loaded region of an earlier run and re-measures the steps
named in `--only` (default: all), keeping the other numbers of that earlier run; `--only load` loads the region
again (and re-measures the ingest).
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import quality, speed
from bench.common import OUT, ROOT, bench_service, machine, timer
from matcher.cli.demo import generate, load


def region(name: str, candidates: int, vacancies: int, *, fresh: bool = True) -> tuple[Any, Path, dict[str, Any]]:
    """Generate and load a region into its own embedded database; returns (service, demo dir, timings)."""
    base = OUT / name
    if fresh and base.exists():
        shutil.rmtree(base)
    demo_dir = base / "demo"
    with timer() as t_gen:
        generate(demo_dir, candidates=candidates, vacancies=vacancies, seed=42)
    service = bench_service(name)
    service.encoder  # noqa: B018  load the model before timing the ingest
    with timer() as t_vocab:  # once per installation and vocabulary: the label vectors are cached on disk
        service.normaliser.warm()
    with timer() as t_load:
        ingest = load(service, demo_dir)
    with service.db.connection() as conn, timer() as t_index:
        service.snapshot(conn)
    return service, demo_dir, {"generate_s": round(t_gen["s"], 1), "vocabulary_vectors_s": round(t_vocab["s"], 1),
                               "ingest": ingest,
                               "load_total_s": round(t_load["s"], 1), "index_build_s": round(t_index["s"], 1)}


def loaded_region(name: str, candidates: int, vacancies: int) -> tuple[Any, dict[str, Any] | None]:
    """The region already loaded under bench/out/NAME, or (none there yet) a region generated and loaded now,
    with its load timings."""
    if (OUT / name / "demo" / "manifest.json").exists():
        return bench_service(name), None
    service, _, timings = region(name, candidates, vacancies)
    return service, timings


def optional(module: str, *args: Any, **kwargs: Any) -> Any:
    """Run bench.<module>.run(...) when that benchmark exists."""
    try:
        mod = importlib.import_module(f"bench.{module}")
    except ModuleNotFoundError:
        return None
    return mod.run(*args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=9000)
    parser.add_argument("--vacancies", type=int, default=3000)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--scale10", action="store_true", help="also load and time 10x the default size")
    parser.add_argument("--reuse", action="store_true", help="keep the region loaded by an earlier run")
    parser.add_argument("--only", default="", help="comma-separated steps to run (default: all)")
    args = parser.parse_args()
    started = time.time()
    only = {s for s in args.only.split(",") if s}
    results: dict[str, Any] = {}
    if args.reuse and (OUT / "results.json").exists():
        results = json.loads((OUT / "results.json").read_text())
    results |= {"machine": machine(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "size": {"candidates": args.candidates, "vacancies": args.vacancies}}

    def step(name: str, fn: Any, *a: Any, into: dict[str, Any] | None = None, key: str | None = None,
             **kw: Any) -> None:
        if only and name not in only:
            return
        into, key = results if into is None else into, key or name
        print(f"[bench] {name} …", flush=True)
        start = time.perf_counter()
        try:
            into[key] = fn(*a, **kw)
        except Exception as exc:  # one failed measurement is reported, not hidden, and the others still run
            into[key] = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"[bench] {name} done in {time.perf_counter() - start:.0f} s: "
              f"{json.dumps(into[key], default=str)[:400]}", flush=True)
        (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))

    OUT.mkdir(parents=True, exist_ok=True)
    if args.reuse and "load" not in only and (OUT / "default" / "demo" / "manifest.json").exists():
        service, demo_dir = bench_service("default"), OUT / "default" / "demo"
    else:
        print("[bench] generating and loading the demo region …", flush=True)
        service, demo_dir, load_times = region("default", args.candidates, args.vacancies)
        results["load"] = load_times
        (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    from demoregion.truth import Truth

    truth = Truth.load(demo_dir / "truth")
    step("synonyms", quality.synonym_auc, service, which="test")
    step("synonyms_development", quality.synonym_auc, service, which="development")
    step("esco_normalisation", quality.esco_normalisation, service)
    step("esco_matches", quality.esco_matches, service)
    step("esco_matches_imported", quality.esco_matches, service, imported=True)
    step("shortlist_quality", quality.shortlist_quality_by_encoder, service, truth)
    step("extraction", optional, "extraction")
    step("latency", speed.in_process_latency, service)
    step("encoder_backends", speed.encoder_backends, service)
    if not args.skip_http:
        for workers in (1, 2):
            step(f"http_load_{workers}_workers", speed.http_load, service, service.settings.data_dir,
                 service.settings.models_dir, workers=workers)
        step("http_import", speed.http_import, service, demo_dir)
    step("rematch", optional, "rematch_bench", service, cli=False)  # the CLI wall time: `matcher rematch` itself
    step("ui", optional, "ui_bench", service)
    step("learning", optional, "learning_bench", service, truth, demo_dir=demo_dir)
    step("faults", optional, "fault_bench", service)  # last: it restarts the database under load
    service.db.close()
    if args.scale10:  # steps scale10_load, scale10_latency, scale10_rematch, scale10_learning (all unless named)
        big_only = {s for s in only if s.startswith("scale10_")}
        big_results = results.setdefault("scale10", {})
        big_dir = OUT / "scale10" / "demo"
        if args.reuse and "scale10_load" not in big_only and (big_dir / "manifest.json").exists():
            big = bench_service("scale10")
        else:
            big, big_dir, big_results["load"] = region("scale10", args.candidates * 10, args.vacancies * 10)
        only = big_only or {"scale10_latency", "scale10_rematch", "scale10_learning"}
        step("scale10_latency", speed.in_process_latency, big, samples=100, into=big_results, key="latency")
        step("scale10_rematch", optional, "rematch_bench", big, cli=False, into=big_results, key="rematch")
        step("scale10_learning", optional, "learning_bench", big, Truth.load(big_dir / "truth"), demo_dir=big_dir,
             into=big_results, key="learning")
        big.db.close()
    results["total_s"] = round(time.time() - started)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    from bench.report import write

    write(results, ROOT / "bench" / "RESULTS.md")
    print("[bench] wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
