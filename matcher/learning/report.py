"""`matcher report`: one self-contained HTML file on how matching is doing (charts inline, no links out).

What it shows (Dutch headings; for a team lead, functioneel beheer or a council):

- the funnel *getoond → voorgesteld → uitgenodigd → aangenomen → na 6 maanden aan het werk*, per
  municipality and per vacancy source. The unit is a candidate–vacancy pair; a pair belongs to the
  period in which it was first shown (or first recorded, for a manual match) and counts at a stage
  when any event at or beyond that stage was recorded for it (`matcher.learning.labels.REACHED`);
- outcome events per week; the served score of hires against rejections; calibration of the served
  scores against the labels of `matcher.learning.labels`;
- selection rates per group of each monitoring attribute: the share of a group's active candidates
  who were in a top 10, were proposed, were hired;
- the *bemiddelbaarheid* indicators per candidate (times on a shortlist, in a top 10, proposed,
  invited, days since the last match), shown **aggregated by trede** only.

Privacy: no candidate reference, name or free text appears in the file. Every table cell that counts
people or matches and lies between 1 and ``SMALL - 1`` is shown as ``<5``; municipalities, treden and
groups with fewer than ``SMALL`` people or pairs are merged into *overig (klein)*. Producing a report
is written to the audit log.
"""

from __future__ import annotations

import base64
import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from matcher.learning import charts, labels, outcomes, registry
from matcher.security import SYSTEM, Actor, audit

SMALL = 5
STAGES = ("shown", "proposed", "invited", "hired", "retained_6m")
STAGE_NL = {"shown": "getoond", "proposed": "voorgesteld", "invited": "uitgenodigd", "hired": "aangenomen",
            "retained_6m": "na 6 mnd aan het werk"}
EVENT_NL = {"proposed": "voorgesteld", "invited": "uitgenodigd", "interviewed": "gesprek", "hired": "aangenomen",
            "rejected": "afgewezen", "declined": "afgezegd door kandidaat", "no_show": "niet verschenen",
            "retained_6m": "na 6 mnd aan het werk", "left_job": "uit dienst"}
SOURCE_NL = {"wsp": "WSP", "scalabor": "Scalabor"}
OTHER = "overig (klein)"
STALE_DAYS = 90


@dataclass
class Pair:
    municipality: str
    source: str
    start: datetime
    shown: bool = False
    events: list[tuple[str, datetime]] = field(default_factory=list)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _cell(n: int | float | None) -> str:
    if n is None:
        return "–"
    if isinstance(n, float):
        return f"{n:.2f}"
    return f"<{SMALL}" if 0 < n < SMALL else str(n)


def _pct(part: int, whole: int) -> str:
    """A share, unless it would give away a count of 1 to SMALL - 1."""
    if not whole:
        return "–"
    return f"({_cell(part)})" if 0 < part < SMALL else f"{100 * part / whole:.0f}%"


def _drawn(part: float, value: float | None = None) -> float:
    """What a chart may draw for a count (or the share ``value`` computed from it): nothing for 1 to SMALL - 1."""
    return float("nan") if 0 < part < SMALL else float(part if value is None else value)


def _merge_small(counts: dict[str, int]) -> dict[str, str]:
    """Category -> the category it is shown under (small ones merged)."""
    return {k: (k if n >= SMALL else OTHER) for k, n in counts.items()}


