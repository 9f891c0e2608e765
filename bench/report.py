"""Render bench/out/results.json as bench/RESULTS.md (run `python -m bench.report` to redo it alone)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.common import OUT, ROOT

CMD = "make bench  # = python -m bench.run"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _lead(values: dict[str, dict[str, float]], ours: str, metric: str) -> str:
    best_base = max((v[metric], k) for k, v in values.items() if not k.startswith(("werkmatch", "combined")))
    mine = values[ours][metric]
    return (f"{ours}: {metric} {mine:.3f} against the best baseline ({best_base[1]}) {best_base[0]:.3f}: "
            f"{'+' if mine >= best_base[0] else ''}{mine - best_base[0]:.3f} "
            f"({(mine / best_base[0] - 1) * 100 if best_base[0] else 0:+.0f} %).")


def _ingest(load: dict[str, Any]) -> str:
    ing = load["ingest"]
    return _table(["step", "rows", "seconds", "rows/s"], [
        ["generate demo region", "-", load["generate_s"], "-"],
        ["vocabulary label vectors (once; cached on disk)", "-", load.get("vocabulary_vectors_s", "-"), "-"],
        ["vacancies", ing["vacancies"]["rows"], ing["vacancies"]["seconds"], ing["vacancies"]["per_second"]],
        ["candidates", ing["candidates"]["rows"], ing["candidates"]["seconds"], ing["candidates"]["per_second"]],
        ["match index build (first query)", "-", load["index_build_s"], "-"],
    ])


def _growth(r: dict[str, Any], big: dict[str, Any]) -> str:
    """The same measurements at the default size and at 10×, side by side."""
    def rows_of(res: dict[str, Any]) -> dict[str, Any]:
        load, lat, rem = res.get("load", {}), res.get("latency", {}), (res.get("rematch") or {})
        ing = load.get("ingest", {})
        out: dict[str, Any] = {
            "candidates × vacancies (active × open)": f"{lat.get('candidates', 0):,} × {lat.get('vacancies', 0):,}",
            "ingest vacancies, rows/s": ing.get("vacancies", {}).get("per_second"),
            "ingest candidates, rows/s": ing.get("candidates", {}).get("per_second"),
            "match index build, s": load.get("index_build_s"),
        }
        for key, name in (("shortlist_one_vacancy_over_all_candidates", "shortlist"),
                          ("matches_one_candidate_over_all_vacancies", "matches for one person")):
            if key in lat:
                out[f"{name}, p50 / p95 ms"] = f"{lat[key]['p50_ms']} / {lat[key]['p95_ms']}"
        if "in_process" in rem:
            run = rem["in_process"]
            out["rematch pairs"] = f"{rem['pairs']:,}"
            out["rematch wall, s"] = run["wall_s"]
            out["rematch scoring, pairs/s"] = f"{run['pairs_per_second_scoring']:,}"
            out["rematch snapshot / scoring / writing, s"] = " / ".join(
                str(run["seconds"].get(k)) for k in ("snapshot", "scoring", "writing"))
        learn = res.get("learning") or {}
        if "training" in learn:
            sim = learn["simulated"]
            per_week = sim["shortlists"] // sim["weeks"]
            out[f"training (`matcher train`, {sim['weeks']} weeks × {per_week} shortlists), s"] = \
                learn["training"].get("seconds", "-")
            later = learn["truth_ndcg_at_10"]["later_period"]
            out["truth NDCG@10 later period, prior → trained"] = f"{later['prior']} → {later['trained']}"
        return out

    small, large = rows_of(r), rows_of(big)
    table = _table(["measurement", "default size", "10×"], [[k, small.get(k, "-"), v] for k, v in large.items()])
    return ("## Growth: the default size and 10× (90,000 candidates × 30,000 vacancies)\n\n"
            "Same commands on a region ten times larger (`python -m bench.run --reuse --only none --scale10`).\n\n"
            + table + "\n")


def render(r: dict[str, Any]) -> str:
    out = [f"# Benchmark results\n\nMachine: {r['machine']}  \nDate of the last step: {r['date']}  \n"
           f"Command: `{CMD}`; single steps are re-measured on the same loaded region with "
           "`python -m bench.run --reuse --only STEP[,STEP]` (step names are the keys of `bench/out/results.json`). "
           "Raw numbers: `bench/out/results.json` after a run.\n",
           f"Demo region: {r['size']['candidates']:,} candidates × {r['size']['vacancies']:,} vacancies "
           "(synthetic, `matcher demo generate`, seed 42).\n"]
    load = r.get("load")
    if load:
        out.append("## Ingest (bulk import through the production path, including normalisation and embedding)\n")
        out.append(_ingest(load) + "\n")
    for key, label in (("synonyms", "test set, `bench/data/dutch_synonym_test.tsv`: frozen before tuning, "
                                    "never tuned on"),
                       ("synonyms_development", "development set, `bench/data/dutch_synonym_pairs.tsv`: the "
                                                "vocabulary was written against it, so this is not evidence")):
        syn = r.get(key)
        if syn and "auc" in syn:
            out.append(f"## Dutch synonyms, {label} (ROC AUC, {syn['pairs']} pairs and {syn['non_pairs']} "
                       "hard non-pairs)\n")
            out.append(_table(["similarity", "ROC AUC"], [[k, v] for k, v in syn["auc"].items()]) + "\n")
    esco = r.get("esco_normalisation")
    if esco and "methods" in esco:
        out.append(f"## Dutch job-title normalisation on ESCO's held-out occupations ({esco['queries']} Dutch "
                   f"alternative labels of {esco.get('split', 'test')} occupations → one of {esco['occupations']:,} "
                   "occupations by preferred label; the blend was fitted on the train occupations)\n")
        out.append(_table(["method", "MRR", "Recall@10"],
                          [[k, v["mrr"], v["recall_at_10"]] for k, v in esco["methods"].items()]) + "\n")
        english = esco.get("english")
        if english:
            out.append(f"English, the same held-out occupations ({english['queries']} English alternative labels):\n")
            out.append(_table(["method", "MRR", "Recall@10"], [[k, v["mrr"], v["recall_at_10"]]
                                                                for k, v in english["methods"].items()]) + "\n")
    for em in (r.get("esco_matches"), r.get("esco_matches_imported")):
        if not em or "methods" not in em:
            continue
        out.append(f"## ESCO through the matches path, vocabulary: {em.get('vocabulary', 'shipped only')} "
                   f"({em['candidates']} candidates, one per alternative label of a held-out occupation, against "
                   f"{em['vacancies']:,} vacancies, one per occupation; the rank of the right vacancy in "
                   "`GET /v1/candidates/{ref}/matches`, served in-process)\n")
        out.append(_table(["method", "MRR", "Recall@10", "import s"],
                          [[k, v["mrr"], v["recall_at_10"], v.get("import_s", "-")]
                           for k, v in em["methods"].items()]) + "\n")
    sq_all = r.get("shortlist_quality")
    for encoder, sq in (sq_all.items() if isinstance(sq_all, dict) and "methods" not in sq_all else
                        [("", sq_all)] if sq_all else []):
        if not isinstance(sq, dict) or "methods" not in sq:
            continue
        out.append(f"## Shortlist quality against the hidden truth ({sq['vacancies']} vacancies × "
                   f"{sq['candidates']:,} active candidates, model {sq['model']}"
                   f"{', encoder ' + encoder if encoder else ''})\n")
        out.append(_table(["method", "NDCG@10", "Recall@10"],
                          [[k, v["ndcg_at_10"], v["recall_at_10"]] for k, v in sq["methods"].items()]) + "\n")
        out.append(_lead(sq["methods"], "werkmatch (prior model, no re-rank)", "ndcg_at_10") + "\n")
    ex = r.get("extraction")
    if ex and "eval" in ex:
        tunes = [t for t in ("tune", "tune2", "tune3", "tune4") if t in ex]
        out.append("## Reading vacancy texts (`python -m bench.extraction`; field-level precision, recall and F1)\n")
        out.append(f"Evaluation set: {ex['eval']['records']} annotated texts, frozen before tuning and never tuned on; "
                   f"tuning sets: {', '.join(str(ex[t]['records']) for t in tunes)} others. Extraction time "
                   f"per vacancy (evaluation set): p50 {ex['eval']['ms_per_vacancy']['p50']} ms, "
                   f"p95 {ex['eval']['ms_per_vacancy']['p95']} ms.\n")
        out.append(_table(["field", "P (eval)", "R (eval)", "F1 (eval)", "gold items",
                           *(f"F1 (tuning set {i + 1})" for i in range(len(tunes)))], [
            [k, v["precision"], v["recall"], v["f1"], v["gold_items"], *(ex[t]["fields"][k]["f1"] for t in tunes)]
            for k, v in ex["eval"]["fields"].items()]) + "\n")
    lat = r.get("latency")
    if lat:
        out.append(f"## Latency in-process ({lat['candidates']:,} candidates, {lat['vacancies']:,} vacancies)\n")
        out.append(_table(["operation", "n", "p50 ms", "p95 ms", "max ms"], [
            [k.replace("_", " "), v["n"], v["p50_ms"], v["p95_ms"], v["max_ms"]]
            for k, v in lat.items() if isinstance(v, dict)]) + "\n")
    loads = [v for k, v in sorted(r.items()) if k.startswith("http_load_") and "requests_per_s" in v]
    if loads:
        out.append("## HTTP shortlist endpoint under load (`matcher serve --workers N`, GET …/shortlist?limit=20, "
                   "a random open vacancy per request)\n")
        out.append(_table(["workers", "clients", "seconds", "requests", "errors", "requests/s", "p50 ms", "p95 ms"], [[
            h["workers"], h["clients"], h["seconds"], h["requests"], h["errors"], h["requests_per_s"], h["p50_ms"],
            h["p95_ms"]] for h in loads]) + "\n")
    imp = r.get("http_import")
    if imp and "seconds" in imp:
        out.append("## HTTP bulk import of vacancies (one `POST /v1/vacancies/import`, NDJSON, to `matcher serve` over "
                   "an empty database; normalisation, embedding and the all-or-nothing write included)\n")
        out.append(_table(["rows", "MB", "status", "created", "encoded", "seconds", "rows/s"], [[
            imp["rows"], round(imp["bytes"] / 1e6, 1), imp["status"], imp["created"], imp["encoded"], imp["seconds"],
            imp["rows_per_s"]]]) + "\n")
    for key, title in (("rematch", "Nightly rematch"), ("learning", "Learning from outcomes")):
        if r.get(key):
            out.append(f"## {title}\n\n```json\n{json.dumps(r[key], indent=2, default=str)}\n```\n")
    faults = r.get("faults")
    if faults:
        out.append("## Database restart under load (8 clients, shortlists; PostgreSQL stopped and started "
                   "again in the middle)\n\n```json\n" + json.dumps(faults, indent=2, default=str) + "\n```\n")
    big = r.get("scale10")
    if big and big.get("load"):
        out.append(_growth(r, big))
    if r.get("notes"):
        out.append("## Notes\n\n" + "\n".join(f"- {note}" for note in r["notes"]) + "\n")
    return "\n".join(out)


def write(results: dict[str, Any], path: Path) -> None:
    path.write_text(render(results))


if __name__ == "__main__":
    write(json.loads((OUT / "results.json").read_text()), ROOT / "bench" / "RESULTS.md")
