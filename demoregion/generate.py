"""Generate the synthetic demo region: observed (messy) candidates and vacancies plus the hidden latent truth.

Everything is drawn from seeded ``random.Random`` streams (string seeds are hashed with SHA-512, so results do
not depend on ``PYTHONHASHSEED``), nothing iterates over sets, and files are written with fixed JSON settings:
the same seed gives byte-identical files.

Proportions (documented in RULE.md, section "Population"):
- trede 0..5: 8 / 17 / 30 / 22 / 15 / 8 %  (the register is heavy in low treden; trede 0-2 = "het bestand")
- municipality: Arnhem 85 %, the other eight share 15 % (Rheden 3.5, Zevenaar 2.5, Renkum 2, Overbetuwe 2,
  Lingewaard 1.8, Duiven 1.5, Westervoort 1.5, Rozendaal 0.2)
- driving licence B: 15 / 22 / 32 / 45 / 55 / 65 % by trede (about 38 % overall)
- age band (monitoring only, independent of everything): 18-26 14 %, 27-44 38 %, 45-54 22 %, 55+ 26 %
- vacancies: WSP 65 %, Scalabor 35 %
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from . import geo
from . import world as W
from .truth import SCENARIO_FILE, SCENARIOS

GENERATOR_VERSION = "1.0.0"

T = TypeVar("T")

TREDE_WEIGHTS = (8, 17, 30, 22, 15, 8)
LICENCE_B_BY_TREDE = (0.15, 0.22, 0.32, 0.45, 0.55, 0.65)
RESTRICTION_RATE_BY_TREDE = (2.0, 1.6, 1.2, 0.7, 0.35, 0.15)  # mean number of true restrictions
AGE_BAND_WEIGHTS = (14, 38, 22, 26)
SCALABOR_SHARE = 0.35

_EDU_BASE: dict[str, float] = {
    "geen": 14, "vmbo": 20, "mbo1": 10, "mbo2": 20, "mbo3": 11, "mbo4": 10, "havo": 5, "vwo": 2, "hbo": 6, "wo": 2,
}
_DUTCH_BASE: dict[str, float] = {"A0": 3, "A1": 9, "A2": 22, "B1": 33, "B2": 19, "C1": 11, "C2": 3}


# ------------------------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------------------------
def _wchoice(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


def _poisson(rng: random.Random, lam: float) -> int:
    limit = math.exp(-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _shift_level(levels: Sequence[str], level: str, delta: int) -> str:
    i = levels.index(level) + delta
    return levels[max(0, min(len(levels) - 1, i))]


def _dump(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")


_OCC_CODES = [o.code for o in W.OCCUPATIONS]
_OCC = {o.code: o for o in W.OCCUPATIONS}
_BY_FAMILY: dict[str, list[str]] = {}
for _o in W.OCCUPATIONS:
    _BY_FAMILY.setdefault(_o.family, []).append(_o.code)


# ------------------------------------------------------------------------------------------------------------
# candidates
# ------------------------------------------------------------------------------------------------------------
def _pick_postcode(rng: random.Random, municipality: str) -> str:
    pcs = geo.postcodes_of(municipality)
    return _wchoice(rng, pcs, [geo.POSTCODE_WEIGHT.get(pc, 1.0) for pc in pcs])


def _latent_candidate(rng: random.Random, ref: str) -> dict[str, Any]:
    trede = _wchoice(rng, range(6), TREDE_WEIGHTS)
    muni = _wchoice(rng, list(geo.MUNICIPALITY_SHARE), list(geo.MUNICIPALITY_SHARE.values()))
    postcode = _pick_postcode(rng, muni)

    # education and true Dutch level (lower treden somewhat lower)
    edu_w: list[float] = []
    for lvl, w in _EDU_BASE.items():
        if trede <= 2 and W.EDUCATION_RANK[lvl] >= 3:
            w *= 0.6
        if trede <= 2 and lvl == "geen":
            w *= 1.4
        edu_w.append(w)
    education = _wchoice(rng, W.EDUCATION_LEVELS, edu_w)
    nl_w: list[float] = []
    for lvl, w in _DUTCH_BASE.items():
        rank = W.DUTCH_RANK[lvl]
        if trede <= 1 and rank <= 2:
            w *= 1.6
        if trede >= 4 and rank <= 2:
            w *= 0.6
        nl_w.append(w)
    dutch = _wchoice(rng, W.DUTCH_LEVELS, nl_w)
    e_rank, d_rank = W.EDUCATION_RANK[education], W.DUTCH_RANK[dutch]

    # true occupations with years and proficiency
    n_occ = _wchoice(rng, (0, 1, 2, 3), (15, 55, 23, 7) if trede == 0 else (4, 42, 38, 16))
    occ_w: list[float] = []
    for o in W.OCCUPATIONS:
        w = float(o.cand_weight)
        if W.EDUCATION_RANK[o.education] > e_rank + 1:
            w *= 0.15
        if W.DUTCH_RANK[o.dutch] > d_rank + 1:
            w *= 0.3
        occ_w.append(w)
    occs: dict[str, dict[str, float]] = {}
    rust = 0.9 if trede <= 1 else 1.0  # long time out of work: skills got rusty
    for k in range(n_occ):
        if k > 0 and rng.random() < 0.6:
            fam = _OCC[next(iter(occs))].family
            code = rng.choice(_BY_FAMILY[fam])
        else:
            code = _wchoice(rng, _OCC_CODES, occ_w)
        if code in occs:
            continue
        years = _wchoice(rng, (0.5, 1, 2, 3, 5, 8, 12, 20), (10, 16, 18, 16, 15, 12, 8, 5))
        if trede <= 1 and rng.random() < 0.5:
            years = max(0.5, years / 2)
        prof = _clip((0.25 + 0.12 * years**0.7 + rng.gauss(0, 0.12)) * rust, 0.05, 1.0)
        occs[code] = {"years": float(years), "proficiency": prof}

    # true skills
    skills: dict[str, float] = {}
    for code, rec in occs.items():
        p = rec["proficiency"]
        for k, s in enumerate(_OCC[code].skills):
            inc = (0.85 if k < 3 else 0.6) * (0.5 + 0.5 * p)
            if rng.random() < inc:
                level = _clip(p * rng.uniform(0.6, 1.1), 0.05, 1.0)
                skills[s] = max(skills.get(s, 0.0), level)
    for _ in range(rng.randint(1, 3)):
        s = rng.choice(W.GENERAL_SKILLS)
        skills[s] = max(skills.get(s, 0.0), rng.uniform(0.3, 0.9))
    if rng.random() < 0.15 + 0.07 * e_rank and "engels" not in skills:
        skills["engels"] = rng.uniform(0.3, 0.9)

    # wishes (true)
    n_wish = _wchoice(rng, (0, 1, 2, 3), (12, 50, 30, 8))
    wishes: list[str] = []
    for _ in range(n_wish):
        if occs and rng.random() < 0.6:
            codes = list(occs)
            code = _wchoice(rng, codes, [occs[c]["proficiency"] for c in codes])
        else:
            code = _wchoice(rng, _OCC_CODES, occ_w)
        if code not in wishes:
            wishes.append(code)

    # restrictions (true): more in low treden
    restrictions: list[dict[str, Any]] = []
    n_restr = min(4, _poisson(rng, RESTRICTION_RATE_BY_TREDE[trede]))
    pool = list(W.RESTRICTION_WEIGHTS)
    weights = list(W.RESTRICTION_WEIGHTS.values())
    for _ in range(n_restr):
        code = _wchoice(rng, pool, weights)
        i = pool.index(code)
        pool.pop(i)
        weights.pop(i)
        value: int | None = None
        if code == "max_lift_kg":
            value = rng.choice(W.LIFT_VALUES)
        elif code == "max_hours_week":
            value = rng.choice(W.HOURS_VALUES)
        restrictions.append({"code": code, "value": value})
    rcodes = [r["code"] for r in restrictions]

    # hours, shifts, travel, licences
    if trede <= 1:
        hmax = rng.choice((8, 12, 16, 20, 24, 28, 32))
    elif trede == 2:
        hmax = rng.choice((16, 20, 24, 28, 32, 36))
    else:
        hmax = rng.choice((20, 24, 28, 32, 36, 38, 40, 40))
    for r in restrictions:
        if r["code"] == "max_hours_week":
            hmax = min(hmax, r["value"])
    hmin = max(4, hmax - rng.choice((0, 4, 8, 8, 12, 16)))
    shifts = []
    if rng.random() < 0.97:
        shifts.append("day")
    if rng.random() < 0.40 and "no_evening" not in rcodes:
        shifts.append("evening")
    if rng.random() < 0.15 and "no_night" not in rcodes:
        shifts.append("night")
    if rng.random() < 0.40 and "no_weekend" not in rcodes:
        shifts.append("weekend")
    if not shifts:
        shifts = ["day"]
    licences: list[str] = []
    if rng.random() < LICENCE_B_BY_TREDE[trede]:
        licences.append("B")
        u = rng.random()
        if u < 0.03:
            licences += ["C", "CE"]
        elif u < 0.06:
            licences.append("C")
        elif u < 0.08:
            licences.append("D")
    if trede <= 1:
        travel = rng.choice((5, 5, 10, 10, 15))
    elif trede == 2:
        travel = rng.choice((5, 10, 10, 15, 20))
    elif trede == 3:
        travel = rng.choice((10, 15, 20, 25, 30))
    else:
        travel = rng.choice((10, 15, 20, 25, 30, 40))
    if licences:
        travel = min(40, travel + rng.choice((5, 10)))

    # certificates (true)
    certs: list[str] = []
    for code, rec in occs.items():
        for cert, p in _OCC[code].certs:
            if cert not in certs and rng.random() < min(0.9, 0.9 * p + 0.05) * (0.5 + 0.5 * rec["proficiency"]):
                certs.append(cert)
    for cert, p in (("vca_basis", 0.08), ("bhv", 0.05), ("ehbo", 0.06), ("vog", 0.05)):
        if cert not in certs and rng.random() < p:
            certs.append(cert)
    if any(lic in licences for lic in ("C", "CE", "D")) and rng.random() < 0.8 and "code95" not in certs:
        certs.append("code95")

    return {
        "ref": ref,
        "municipality": muni,
        "postcode": postcode,
        "trede": trede,
        "ability": _r(_clip(rng.gauss(0, 1), -2.5, 2.5)),
        "reliability": _r(rng.betavariate(5, 2.5)),
        "occupations": [{"code": c, "proficiency": _r(v["proficiency"]), "years": v["years"]} for c, v in occs.items()],
        "skills": [{"code": s, "proficiency": _r(v)} for s, v in skills.items()],
        "wishes": wishes,
        "restrictions": restrictions,
        "dutch_level": dutch,
        "education_level": education,
        "certificates": certs,
        "driving_licences": licences,
        "hours_min": hmin,
        "hours_max": hmax,
        "shifts": shifts,
        "max_travel_km": travel,
    }


_VAGUE_EXPERIENCE = ("diverse uitzendbanen", "vrijwilligerswerk", "mantelzorg", "bijbaantjes", "werkervaringsplek",
                     "stage", "vrijwilliger buurthuis", "oproepkracht")
_FREE_WISHES = ("maakt niet uit", "alles", "iets met mensen", "eerst dagbesteding", "weet nog niet", "parttime iets")


def _render_skill_labels(rng: random.Random, codes: list[str], typo_p: float, merge_p: float,
                         lower_p: float, preferred_p: float) -> list[str]:
    labels = [W.render(W.SKILLS[c], rng, typo_p=typo_p, lower_p=lower_p, preferred_p=preferred_p) for c in codes]
    out: list[str] = []
    i = 0
    while i < len(labels):
        if i + 1 < len(labels) and rng.random() < merge_p:
            k = 3 if i + 2 < len(labels) and rng.random() < 0.3 else 2
            sep = rng.choice((", ", " / ", "/", " en ", ", "))
            out.append(sep.join(labels[i:i + k]))
            i += k
        else:
            out.append(labels[i])
            i += 1
    return out


def _summary(rng: random.Random, lat: dict[str, Any], exp_labels: list[str], wish_labels: list[str]) -> str:
    trede = lat["trede"]
    parts: list[str] = []
    occs = lat["occupations"]
    if occs and exp_labels:
        yrs = occs[0]["years"]
        dur = f"{round(yrs)} jr" if yrs >= 1 else "kort"
        dur_long = f"ca. {round(yrs)} jaar" if yrs >= 1 else "een paar maanden"
        parts.append(rng.choice((
            f"kl. heeft ervaring als {exp_labels[0]} ({dur})",
            f"kl heeft {dur_long} gewerkt als {exp_labels[0]}",
            f"werkervaring o.a. als {exp_labels[0]}",
            f"eerder werkzaam als {exp_labels[0]}, wil weer aan de slag",
        )))
    elif trede <= 1:
        parts.append(rng.choice(("kl. lang uit arbeidsproces", "weinig recente werkervaring",
                                 "nog geen betaald werk gehad in NL", "kl. lang thuis geweest ivm zorgtaken")))
    else:
        parts.append(rng.choice(("weinig werkervaring", "kl. zoekt eerste baan", "werkervaring beperkt")))
    if wish_labels and wish_labels[0] in _FREE_WISHES:
        parts.append(f"wens: {wish_labels[0]}")
    elif wish_labels:
        parts.append(rng.choice((f"wil graag {wish_labels[0]}", f"wens: {wish_labels[0]}",
                                 f"zoekt werk als {wish_labels[0]}", f"motivatie voor {wish_labels[0]} is goed")))
    elif rng.random() < 0.5:
        parts.append(rng.choice(("staat open voor alles", "geen duidelijke wens", "wil vooral aan het werk")))
    extras: list[str] = []
    rcodes = [r["code"] for r in lat["restrictions"]]
    if "max_hours_week" in rcodes:
        h = next(r["value"] for r in lat["restrictions"] if r["code"] == "max_hours_week")
        extras.append(f"ivm belastbaarheid max {h} u pw")
    elif rcodes:
        extras.append(rng.choice(("beperkingen mbt belastbaarheid, zie profiel", "evt jobcoach nodig",
                                  "scalabor traject bespreken", "let op belastbaarheid")))
    if W.DUTCH_RANK[lat["dutch_level"]] <= 2:
        extras.append(rng.choice(("taalniveau nog laag, volgt taalles", "NT2 traject loopt",
                                  "spreekt beperkt nederlands",
                                  "nl taal aandachtspunt")))
    if trede >= 4:
        extras.append(rng.choice(("BAP kandidaat, snel bemiddelbaar", "direct beschikbaar", "goed bemiddelbaar")))
    elif trede <= 1:
        extras.append(rng.choice(("eerst stabiliseren, tzt bemiddeling", "nog niet bemiddelbaar, eerst traject",
                                  "kinderopvang nog regelen", "evt eerst vrijwilligerswerk")))
    if lat["driving_licences"] and rng.random() < 0.4:
        extras.append("heeft rijbewijs B")
    elif not lat["driving_licences"] and rng.random() < 0.3:
        extras.append(rng.choice(("geen rijbewijs, fiets", "ov afhankelijk")))
    rng.shuffle(extras)
    parts += extras[: rng.randint(0, 2)]
    text = ". ".join(parts)
    text = text.lower() if rng.random() < 0.7 else text[:1].upper() + text[1:]
    if rng.random() < 0.2:
        words = text.split(" ")
        idx = [i for i, w in enumerate(words) if len(w) >= 5]
        if idx:
            i = rng.choice(idx)
            words[i] = W.typo(words[i], rng)
            text = " ".join(words)
    if rng.random() < 0.5:
        text += "."
    return text


def _observe_candidate(rng: random.Random, lat: dict[str, Any], age_band: str) -> dict[str, Any]:
    trede = lat["trede"]
    occ_years = {o["code"]: o["years"] for o in lat["occupations"]}
    # skills: missing ones not typed in, messy labels, a few aspirational extras
    shown: list[str] = []
    for s in lat["skills"]:
        if rng.random() < 0.45 + 0.45 * s["proficiency"]:
            shown.append(s["code"])
    if rng.random() < 0.15:
        pool = [sk for c in lat["wishes"] for sk in _OCC[c].skills] or list(W.GENERAL_SKILLS)
        extra = rng.choice(pool)
        if extra not in shown:
            shown.append(extra)
    rng.shuffle(shown)
    labels = _render_skill_labels(rng, shown, typo_p=0.25, merge_p=0.12, lower_p=0.6, preferred_p=0.35)
    skills_out: list[dict[str, Any]] = []
    for lab in labels:
        years: float | None = None
        if rng.random() < 0.45:
            years = float(rng.choice((1, 1, 2, 2, 3, 4, 5, 6, 8, 10)))
        skills_out.append({"label": lab, "years": years})
    # experience
    experience: list[dict[str, Any]] = []
    exp_labels: list[str] = []
    for code, yrs in occ_years.items():
        if rng.random() < 0.85:
            title = W.render(_OCC[code].forms, rng, typo_p=0.15, lower_p=0.6, preferred_p=0.45)
            exp_labels.append(title)
            y: float | None = None
            if rng.random() < 0.7:
                y = float(max(0.5, round(yrs + rng.choice((-1, 0, 0, 0, 1)), 0))) if yrs >= 1 else 0.5
            experience.append({"title": title, "years": y})
    if rng.random() < 0.2:
        experience.append({"title": rng.choice(_VAGUE_EXPERIENCE), "years": None})
    # wishes
    desired: list[str] = []
    for code in lat["wishes"]:
        if rng.random() < 0.15:
            desired.append(rng.choice(W.FAMILIES[_OCC[code].family]))
        else:
            desired.append(W.render(_OCC[code].forms, rng, typo_p=0.12, lower_p=0.65, preferred_p=0.5))
    if not desired and rng.random() < 0.4:
        desired.append(rng.choice(_FREE_WISHES))
    # certificates
    certs_out: list[str] = []
    for c in lat["certificates"]:
        if rng.random() < 0.85:
            certs_out.append(W.render(W.CERTIFICATES[c][0], rng, typo_p=0.08, lower_p=0.45, preferred_p=0.45))
    if rng.random() < 0.04:
        c = rng.choice(("vca_basis", "heftruck", "bhv", "ehbo"))
        certs_out.append(W.CERTIFICATES[c][0][0] + rng.choice((" (verlopen)", " verlopen", " - verlopen 2019")))
    # observed levels
    r = rng.random()
    dutch: str | None = lat["dutch_level"]
    if r < 0.05:
        dutch = None
    elif r < 0.20:
        dutch = _shift_level(W.DUTCH_LEVELS, lat["dutch_level"], rng.choice((-1, 1)))
    r = rng.random()
    edu: str | None = lat["education_level"]
    if r < 0.05:
        edu = None
    elif r < 0.12:
        edu = _shift_level(W.EDUCATION_LEVELS, lat["education_level"], rng.choice((-1, 1)))
    # restrictions: 70 % as code, 20 % as free text, 10 % not recorded at all
    restr_out: list[dict[str, Any]] = []
    for rr in lat["restrictions"]:
        x = rng.random()
        if x < 0.10:
            continue
        if x < 0.30:
            text = rng.choice(W.RESTRICTION_TEXTS[rr["code"]]).format(v=rr["value"])
            if rng.random() < 0.15:
                text = W.typo(text, rng)
            restr_out.append({"text": text})
        else:
            item: dict[str, Any] = {"code": rr["code"]}
            if rr["value"] is not None:
                item["value"] = rr["value"]
            restr_out.append(item)
    status = _wchoice(rng, ("active", "paused", "placed"), (86, 9, 5))
    return {
        "ref": lat["ref"],
        "municipality": lat["municipality"],
        "postcode": lat["postcode"],
        "trede": trede,
        "hours_min": lat["hours_min"],
        "hours_max": lat["hours_max"],
        "max_travel_km": lat["max_travel_km"],
        "driving_licences": list(lat["driving_licences"]),
        "dutch_level": dutch,
        "education_level": edu,
        "certificates": certs_out,
        "skills": skills_out,
        "experience": experience,
        "desired_occupations": desired,
        "shifts": list(lat["shifts"]),
        "restrictions": restr_out,
        "summary": _summary(rng, lat, exp_labels, desired),
        "status": status,
        "monitoring": {"age_band": age_band},
    }


# ------------------------------------------------------------------------------------------------------------
# vacancies
# ------------------------------------------------------------------------------------------------------------
_EMPLOYER_PATTERNS: dict[str, tuple[str, ...]] = {
    "logistiek": ("Distributiecentrum {r}", "{r} Logistics", "Transport & Logistiek {r}", "Warehousing {r}",
                  "{r} Fulfilment", "Opslag en Distributie {r}"),
    "schoonmaak": ("Schoonmaakbedrijf {r}", "{r} Facilitaire Diensten", "Schoonmaakgroep {r}",
                   "Reinigingsbedrijf {r}", "Schoonmaakdiensten {r}"),
    "productie": ("{r} Metaal", "{r} Verpakkingen", "Productiebedrijf {r}", "{r} Kunststoffen", "{r} Industrie",
                  "Fabriek {r}"),
    "horeca": ("Restaurant {r}", "Hotel {r}", "Eetcafé {r}", "Grand Café {r}", "Cateringbedrijf {r}",
               "Partycentrum {r}", "Lunchroom {r}"),
    "detailhandel": ("Modehuis {r}", "Winkelcentrum {r}", "Warenhuis {r}", "Schoenenwinkel {r}",
                     "Woonwinkel {r}"),
    "zorg": ("Zorgcentrum {r}", "Woonzorgcentrum {r}", "Thuiszorg {r}", "Stichting Zorggroep {r}", "Zorginstelling {r}",
             "Dagbesteding {r}"),
    "kinderopvang_onderwijs": ("Kinderopvang {r}", "Kinderdagverblijf {r}", "Kindcentrum {r}", "BSO {r}"),
    "groen": ("Hoveniersbedrijf {r}", "Groenbedrijf {r}", "Groenvoorziening {r}", "Tuinen {r}"),
    "bouw_techniek": ("Bouwbedrijf {r}", "Aannemersbedrijf {r}", "Installatiebedrijf {r}", "Onderhoudsbedrijf {r}",
                      "Bouwgroep {r}", "Technisch Bureau {r}"),
    "beveiliging": ("Beveiligingsbedrijf {r}", "{r} Security", "Toezicht & Handhaving {r}",
                    "Beveiligingsdiensten {r}"),
    "vervoer": ("Transportbedrijf {r}", "Vervoersbedrijf {r}", "Transport {r}", "Expeditiebedrijf {r}"),
    "klantcontact": ("Klantcontactcentrum {r}", "{r} Callcenter", "Servicecentrum {r}", "Contactcenter {r}"),
    "administratie_facilitair": ("Administratiekantoor {r}", "Woningcorporatie {r}", "Kantoorcentrum {r}",
                                 "Scholengemeenschap {r}", "{r} Diensten", "Facilitair Bedrijf {r}"),
    "overig": ("Recreatiepark {r}", "Sportcentrum {r}", "Camping {r}", "Vakantiepark {r}", "Zwembad {r}"),
}
#: occupations whose employers are a recognisable kind of business get their own employer pool
_OCC_EMPLOYER_PATTERNS: dict[str, tuple[str, ...]] = {
    "bakker": ("Bakkerij {r}", "Warme Bakker {r}", "Broodfabriek {r}"),
    "medewerker_wasserij": ("Wasserij {r}", "Textielservice {r}", "Linnenservice {r}"),
    "medewerker_drukkerij": ("Drukkerij {r}", "{r} Print & Media"),
    "medewerker_recycling": ("Recyclingbedrijf {r}", "{r} Recycling", "Milieustraat {r}"),
    "productiemedewerker_food": ("Voedingsbedrijf {r}", "{r} Foods", "Vleeswarenfabriek {r}", "Zuivelbedrijf {r}"),
    "vleesverwerker": ("Vleesverwerkingsbedrijf {r}", "Slachterij {r}", "{r} Vleeswaren"),
    "glazenwasser": ("Glazenwassersbedrijf {r}", "Glasbewassing {r}"),
    "autowasser": ("Wasstraat {r}", "Autowascentrum {r}"),
    "housekeeping": ("Hotel {r}", "Hotel {r}", "Congreshotel {r}"),
    "medewerker_kringloop": ("Kringloopwinkel {r}", "Kringloop {r}"),
    "medewerker_tuincentrum": ("Tuincentrum {r}",),
    "medewerker_bouwmarkt": ("Bouwmarkt {r}", "Bouwcenter {r}"),
    "medewerker_tankstation": ("Tankstation {r}",),
    "kassamedewerker": ("Supermarkt {r}", "Buurtsuper {r}", "Drogisterij {r}"),
    "vakkenvuller": ("Supermarkt {r}", "Distributiewinkel {r}"),
    "medewerker_vers": ("Supermarkt {r}", "Versmarkt {r}"),
    "kwekerijmedewerker": ("Kwekerij {r}", "Boomkwekerij {r}", "Plantenkwekerij {r}"),
    "oogstmedewerker": ("Fruitteeltbedrijf {r}", "Fruitbedrijf {r}", "Appel- en Perenteelt {r}"),
    "straatreiniger": ("Reinigingsdienst {r}", "Stadsreiniging {r}"),
    "afvalinzamelaar": ("Afvalbeheer {r}", "Afvalinzameling {r}"),
    "fietsenmaker": ("Fietsenwerkplaats {r}", "Rijwielhandel {r}"),
    "automonteur": ("Autobedrijf {r}", "Garage {r}"),
    "schilder": ("Schildersbedrijf {r}",),
    "stratenmaker": ("Bestratingsbedrijf {r}", "Straatwerk {r}"),
    "verkeersregelaar": ("Verkeersregelaars {r}", "Evenementenbeveiliging {r}"),
    "suppoost": ("Museum {r}", "Openluchtcentrum {r}"),
    "taxichauffeur": ("Taxicentrale {r}", "Zorgvervoer {r}"),
    "buschauffeur": ("Busvervoer {r}", "Touringcarbedrijf {r}"),
    "pakketbezorger": ("Pakketdienst {r}", "Koeriersdienst {r}"),
    "postbezorger": ("Postbezorging {r}", "Bezorgdienst {r}"),
    "maaltijdbezorger": ("Pizzeria {r}", "Bezorgservice {r}"),
    "kapper": ("Kapsalon {r}", "Kappersvakschool {r}"),
    "dierverzorger": ("Dierenopvang {r}", "Kinderboerderij {r}", "Dierenpension {r}"),
    "onderwijsassistent": ("Basisschool {r}", "Kindcentrum {r}"),
    "overblijfkracht": ("Basisschool {r}",),
}

_EMPLOYER_ROOTS = ("Gelderland", "De Linge", "De Liemers", "Rijnstad", "De Betuwe", "Veluwezoom", "Rijnoever",
                   "De IJssel", "Midden-Gelderland", "Gelre", "Rijnboog", "De Eendracht", "De Hoeksteen", "Zonnehof",
                   "De Schakel", "Het Anker", "De Brug", "Rijnzicht", "Lingedal", "Heuvelrand", "Oost", "Het Broek",
                   "De Kroon", "Den Heuvel", "De Waard", "Rijnpoort", "De Meander", "Het Park", "De Beemd",
                   "Zuiderhof")
_SCALABOR_DEPTS = {
    "groen": "Scalabor Groen", "schoonmaak": "Scalabor Schoonmaak", "productie": "Scalabor Productie & Assemblage",
    "logistiek": "Scalabor Logistiek", "horeca": "Scalabor Horeca", "administratie_facilitair": "Scalabor Facilitair",
}
_FAMILY_FIRMS = ("Bakkerij", "Schildersbedrijf", "Hoveniersbedrijf", "Bouwbedrijf", "Aannemersbedrijf", "Autobedrijf",
                 "Garage", "Installatiebedrijf", "Warme", "Rijwielhandel", "Transportbedrijf", "Kwekerij",
                 "Fruitteeltbedrijf", "Slachterij")
_SCALABOR_SITES = ("6827", "6825", "6836")


def _employer_postcode(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.60:
        return rng.choice(geo.postcodes_of("arnhem"))
    if r < 0.85:
        muni = _wchoice(rng, list(geo.MUNICIPALITY_SHARE)[1:], list(geo.MUNICIPALITY_SHARE.values())[1:])
        return rng.choice(geo.postcodes_of(muni))
    if r < 0.95:
        return rng.choice(geo.postcodes_of("nijmegen"))
    return rng.choice(geo.postcodes_of("ede"))


class _Employers:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.by_family: dict[str, list[tuple[str, str]]] = {}
        self.names: set[str] = set()

    def pick(self, occupation: str, family: str) -> tuple[str, str]:
        kind = occupation if occupation in _OCC_EMPLOYER_PATTERNS else family
        patterns = _OCC_EMPLOYER_PATTERNS.get(occupation) or _EMPLOYER_PATTERNS[family]
        pool = self.by_family.setdefault(kind, [])
        if pool and self.rng.random() > 0.3:
            return self.rng.choice(pool)
        for _ in range(20):
            root = self.rng.choice(_EMPLOYER_ROOTS)
            if self.rng.random() < 0.3:
                pc_place = geo.place_of(_employer_postcode(self.rng))
                root = pc_place if pc_place not in ("Nijmegen", "Ede") or self.rng.random() < 0.5 else root
            name = self.rng.choice(patterns).format(r=root)
            r = self.rng.random()
            if r < 0.35:
                name += " B.V." if self.rng.random() < 0.3 else " BV"
            elif r < 0.40 and name.split(" ")[0] in _FAMILY_FIRMS:
                name += " & Zn."
            if name not in self.names:
                break
        self.names.add(name)
        pc = _employer_postcode(self.rng)
        pool.append((name, pc))
        return name, pc


def _hours_for(rng: random.Random, occ: W.Occupation, scalabor: bool) -> tuple[int, int]:
    lo, hi = occ.hours
    options = [h for h in range(4, 41, 4) if lo <= h <= hi] or [hi]
    if hi == 40 and 38 not in options:
        options.append(38)
    hmax = rng.choice(options)
    hmin = max(lo, hmax - rng.choice((0, 0, 4, 8, 12)))
    if scalabor:
        hmax = min(hmax, rng.choice((20, 24, 28, 32, 32)))
        hmin = min(hmin, rng.choice((8, 12, 16, 16)), hmax)
    return int(min(hmin, hmax)), int(hmax)


def _latent_vacancy(rng: random.Random, employers: _Employers) -> dict[str, Any]:
    scalabor = rng.random() < SCALABOR_SHARE
    weights = [o.scalabor_weight if scalabor else o.vac_weight for o in W.OCCUPATIONS]
    code = _wchoice(rng, _OCC_CODES, weights)
    occ = _OCC[code]
    if scalabor and occ.family in _SCALABOR_DEPTS and rng.random() < 0.4:
        employer, postcode = _SCALABOR_DEPTS[occ.family], rng.choice(_SCALABOR_SITES)
    else:
        employer, postcode = employers.pick(occ.code, occ.family)
    hmin, hmax = _hours_for(rng, occ, scalabor)
    d = occ.demands
    shifts: list[str] = []
    if rng.random() < 0.95 or not any(d[k] > 0.5 for k in ("evening_work", "night_work")):
        shifts.append("day")
    if rng.random() < d["evening_work"]:
        shifts.append("evening")
    if rng.random() < d["night_work"] * (0.5 if scalabor else 1.0):
        shifts.append("night")
    if rng.random() < d["weekend_work"]:
        shifts.append("weekend")
    if not shifts:
        shifts.append("evening" if d["evening_work"] > 0.5 else "day")
    demands: list[dict[str, Any]] = []
    if occ.lift_kg > 0:
        demands.append({"code": "lift_kg", "value": int(max(5, occ.lift_kg + rng.choice((-5, 0, 0, 5, 10))))})
    for sh, dc in (("night", "night_work"), ("evening", "evening_work"), ("weekend", "weekend_work")):
        if sh in shifts:
            demands.append({"code": dc, "value": None})
    licences: list[str] = []
    if occ.licence and rng.random() < occ.licence_p:
        licences.append(occ.licence)
    for dc in ("standing", "high_stimulus", "customer_contact", "heights", "driving", "outdoor"):
        if dc == "driving":
            if licences or rng.random() < d[dc] * 0.2:
                demands.append({"code": dc, "value": None})
        elif rng.random() < d[dc]:
            demands.append({"code": dc, "value": None})
    # support
    support: list[str] = []
    if scalabor:
        for s, p in (("jobcoach", 0.70), ("jobcarving", 0.50), ("loonkostensubsidie", 0.40), ("proefplaatsing", 0.30)):
            if rng.random() < p:
                support.append(s)
        if not support:
            support.append(rng.choice(("jobcoach", "jobcarving")))
    else:
        for s, p in (("jobcoach", 0.03), ("jobcarving", 0.03), ("loonkostensubsidie", 0.12), ("proefplaatsing", 0.10)):
            if rng.random() < p:
                support.append(s)
    # skills
    osk = list(occ.skills)
    n_req = min(len(osk), rng.randint(3, 5))
    required = osk[: min(2, len(osk))]
    rest = osk[len(required):]
    while len(required) < n_req and rest:
        s = _wchoice(rng, rest, [1.0 / (k + 1) for k in range(len(rest))])
        rest.remove(s)
        required.append(s)
    preferred: list[str] = []
    for _ in range(rng.randint(1, 2)):
        pool = rest if rest and rng.random() < 0.6 else [g for g in W.GENERAL_SKILLS if g not in required]
        s = rng.choice(pool)
        if s not in preferred and s not in required:
            preferred.append(s)
            if s in rest:
                rest.remove(s)
    certs: list[str] = []
    for c, p in occ.certs:
        if rng.random() < p * (0.5 if scalabor else 1.0):
            certs.append(c)
    if licences and any(lic in ("C", "CE", "D") for lic in licences) and "code95" not in certs:
        certs.append("code95")
    dutch = occ.dutch
    if scalabor:
        dutch = _shift_level(W.DUTCH_LEVELS, dutch, _wchoice(rng, (0, -1, -2), (40, 50, 10)))
        if dutch == "A0":
            dutch = "A1"
    else:
        dutch = _shift_level(W.DUTCH_LEVELS, dutch, _wchoice(rng, (0, -1, 1), (70, 15, 15)))
    if scalabor:
        edu = "geen" if rng.random() < 0.7 else occ.education
    else:
        edu = occ.education if rng.random() < 0.75 else _shift_level(W.EDUCATION_LEVELS, occ.education, -1)
    positions = _wchoice(rng, (1, 2, 3, 4, 5), (55, 20, 12, 7, 6))
    return {
        "source": "scalabor" if scalabor else "wsp",
        "external_id": "",  # numbered by generate()
        "occupation": code,
        "family": occ.family,
        "employer": employer,
        "postcode": postcode,
        "hours_min": hmin,
        "hours_max": hmax,
        "shifts": shifts,
        "required_skills": required,
        "preferred_skills": preferred,
        "certificates": certs,
        "driving_licences": licences,
        "dutch_level": dutch,
        "education_level": edu,
        "demands": demands,
        "support": support,
        "positions": positions,
    }


_SHIFT_NL = {"day": "dagdienst", "evening": "avonddienst", "night": "nachtdienst", "weekend": "weekend"}


def _description(rng: random.Random, lat: dict[str, Any], title: str) -> str:
    place = geo.place_of(lat["postcode"])
    label = _OCC[lat["occupation"]].label
    hours = f"{lat['hours_min']}-{lat['hours_max']}" if lat["hours_min"] != lat["hours_max"] else str(lat["hours_max"])
    s1 = rng.choice((
        f"{lat['employer']} in {place} zoekt een {label} voor {hours} uur per week.",
        f"Voor onze vestiging in {place} zoeken wij een enthousiaste {label} ({hours} uur).",
        f"Ben jij de {label} die ons team in {place} komt versterken? Het gaat om {hours} uur per week.",
        f"Wij zoeken per direct een {label} voor {hours} uur per week in {place}.",
    ))
    tasks = [W.SKILLS[s][0].lower() for s in lat["required_skills"] if s not in W.GENERAL_SKILLS][:3]
    if len(tasks) >= 2:
        s2 = rng.choice((
            f"Je werkzaamheden bestaan onder meer uit {', '.join(tasks[:-1])} en {tasks[-1]}.",
            f"Je houdt je bezig met {', '.join(tasks[:-1])} en {tasks[-1]}.",
            f"Taken: {', '.join(tasks)}.",
        ))
    else:
        s2 = f"Je houdt je vooral bezig met {tasks[0] if tasks else 'uiteenlopende werkzaamheden'}."
    sentences = [s1, s2]
    codes = {d["code"]: d.get("value") for d in lat["demands"]}
    extra: list[str] = []
    if len(lat["shifts"]) > 1:
        extra.append("Je werkt in wisselende diensten (" + ", ".join(_SHIFT_NL[s] for s in lat["shifts"]) + ").")
    if "lift_kg" in codes and codes["lift_kg"] and codes["lift_kg"] >= 15:
        extra.append(f"Het werk is fysiek: je tilt regelmatig tot {codes['lift_kg']} kg.")
    if "outdoor" in codes:
        extra.append("Je werkt veel buiten, ook bij minder mooi weer.")
    if lat["driving_licences"]:
        extra.append(f"Rijbewijs {lat['driving_licences'][0]} is vereist.")
    if lat["certificates"]:
        extra.append(f"{W.CERTIFICATES[lat['certificates'][0]][0][0]} is vereist of haal je bij ons.")
    sup = lat["support"]
    if lat["source"] == "scalabor":
        bits = []
        if "jobcoach" in sup:
            bits.append("je wordt begeleid door een jobcoach")
        if "jobcarving" in sup:
            bits.append("we passen de taken aan op wat jij kunt")
        if "proefplaatsing" in sup:
            bits.append("je start met een proefplaatsing")
        if "loonkostensubsidie" in sup:
            bits.append("loonkostensubsidie is mogelijk")
        extra.insert(0, "Via Scalabor: " + ", ".join(bits) + "." if bits else "Via Scalabor.")
    elif sup:
        extra.append(rng.choice(("Deze werkgever staat open voor een proefplaatsing of loonkostensubsidie.",
                                 "Kandidaten met afstand tot de arbeidsmarkt worden nadrukkelijk uitgenodigd.")))
    else:
        extra.append(rng.choice(("Ervaring is mooi maar niet noodzakelijk; je krijgt een goede inwerkperiode.",
                                 "Goede arbeidsvoorwaarden volgens cao.", "Je komt in een hecht team.")))
    sentences += extra[: rng.randint(1, 2)]
    _ = title
    return " ".join(sentences)


def _observe_vacancy(rng: random.Random, lat: dict[str, Any]) -> dict[str, Any]:
    occ = _OCC[lat["occupation"]]
    title = W.render(occ.forms, rng, typo_p=0.06, lower_p=0.15, preferred_p=0.55)
    title = title[:1].upper() + title[1:]
    r = rng.random()
    if r < 0.15:
        title += rng.choice((" (m/v)", " (m/v/x)", " m/v"))
    elif r < 0.25:
        title += f" {lat['hours_min']}-{lat['hours_max']} uur" if lat["hours_min"] != lat["hours_max"] else " fulltime"
    elif r < 0.32:
        title += " " + geo.place_of(lat["postcode"])
    elif r < 0.37:
        title = rng.choice(("Ervaren ", "Allround ", "Parttime ", "Enthousiaste ")) + title[:1].lower() + title[1:]
    if lat["source"] == "scalabor" and rng.random() < 0.2:
        title = rng.choice(("Leerwerkplek ", "Werkervaringsplek ", "Participatiebaan ")) + title[:1].lower() + title[1:]
    req = _render_skill_labels(rng, [s for s in lat["required_skills"] if rng.random() < 0.9], typo_p=0.06,
                               merge_p=0.05, lower_p=0.35, preferred_p=0.55)
    pref = _render_skill_labels(rng, [s for s in lat["preferred_skills"] if rng.random() < 0.85], typo_p=0.06,
                                merge_p=0.0, lower_p=0.35, preferred_p=0.55)
    certs = [W.render(W.CERTIFICATES[c][0], rng, typo_p=0.03, lower_p=0.2, preferred_p=0.6)
             for c in lat["certificates"] if rng.random() < 0.95]
    demands = [dict(d) if d["value"] is not None else {"code": d["code"]} for d in lat["demands"]
               if rng.random() < 0.9]
    closes = _closes_at(rng)
    status = _wchoice(rng, ("open", "filled", "closed"), (92, 4, 4))
    return {
        "source": lat["source"],
        "external_id": lat["external_id"],
        "title": title,
        "description": _description(rng, lat, title),
        "employer": lat["employer"],
        "postcode": lat["postcode"],
        "hours_min": lat["hours_min"],
        "hours_max": lat["hours_max"],
        "shifts": list(lat["shifts"]),
        "required_skills": req,
        "preferred_skills": pref,
        "certificates": certs,
        "driving_licences": list(lat["driving_licences"]),
        "dutch_level": lat["dutch_level"],
        "education_level": lat["education_level"],
        "demands": demands,
        "support": list(lat["support"]),
        "positions": lat["positions"],
        "closes_at": closes,
        "status": status,
    }


def _closes_at(rng: random.Random) -> str:
    # 2026-12-01 .. 2027-03-31
    day = rng.randrange(0, 31 + 31 + 28 + 31)
    months = ((2026, 12, 31), (2027, 1, 31), (2027, 2, 28), (2027, 3, 31))
    for y, m, n in months:
        if day < n:
            return f"{y:04d}-{m:02d}-{day + 1:02d}"
        day -= n
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------------------------
def generate(out_dir: Path, *, candidates: int = 9000, vacancies: int = 3000, seed: int = 42,
             scenario: str = "default") -> dict[str, Any]:
    """Write out_dir/candidates.ndjson, out_dir/vacancies.ndjson, out_dir/truth/candidates.ndjson,
    out_dir/truth/vacancies.ndjson, out_dir/truth/RULE.md (copy of the rule documentation), out_dir/manifest.json;
    return the manifest dict (counts, seed, sizes, generator version). Same seed -> byte-identical files.

    ``scenario`` picks the employers' rule (RULE.md, section 6): people and vacancies depend on the seed only, so
    ``drift`` and ``default`` with one seed hold the same region under another rule. A scenario other than the
    default is written to out_dir/truth/scenario.json, where `Truth.load` finds it."""
    if candidates < 0 or vacancies < 0:
        raise ValueError("counts must be non-negative")
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    out_dir = Path(out_dir)
    truth_dir = out_dir / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)

    rng_lat = random.Random(f"demoregion:{seed}:candidates:latent")
    rng_obs = random.Random(f"demoregion:{seed}:candidates:observed")
    rng_age = random.Random(f"demoregion:{seed}:monitoring")  # separate stream: age bands touch nothing else
    cand_obs: list[dict[str, Any]] = []
    cand_lat: list[dict[str, Any]] = []
    for i in range(candidates):
        lat = _latent_candidate(rng_lat, f"C{i + 1:06d}")
        age_band = _wchoice(rng_age, W.AGE_BANDS, AGE_BAND_WEIGHTS)
        cand_lat.append(lat)
        cand_obs.append(_observe_candidate(rng_obs, lat, age_band))

    rng_vlat = random.Random(f"demoregion:{seed}:vacancies:latent")
    rng_vobs = random.Random(f"demoregion:{seed}:vacancies:observed")
    employers = _Employers(random.Random(f"demoregion:{seed}:employers"))
    vac_obs: list[dict[str, Any]] = []
    vac_lat: list[dict[str, Any]] = []
    n_wsp = n_sca = 0
    for _ in range(vacancies):
        lat = _latent_vacancy(rng_vlat, employers)
        if lat["source"] == "scalabor":
            n_sca += 1
            lat["external_id"] = f"SCA-{n_sca:06d}"
        else:
            n_wsp += 1
            lat["external_id"] = f"WSP-2026-{n_wsp:06d}"
        vac_lat.append(lat)
        vac_obs.append(_observe_vacancy(rng_vobs, lat))

    files = {
        "candidates.ndjson": cand_obs,
        "vacancies.ndjson": vac_obs,
        "truth/candidates.ndjson": cand_lat,
        "truth/vacancies.ndjson": vac_lat,
    }
    for rel, recs in files.items():
        _dump(out_dir / rel, recs)
    rule = (Path(__file__).parent / "RULE.md").read_bytes()
    (truth_dir / "RULE.md").write_bytes(rule)
    written = [*files, "truth/RULE.md"]
    (truth_dir / SCENARIO_FILE).unlink(missing_ok=True)
    if scenario != "default":
        scenario_file = {"scenario": scenario, "departures": SCENARIOS[scenario], "documented_in": "RULE.md, section 6"}
        (truth_dir / SCENARIO_FILE).write_text(json.dumps(scenario_file, indent=2, sort_keys=True) + "\n")
        written.append(f"truth/{SCENARIO_FILE}")

    manifest: dict[str, Any] = {
        "generator": "demoregion",
        "version": GENERATOR_VERSION,
        "seed": seed,
        "scenario": scenario,
        "counts": {"candidates": candidates, "vacancies": vacancies, "wsp": n_wsp, "scalabor": n_sca},
        "files": {},
        "world": {"occupations": len(W.OCCUPATIONS), "skills": len(W.SKILLS), "certificates": len(W.CERTIFICATES)},
        "notes": "Synthetic data, no real persons. truth/ holds the hidden latent attributes: never give it to the "
                 "matcher.",
    }
    for rel in written:
        data = (out_dir / rel).read_bytes()
        manifest["files"][rel] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest["sizes"] = {rel: v["bytes"] for rel, v in manifest["files"].items()}
    with (out_dir / "manifest.json").open("w", encoding="utf-8", newline="\n") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    return manifest