# -- gathering ------------------------------------------------------------------------------------
def gather(service: Any, *, since: datetime | None, now: datetime, actor: Actor = SYSTEM) -> dict[str, Any]:
    with service.db.transaction() as conn:
        shown_pairs = list(conn.execute(
            """SELECT s.candidate_id, s.vacancy_id, min(s.created_at) AS first_shown, c.municipality, v.source
               FROM shown_matches s JOIN candidates c ON c.id = s.candidate_id JOIN vacancies v ON v.id = s.vacancy_id
               GROUP BY s.candidate_id, s.vacancy_id, c.municipality, v.source"""))
        events = list(conn.execute(
            f"""SELECT o.event, o.occurred_at, o.manual, o.shown_match_id, o.candidate_id, o.vacancy_id,
                      COALESCE(o.candidate_id::text, 'gewist-' || md5(COALESCE(o.request_id::text, '')
                               || COALESCE(o.features::text, ''))) AS person,
                      c.municipality, v.source
               FROM outcome_events o LEFT JOIN candidates c ON c.id = o.candidate_id
               LEFT JOIN vacancies v ON v.id = o.vacancy_id
               WHERE o.occurred_at <= %s AND {outcomes.LIVE} ORDER BY o.occurred_at, o.id""", (now,)))
        served = list(conn.execute(
            f"""SELECT s.id, s.score, s.created_at, r.model_version FROM shown_matches s
               JOIN shortlist_requests r ON r.id = s.request_id
               WHERE (%(since)s::timestamptz IS NULL OR s.created_at >= %(since)s)
                 AND EXISTS (SELECT 1 FROM outcome_events o WHERE o.shown_match_id = s.id AND {outcomes.LIVE})""",
            {"since": since}))
        people = list(conn.execute(
            """SELECT c.id, c.trede, c.status,
                      (SELECT max(s.created_at) FROM shown_matches s WHERE s.candidate_id = c.id) AS last_shown,
                      (SELECT count(*) FROM shown_matches s WHERE s.candidate_id = c.id
                         AND (%(since)s::timestamptz IS NULL OR s.created_at >= %(since)s)) AS shortlisted,
                      (SELECT count(*) FROM shown_matches s WHERE s.candidate_id = c.id AND s.rank <= 10
                         AND (%(since)s::timestamptz IS NULL OR s.created_at >= %(since)s)) AS top10
               FROM candidates c WHERE c.status = 'active'""", {"since": since}))
        monitoring = list(conn.execute(
            "SELECT candidate_id, attribute, value FROM candidate_monitoring WHERE attribute = ANY(%s)",
            (list(service.settings.monitoring_attributes),)))
        champion = service.models.champion(conn).version
        models = registry.list_versions(conn)
        audit(conn, actor, "report.generate",
              detail={"since": since.isoformat() if since else None, "candidates": len(people)})
    return {"shown_pairs": shown_pairs, "events": events, "served": served, "people": people,
            "monitoring": monitoring, "champion": champion, "models": models}


def _pairs(raw: dict[str, Any], since: datetime | None) -> dict[tuple[str, int | None], Pair]:
    pairs: dict[tuple[str, int | None], Pair] = {}
    for r in raw["shown_pairs"]:
        pairs[(str(r["candidate_id"]), r["vacancy_id"])] = Pair(r["municipality"], r["source"], r["first_shown"],
                                                                shown=True)
    for e in raw["events"]:
        key = (e["person"], e["vacancy_id"])
        if key not in pairs:
            pairs[key] = Pair(e["municipality"] or "onbekend (gewist)", e["source"] or "onbekend", e["occurred_at"],
                              shown=e["shown_match_id"] is not None)
        pairs[key].events.append((e["event"], e["occurred_at"]))
    return {k: p for k, p in pairs.items() if since is None or p.start >= since}


def funnel(pairs: Iterable[Pair], by: str) -> dict[str, dict[str, int]]:
    items = list(pairs)
    sizes = Counter(getattr(p, by) for p in items)
    shown_as = _merge_small(dict(sizes))
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for p in items:
        row = out[shown_as[getattr(p, by)]]
        names = [e for e, _ in p.events]
        row["shown"] += int(p.shown)
        for stage in STAGES[1:]:
            row[stage] += int(labels.reached(names, stage))
    total = dict.fromkeys(STAGES, 0)
    for row in out.values():
        for stage in STAGES:
            total[stage] += row[stage]
    result = dict(sorted(out.items(), key=lambda kv: (kv[0] == OTHER, -kv[1]["shown"], kv[0])))
    result["totaal"] = total
    return result


def weekly(events: Sequence[dict[str, Any]], since: datetime | None) -> tuple[list[str], dict[str, list[int]]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for e in events:
        if since is None or e["occurred_at"] >= since:
            year, week, _ = e["occurred_at"].isocalendar()
            counts[e["event"]][f"{year}-W{week:02d}"] += 1
    seen = sorted({w for c in counts.values() for w in c})
    weeks: list[str] = []
    if seen:  # every week from the first to the last, also the quiet ones
        year, week = (int(part) for part in seen[0].split("-W"))
        day = date.fromisocalendar(year, week, 1)
        while True:
            iso = day.isocalendar()
            weeks.append(f"{iso[0]}-W{iso[1]:02d}")
            if weeks[-1] == seen[-1]:
                break
            day += timedelta(days=7)
    return weeks, {EVENT_NL[name]: [counts[name][w] for w in weeks] for name in EVENT_NL if name in counts}


def served_labels(raw: dict[str, Any], now: datetime) -> list[tuple[float, str, labels.Label]]:
    """(served score, model version, label as known now) of every shown match with outcomes."""
    by_match: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for e in raw["events"]:
        if e["shown_match_id"] is not None:
            by_match[e["shown_match_id"]].append((e["event"], e["occurred_at"]))
    return [(float(r["score"]), r["model_version"], labels.label(by_match[r["id"]], now)) for r in raw["served"]]


def calibration_curves(rows: Sequence[tuple[float, str, labels.Label]]) -> tuple[dict[str, Any], dict[str, Any]]:
    from sklearn.calibration import calibration_curve

    curves: dict[str, Any] = {}
    table: dict[str, Any] = {}
    versions = Counter(v for _, v, lab in rows if lab.known)
    for version, _ in versions.most_common(3):
        y = np.array([lab.y for _, v, lab in rows if v == version and lab.known], dtype=np.float64)
        p = np.array([s for s, v, lab in rows if v == version and lab.known], dtype=np.float64)
        brier = float(np.mean((p - y) ** 2))
        table[version] = {"n": len(y), "brier": brier, "positive": float(y.mean())}
        if len(set(y.tolist())) == 2 and len(y) >= 20:
            observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
            curves[version] = (predicted.tolist(), observed.tolist())
    return curves, table


def group_rates(raw: dict[str, Any], pairs: dict[tuple[str, int | None], Pair]) -> dict[str, dict[str, Any]]:
    proposed: set[str] = set()
    hired: set[str] = set()
    for (person, _), p in pairs.items():
        names = [e for e, _ in p.events]
        if labels.reached(names, "proposed"):
            proposed.add(person)
        if labels.reached(names, "hired"):
            hired.add(person)
    active = {str(r["id"]): r for r in raw["people"]}
    by_attribute: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for m in raw["monitoring"]:
        if str(m["candidate_id"]) in active:
            by_attribute[m["attribute"]][m["value"]].append(str(m["candidate_id"]))
    out: dict[str, dict[str, Any]] = {}
    for attribute, groups in sorted(by_attribute.items()):
        shown_as = _merge_small({g: len(ids) for g, ids in groups.items()})
        merged: dict[str, list[str]] = defaultdict(list)
        for g, ids in groups.items():
            merged[shown_as[g]].extend(ids)
        rows = {}
        for g, ids in sorted(merged.items(), key=lambda kv: (kv[0] == OTHER, kv[0])):
            n = len(ids)
            top = sum(1 for i in ids if active[i]["top10"] > 0)
            rows[g] = {"candidates": n, "top10": top, "proposed": sum(i in proposed for i in ids),
                       "hired": sum(i in hired for i in ids)}
        rates = [r["top10"] / r["candidates"] for g, r in rows.items() if g != OTHER and r["candidates"]]
        out[attribute] = {"groups": rows, "gap": (max(rates) - min(rates)) if len(rates) >= 2 else None}
    return out


def indicators(raw: dict[str, Any], pairs: dict[tuple[str, int | None], Pair], now: datetime) -> dict[str, Any]:
    """Bemiddelbaarheid per candidate, aggregated by trede (nothing per person leaves this function)."""
    proposed: Counter[str] = Counter()
    invited: Counter[str] = Counter()
    for (person, _), p in pairs.items():
        names = [e for e, _ in p.events]
        proposed[person] += int(labels.reached(names, "proposed"))
        invited[person] += int(labels.reached(names, "invited"))
    by_trede: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in raw["people"]:
        days = (now - r["last_shown"]).days if r["last_shown"] is not None else None
        by_trede["onbekend" if r["trede"] is None else f"trede {r['trede']}"].append({
            "shortlisted": int(r["shortlisted"]), "top10": int(r["top10"]), "proposed": proposed[str(r["id"])],
            "invited": invited[str(r["id"])], "days": days})
    shown_as = _merge_small({t: len(rows) for t, rows in by_trede.items()})
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t, rows in by_trede.items():
        merged[shown_as[t]].extend(rows)
    out = {}
    for t, rows in sorted(merged.items(), key=lambda kv: (kv[0] == OTHER, kv[0])):
        days = [r["days"] for r in rows if r["days"] is not None]
        out[t] = {
            "candidates": len(rows),
            "never": sum(r["shortlisted"] == 0 for r in rows),
            "median_shortlisted": float(np.median([r["shortlisted"] for r in rows])),
            "median_top10": float(np.median([r["top10"] for r in rows])),
            "mean_proposed": float(np.mean([r["proposed"] for r in rows])),
            "mean_invited": float(np.mean([r["invited"] for r in rows])),
            "median_days": float(np.median(days)) if days else None,
            "stale": sum(r["days"] is None or r["days"] > STALE_DAYS for r in rows),
        }
    return out


# -- rendering ------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d1d1d;line-height:1.45;padding:0 1rem}
h1{color:#1f5f8b;margin-bottom:.2rem}h2{border-bottom:2px solid #1f5f8b;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem}th,td{border:1px solid #d0d7de;padding:.3rem .6rem}
th{background:#eef3f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto;display:block;margin:.6rem 0;border:1px solid #e5e5e5}
.meta{color:#555}.note{background:#f6f8fa;border-left:4px solid #1f5f8b;padding:.5rem .8rem;font-size:.9rem}
"""


def _img(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="{html.escape(alt)}">'


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = ["<table><thead><tr>", *(f"<th>{html.escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        for k, value in enumerate(row):
            css = ' class="n"' if k else ""
            out.append(f"<td{css}>{html.escape(str(value))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def models_html(models: Sequence[dict[str, Any]]) -> str:
    """Every trained version: what it was trained on, how it did against the champion of its day on the later
    period, and what the promotion rule decided; then the same as a learning curve over the training runs."""
    trained = [m for m in models if m["metrics"] and m["metrics"].get("challenger")]
    if not trained:
        return ("<p>Nog geen getraind model: alleen het vooraf ingestelde model. Leg uitkomsten vast en draai "
                "<code>matcher train</code>.</p>")
    status_nl = {"champion": "in gebruik", "challenger": "uitdager", "rejected": "teruggezet", "retired": "vervangen"}
    rows = []
    for m in trained:
        metrics = m["metrics"]
        counts, ci = metrics.get("counts", {}), metrics.get("loglik_gain_ci95")
        low, high = ci if ci else (None, None)
        # the log-likelihood the promotion rule decided on: pooled over the gate's periods where recorded
        decided = metrics.get("gate") or metrics
        rows.append([m["version"], status_nl.get(m["status"], m["status"]), f"{m['created_at']:%d-%m-%Y}",
                     _cell(counts.get("train_labelled")), metrics.get("champion_version", "–"),
                     _metric(decided["champion"].get("loglik")), _metric(decided["challenger"].get("loglik")),
                     "–" if low is None else f"{low:+.3f} … {high:+.3f}",
                     _metric(metrics["champion"].get("ndcg_at_10")), _metric(metrics["challenger"].get("ndcg_at_10")),
                     "ja" if metrics.get("decision", {}).get("promote") else "nee"])
    curve = charts.lines([r[2] for r in rows], {"model in gebruik": [_value(r[8]) for r in rows],
                                                "nieuw getraind": [_value(r[9]) for r in rows]},
                         title="Leercurve: NDCG@10 (gecorrigeerd voor positie) op de latere periode, per training",
                         ylabel="NDCG@10")
    return (_table(["versie", "status", "getraind op", "gelabelde voorbeelden", "vergeleken met",
                    "log-likelihood in gebruik", "log-likelihood nieuw", "winst (95%-interval, beslist)",
                    "NDCG@10 in gebruik", "NDCG@10 nieuw", "automatisch in gebruik"], rows)
            + "<p>De beslissing gebruikt de log-likelihood per trechterstap (uitgenodigd, aangenomen, na zes maanden "
              "nog aan het werk), gecorrigeerd voor de plaats in de lijst, op voorspellingen buiten de "
              "trainingsperiode: op enkele opeenvolgende momenten is een uitdager getraind op alles wat daarvoor "
              "getoond was en samen met het model in gebruik beoordeeld op de periode erna; de log-likelihood en het "
              "interval gaan over die perioden samen. NDCG@10 staat ernaast, op de laatste periode, ook "
              "gecorrigeerd voor de plaats in de lijst.</p>"
            + _img(curve, "Leercurve per training"))


def _metric(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _value(cell: str) -> float:
    return float("nan") if cell == "–" else float(cell)


def _funnel_html(title: str, rows: dict[str, dict[str, int]], label: str) -> str:
    body = _table([label, *(STAGE_NL[s] for s in STAGES), "aangenomen / voorgesteld"],
                  [[SOURCE_NL.get(k, k), *(_cell(r[s]) for s in STAGES), _pct(r["hired"], r["proposed"])]
                   for k, r in rows.items()])
    cats = [SOURCE_NL.get(k, k) for k in rows if k != "totaal"]
    chart = charts.grouped_bars(cats, {STAGE_NL[s]: [_drawn(rows[k][s]) for k in rows if k != "totaal"]
                                       for s in STAGES},
                                title=title, ylabel="aantal kandidaat–vacature-paren", log=True)
    return body + _img(chart, title)


def render(raw: dict[str, Any], *, since: datetime | None, now: datetime) -> tuple[str, dict[str, Any]]:
    pairs = _pairs(raw, since)
    by_municipality, by_source = funnel(pairs.values(), "municipality"), funnel(pairs.values(), "source")
    weeks, series = weekly(raw["events"], since)
    served = served_labels(raw, now)
    curves, calibration_table = calibration_curves(served)
    groups = group_rates(raw, pairs)
    per_trede = indicators(raw, pairs, now)
    hires = np.array([s for s, _, lab in served if lab.deciding in ("hired", "retained_6m", "left_job")])
    rejections = np.array([s for s, _, lab in served if lab.deciding == "rejected"])
    period = f"vanaf {since:%d-%m-%Y}" if since else "alle gegevens"

    parts = [
        "<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>werkmatch – rapportage matching en uitkomsten</title>", f"<style>{CSS}</style></head><body>",
        "<h1>Rapportage matching en uitkomsten</h1>",
        f'<p class="meta">Periode: {html.escape(period)} · gemaakt op {now:%d-%m-%Y %H:%M} UTC · huidig model: '
        f"{html.escape(raw['champion'])}</p>",
        '<p class="note">De ranglijst is een advies: een mens beslist. Dit rapport bevat geen namen of '
        f"kandidaatnummers; aantallen van 1 tot {SMALL - 1} staan er als &lt;{SMALL} (en worden in grafieken niet "
        "getekend), kleine groepen zijn samengevoegd tot <em>overig (klein)</em>.</p>",
        "<h2>Modellen</h2>",
        "<p>Elk getraind model wordt op dezelfde latere periode vergeleken met het model dat toen in gebruik was: "
        "hoe goed de volgorde van elk model verklaart wie werd uitgenodigd, aangenomen en bleef, gecorrigeerd "
        "voor de plaats in de lijst (een voorgestelde kandidaat van onderaan telt voor allen die daar stonden). "
        "De tabel toont ook de NDCG@10 met dezelfde correctie. Het neemt het alleen automatisch over "
        "als het beter is, met een 95%-interval van de winst boven nul, en de selectie per groep niet schever "
        "maakt; anders wacht het op een mens (<code>matcher models promote</code>).</p>",
        models_html(raw.get("models", [])),
        "<h2>Trechter per bron</h2>",
        "<p>Een paar is één kandidaat bij één vacature. Het telt mee vanaf de periode waarin het voor het eerst "
        "getoond (of handmatig vastgelegd) is, en bij een stap zodra er een uitkomst op of na die stap is.</p>",
        _funnel_html("Trechter per bron", by_source, "bron"),
        "<h2>Trechter per gemeente</h2>", _funnel_html("Trechter per gemeente", by_municipality, "gemeente"),
        "<h2>Uitkomsten door de tijd</h2>",
        _img(charts.lines(weeks, series, title="Uitkomsten per week", ylabel="aantal gebeurtenissen"),
             "Uitkomsten per week"),
        _table(["gebeurtenis", "totaal"], [[name, _cell(sum(v))] for name, v in series.items()]),
        "<h2>Score van aangenomen en afgewezen kandidaten</h2>",
        "<p>De score die het model gaf toen de match werd getoond.</p>",
        _img(charts.histograms({"aangenomen": hires, "afgewezen": rejections},
                               title="Score bij tonen: aangenomen tegenover afgewezen"), "Scoreverdeling"),
        "<h2>Kalibratie</h2>",
        "<p>Klopt de score als kans? Per model: gemiddelde score tegenover het aandeel met een positieve uitkomst "
        "(uitnodiging, aanname, na zes maanden aan het werk; zie de labeling).</p>",
        _img(charts.calibration(curves, title="Kalibratie van de getoonde scores"), "Kalibratie"),
        _table(["model", "matches met bekende uitkomst", "aandeel positief", "Brier-score"],
               [[v, _cell(t["n"]), f"{t['positive']:.2f}", f"{t['brier']:.3f}"]
                for v, t in calibration_table.items()]),
        "<h2>Selectie per groep</h2>",
        "<p>Per monitoringkenmerk (nooit gebruikt als kenmerk voor de score): welk deel van de actieve kandidaten "
        "in een top 10 stond, werd voorgesteld, werd aangenomen. Het verschil is het grootste min het kleinste "
        "aandeel in een top 10.</p>",
    ]
    for attribute, data in groups.items():
        rows = data["groups"]
        gap = "–" if data["gap"] is None else f"{100 * data['gap']:.0f} procentpunt"
        parts.append(f"<h3>{html.escape(attribute)} (verschil top 10: {gap})</h3>")
        parts.append(_table(["groep", "actieve kandidaten", "in een top 10", "voorgesteld", "aangenomen"],
                            [[g, _cell(r["candidates"]), _pct(r["top10"], r["candidates"]),
                              _pct(r["proposed"], r["candidates"]), _pct(r["hired"], r["candidates"])]
                             for g, r in rows.items()]))
        parts.append(_img(charts.grouped_bars(list(rows), {
            "in een top 10": [_drawn(r["top10"], r["top10"] / r["candidates"]) for r in rows.values()],
            "voorgesteld": [_drawn(r["proposed"], r["proposed"] / r["candidates"]) for r in rows.values()],
            "aangenomen": [_drawn(r["hired"], r["hired"] / r["candidates"]) for r in rows.values()]},
            title=f"Selectie per groep: {attribute}", ylabel="aandeel van de groep"), f"Selectie per {attribute}"))
    if not groups:
        parts.append("<p>Er zijn geen monitoringkenmerken vastgelegd.</p>")
    parts += [
        "<h2>Bemiddelbaarheid per trede</h2>",
        "<p>Indicatoren per kandidaat, hier alleen samengevat per trede: hoe vaak iemand op een shortlist stond "
        f"en in een top 10, hoe vaak voorgesteld en uitgenodigd, en hoeveel dagen geleden de laatste match was. "
        f"<em>Stil</em> = nooit of meer dan {STALE_DAYS} dagen niet op een shortlist. Alleen actieve kandidaten.</p>",
        _table(["trede", "kandidaten", "nooit op een shortlist", "mediaan keer op shortlist", "mediaan keer top 10",
                "gem. voorgesteld", "gem. uitgenodigd", "mediaan dagen sinds laatste match", "stil"],
               [[t, _cell(r["candidates"]), _pct(r["never"], r["candidates"]), f"{r['median_shortlisted']:.0f}",
                 f"{r['median_top10']:.0f}", f"{r['mean_proposed']:.2f}", f"{r['mean_invited']:.2f}",
                 "–" if r["median_days"] is None else f"{r['median_days']:.0f}", _pct(r["stale"], r["candidates"])]
                for t, r in per_trede.items()]),
        _img(charts.grouped_bars(list(per_trede), {
            "nooit op een shortlist": [_drawn(r["never"], r["never"] / r["candidates"]) for r in per_trede.values()],
            f"stil (> {STALE_DAYS} dagen)": [_drawn(r["stale"], r["stale"] / r["candidates"])
                                            for r in per_trede.values()]},
            title="Kandidaten zonder recente match per trede", ylabel="aandeel"), "Bemiddelbaarheid per trede"),
        "</body></html>",
    ]
    summary = {"pairs": len(pairs), "events": len(raw["events"]), "candidates": len(raw["people"]),
               "funnel": by_source["totaal"], "groups": {a: d["gap"] for a, d in groups.items()},
               "treden": list(per_trede)}
    return "\n".join(parts), summary


def write(service: Any, out: Path, *, since: datetime | None = None, now: datetime | None = None,
          actor: Actor = SYSTEM) -> dict[str, Any]:
    """Gather, render and write the report; returns a small summary (counts, no people)."""
    now = _aware(now or datetime.now(UTC))
    since = _aware(since) if since else None
    raw = gather(service, since=since, now=now, actor=actor)
    page, summary = render(raw, since=since, now=now)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return summary | {"out": str(out), "bytes": out.stat().st_size, "since": since.isoformat() if since else None,
                      "generated_at": now.isoformat(timespec="seconds")}
