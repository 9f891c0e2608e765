"""Reading a vacancy as employers write it: Dutch free text in, proposed vacancy fields out, with evidence.

Rules, not a model. Each field has a small table of Dutch cues (regular expressions over a lowercased,
accent-free copy of the text that keeps every offset, so each finding points at the exact words it came
from). Cues are read per clause, because the clause changes what a cue means: "geen nachtdiensten" rules
night work out, "rijbewijs B is een pré" is a wish, not a demand, and "je VCA behaal je bij ons" is an
offer. Headings count too: everything under "Pluspunten:" is a wish, under "Wat bieden wij" an offer.
Skills and certificates are found through the vocabulary's labels (the same concepts the normaliser
maps to), never through the encoder: extraction runs on the request path and must stay fast.

Nothing here stores anything; `prepare` decides which proposed fields a vacancy takes (given fields win).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from matcher import geo
from matcher.ingest import tasks
from matcher.matching.vocabulary import Vocabulary
from matcher.text import fold

WEEKS_PER_MONTH = 4.33
FULLTIME = (36, 40)
HEAVY_KG = 25  # "zwaar werk" without a number: the usual upper limit for lifting alone


@dataclass(frozen=True)
class Span:
    """Where in the text a finding came from: ``text == source[start:end]``."""

    text: str
    start: int
    end: int


@dataclass
class Extraction:
    vacancy: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, list[Span]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What the text mentions without asking for it: wishes ("een pré") and what the employer trains for.
    notes: dict[str, list[str]] = field(default_factory=dict)
    stated: set[str] = field(default_factory=set)  # fields a JobPosting or page states itself, not read from text
    # Per list field, beside its evidence: each item added and the rule that read it ("vocabulary: phrase",
    # "task: said to the reader", ...), for the bench's precision per rule (`python -m bench.extraction --sources`).
    sources: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)

    def add(self, name: str, value: Any, span: Span) -> None:
        self.vacancy[name] = value
        self.evidence.setdefault(name, []).append(span)

    def add_item(self, name: str, value: Any, span: Span, source: str = "") -> None:
        items = self.vacancy.setdefault(name, [])
        if value not in items:
            items.append(value)
        self.evidence.setdefault(name, []).append(span)
        self.sources.setdefault(name, []).append((value, source))

    def note(self, name: str, value: str) -> None:
        items = self.notes.setdefault(name, [])
        if value not in items:
            items.append(value)


# --- the text, cut into clauses that carry their modality ----------------------------------------------

# ABOUT: a part that describes the employer ("Over ons", "Wie zijn wij?"): what it and its staff do asks nothing
REQUIRED, PREFERRED, OFFERED, ABOUT = "required", "preferred", "offered", "about"
TASKS = (r"(wat|dit) (ga|ga je|zul je|kom je|je gaat) (je )?doen|wat doe je|wat houdt .* in|(jouw|je) (taken|werk|"
         r"werkdag|rol|baan)\b|taken|takenpakket|werkzaamheden|functieomschrijving|functie-?inhoud|de functie|"
         r"over het werk|het werk\b|de baan\b")

_HEADINGS = [
    (PREFERRED, r"pluspunt|pre\b|mooi meegenomen|leuk als|wens|bij voorkeur|extra punten|geen must"),
    (OFFERED, r"(wat|dit) (bieden|krijg|bied|mag je)|wij bieden|we bieden|ons aanbod|arbeidsvoorwaarden|"
              r"wat staat er tegenover|wat (hebben|heeft) .* te bieden|salaris|wat levert|voordelen|"
              r"van ons verwachten|^waarom (werken )?bij\b|"
              # how to apply asks nothing of the candidate either: "Interesse?", "Meer weten?", "Contact"
              r"^(interesse|solliciteren|solliciteer|sollicitatie|meer weten|meer informatie|contact|vragen|"
              r"reageren|enthousiast|herken je)\b"),
    (ABOUT, r"^over (?!(de |het |deze |jouw |je |onze )?(functie|werk|baan|vacature|rol|taken|werkzaamheden|werkplek|"
            r"werkomgeving|werktijden|uren|rooster|diensten|salaris|arbeidsvoorwaarden|aanbod|profiel|kandidaat|"
            r"sollicitatie|procedure)\b|jou\b|je\b|jouw\b|wie\b|wat\b|hoe\b)"
            r"[\w&'.-]+( [\w&'.-]+)?$|^wie (zijn|is) (wij|we)\b|^(het|ons) bedrijf$|"
            r"^(de|onze) (organisatie|werkgever)$|^bedrijfs(profiel|omschrijving|informatie)$|"
            # and what the page shows beside the vacancy: "Onze diensten", "Andere vacatures", "Bekijk ook"
            r"^(onze|andere|meer|vergelijkbare|gerelateerde) (diensten|producten|vacatures|locaties|vestigingen)\b|"
            r"^bekijk ook\b|"
            # a listing's classification ("Branche: Logistiek", "Vakgebied: Inpakken en verzenden") files the job
            r"^(branche|sector|vakgebied|categorie|beroep|beroepsgroep|beroepsklasse|functiegroep|functietype|"
            r"type (functie|werk)|bedrijfstak|werkveld)$"),
    (REQUIRED, r"(wat|dit) (vragen|verwachten|zoeken) (wij|we)|(wij|we) (vragen|zoeken)|wie (ben|zoeken)|"
               r"jij (hebt|bent)|profiel|eisen|vereisten|functie-?eisen|(wat|dit) (breng|neem) je mee|"
               r"wat heb je nodig|wat moet je"),
]
# Wished, not asked: "een pré", "is handig" (but "handig met je handen" is able), "ervaring met klantcontact is fijn
# (maar niet nodig)"
_PREFERRED = re.compile(r"\bpre\b|pluspunt|mooi meegenomen|(is|zijn) (een )?voordeel|strekt tot aanbeveling|"
                        r"bij voorkeur|wenselijk|\bhandig\b(?!\s+(?:met|in)\b)|leuk als|zou mooi zijn|geen must|"
                        r"geen harde eis|\b(is|zijn|ook) fijn\b|\bfijn (als|meegenomen)\b")
_OFFERED = re.compile(r"\bbehaal je\b|bij ons (te )?(behalen|halen)|(behalen|halen) (we|wij) samen|"
                      r"(wij|we) (leiden|bieden|betalen|regelen|verzorgen|zorgen)\b[^.]*\b(op|opleiding|cursus|"
                      r"training|certificaat|rijbewijs)|krijg je (van|bij) ons|opleiding (tot|voor) |"
                      r"(kun|kan) je (bij ons |via ons )?(behalen|halen)|(wordt|worden) (je )?(aangeboden|vergoed|"
                      r"betaald)|tijdens (je|het) werk (behalen|halen)|wij leiden je op|we leiden je op|"
                      r"in overleg te behalen|mogelijkheid (om|tot) .* (te )?(behalen|halen)|"
                      r"\bhaal je\b[^.]{0,40}\bbij ons\b|"  # "behaal je": offered wherever it stands (first line)
                      r"\b(salaris|uurloon|loon|vakantiedagen|vakantiegeld|pensioen|reiskosten\w*|personeelskorting|"
                      r"eindejaarsuitkering|dertiende maand|doorgroei\w*|ontwikkelingsmogelijkheden|"
                      r"arbeidsvoorwaarden)\b")
# The employer pays for or arranges what was just asked, later in the sentence: a certificate trained or paid for
# on the job ("een VOG (wij vergoeden de kosten)", "BHV ..., de hogeschool betaalt de cursus", "VCA behaal je in
# de eerste maand")
_PAID = re.compile(r"\b(betalen|vergoeden|regelen) (wij|we)\b|\b(wij|we) (betalen|vergoeden|regelen)\b|"
                   r"\b(betaalt|vergoedt)\b|\b(wordt|worden) (\w+ )?(vergoed|betaald)\b|\b(be)?haal je\b")
_NEGATION = re.compile(r"\b(geen|niet|nooit|zonder|hoeft|hoef|vrij van)\b")
_NOT_NEEDED = re.compile(r"\b(niet|geen) (nodig|vereist|verplicht|noodzakelijk|nodig|vereiste|eis|must)\b|"
                         r"\bhoeft (je )?(niet|geen)\b|\bis geen (vereiste|eis)\b")
# A negation after the cue, in the clause it opens: "schoonmaken hoort niet bij je taken", "nachtdiensten draai je
# niet", "tillen is geen onderdeel van het werk" (but "kassawerk is niet moeilijk", "niet alleen")
_NOT_AFTER = re.compile(r"(?:[\w'-]+\s+){1,5}(?:(?:niet|nooit)\s*(?:$|[.,;!)]|(?:bij|tot|onder)\s+(?:je|jouw|de|het|"
                        r"onze|dit)\s+(?:taken|taak|werk|functie|werkzaamheden|takenpakket|baan)\b)|"
                        r"geen\s+(?:onderdeel|deel|taak)\s+(?:van|bij)\b)")
_BULLETS = ("-", "•", "*", "·", "–", "✓", "✔", "▪", "◦", "○", "►", ">", "→", "➜", "➤")
_BULLET = "[" + re.escape("".join(_BULLETS)) + "]"  # one bullet character, in a pattern
_TASK_LIST = re.compile(r"\b(bestaa?t|bestaan) (onder (meer|andere) |o\.a\. |vooral |voornamelijk |met name |"
                        r"hoofdzakelijk )?uit\b|\btaken\s*:|\bwerkzaamheden\s*:|"
                        r"\b(je |jouw |de )?(taken|werkzaamheden) zijn( onder (andere|meer)| o\.?a\.?)?(?=\s|:)|"
                        r"\btot (je|jouw) taken (behoren|horen)\b|"
                        r"\bdenk (hierbij |daarbij |bijvoorbeeld )?aan\b|\b(het|je|jouw) werk is\b|\bwat je doet\s*:")
_CLAUSE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s[-–•*]\s|(?<=\S),\s+(?=[a-z])|\s+(?:maar|en dat|terwijl)\s+")


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    mode: str  # required, preferred or offered (from the heading above it and its own words)
    plain: str  # the clause in the searchable form (same length as the original)
    item: bool = False  # a list item ("- kassawerk"): short items name one thing each
    tasks: bool = False  # under a heading that lists the work ("Wat ga je doen?", "Jouw taken")


def plain(text: str) -> str:
    """Lowercase, accents off, every character kept in place: offsets in it are offsets in the text."""
    out = []
    for ch in text:
        low = ch.lower()
        if len(low) != 1:
            low = ch
        base = unicodedata.normalize("NFKD", low)[:1] or low
        out.append(base if base.isascii() else low)
    return "".join(out)


def clauses(text: str, low: str) -> list[Clause]:
    """Lines, sentences and comma clauses, each with the modality of its heading and its own cues."""
    found: list[Clause] = []
    section, tasks = REQUIRED, False
    for line_match in re.finditer(r"[^\n]+", low):
        line, pos = line_match.group(), line_match.start()
        heading = _heading(line)
        if heading:
            section, tasks = heading, bool(re.search(TASKS, line))
            continue
        if section == ABOUT and ((len(line.split()) <= 5 and not re.search(r"[.,;!]\s*$", line)
                                  and not line.lstrip().startswith(_BULLETS))
                                 or re.search(r"\b(je|jij|de kandidaat|de medewerker|hij of zij|hij/zij)\b", line)):
            section = REQUIRED  # a heading of another kind ("De vacature", "Jouw functie") or a line to the reader
            # ("Als schoonmaker maak je kantoren schoon") ends the employer's part
        # a label that opens the line sets the mode of that line only: "Wij bieden: een leaseauto, een cursus ..."
        label = re.match(r"\s*([^:\n]{3,40}):\s*\S", line)
        line_mode = (_heading(label.group(1) + ":") if label else None) or section
        for part in _CLAUSE_END.split(line):
            if part is None or not part.strip():
                continue
            start = low.find(part, pos)
            pos = start + len(part)
            mode = OFFERED if _OFFERED.search(part) else PREFERRED if _PREFERRED.search(part) else line_mode
            found.append(Clause(start, start + len(part), mode, part, item=line.lstrip().startswith(_BULLETS),
                                tasks=tasks or bool(_TASK_LIST.search(part))))
    return found


def _heading(line: str) -> str | None:
    """The section a heading line opens ("Wat vragen wij:", "Pluspunten", "Wat bieden wij?"), or None for
    a line with content. A heading ends with a colon or a question mark, or is a bare phrase of a few words."""
    stripped = line.strip(" \t*#")
    if not stripped or stripped.startswith(("-", "•")):
        return None
    if re.search(r":\s*\S", stripped):
        return None  # a label with its content on the line ("Taken: kantoren schoonmaken"): content, see `clauses`
    bare = stripped.rstrip(":?").strip()
    marked = stripped.endswith((":", "?"))
    asks = re.match(r"(wat|dit|wie|jouw|over|ons|onze)\b", bare)  # "Dit ga je doen", "Wat wij vragen"
    if len(bare.split()) > (7 if marked else 4 if asks else 3):  # "Wij bieden een jobcoach" is content
        return None
    for mode, pattern in _HEADINGS:
        if re.search(pattern, bare):
            return mode
    if re.search(TASKS, bare) or (marked and len(bare.split()) <= 4):
        return REQUIRED
    return None


def negated(clause: Clause, at: int, *, window: int = 30) -> bool:
    """Does a negation govern the cue at ``at`` (an offset in the text)? "geen nachtdiensten",
    "nooit in het weekend", "tillen is niet nodig", "schoonmaken hoort niet bij je taken"."""
    before = clause.plain[max(0, at - clause.start - window): at - clause.start]
    after = clause.plain[at - clause.start:]
    if _NEGATION.search(before) and not re.search(r"\b(ook|maar|wel)\b", before.split("geen")[-1]):
        return True
    return bool(_NOT_NEEDED.search(after[:60]) or _NOT_AFTER.match(after[:80]))


# --- the fields -----------------------------------------------------------------------------------------

_NUMBER = r"(\d{1,3}(?:[.,]5)?)"
_HOURS = re.compile(
    rf"(?<![\d.:,€])(?:{_NUMBER}\s*(?:-|–|tot( en met)?|t/m|a|à|of|/|en)\s*)?{_NUMBER}\s*(?:uur|u\b|uren)"
    r"(?:\s*(?:per|p/|/|in de|op)\s*(?P<unit>week|wk|w\b|maand|mnd|m\b|dag|d\b|avond|ochtend|middag|nacht|dienst))?|"
    # a label names the unit: "Uren per week: 38", "Uren: 32-38 per week"
    rf"\b(?:aantal )?(?:uren|uur)(?: per week)?\s*:\s*(?:{_NUMBER}\s*(?:-|–|tot|t/m)\s*)?{_NUMBER}(?![\d.:])"
    r"(?:\s*(?:uur|uren))?(?:\s*(?:per|p/|/|in de)\s*(?:week|wk|w\b))?")
_PER_DAY = ("avond", "ochtend", "middag", "nacht", "dienst")
_TIME_BEFORE = re.compile(r"\b(om|vanaf|van|tot|voor|na|rond|tussen|omstreeks|sinds)\s*$")
_COUNT = r"\d|een|twee|drie|vier|vijf|zes"
_DAYS = re.compile(rf"\b(?P<n1>{_COUNT})(?:\s*(?:tot|a|à|-|–|of)\s*(?P<n2>{_COUNT}))?\s*(?:dagen|dag|nachten|diensten|"
                   r"avonden|ochtenden|middagen)\s*(?:per|p/|/|in de)\s*week|"
                   r"\b(?P<weekdays>ma(andag)?\s*(?:t/m|tot en met|-|–)\s*vr(ijdag)?)\b")
_WORDS = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6}


def hours(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    """Hours per week: ranges, alternatives, per month or per day converted; fulltime = 36–40."""
    days = next(((5, 5) if m["weekdays"] else (_count(m["n1"]), _count(m["n2"] or m["n1"]))
                 for m in _DAYS.finditer(low)), None)  # "3 a 4 dagen per week": (3, 4)
    lows, highs, spans = [], [], []
    for m in _HOURS.finditer(low):
        if m.group(6):  # the label form
            first, second, unit_given = m.group(5), m.group(6), "week"
        else:
            first, second, unit_given = m.group(1), m.group(3), m.group("unit")
        before = low[max(0, m.start() - 8): m.start()]
        if _TIME_BEFORE.search(before) and not unit_given \
                and (not first or re.search(r"\b(van|vanaf|tussen)\s*$", before)):
            continue  # "vanaf 6 uur", "tot 22 uur", "van 9 tot 13 uur": a time of day (not "voor 32 uur per week")
        if re.match(r"\s*(per|/)\s*uur|\s*(?:'s|in de) (ochtend|middag|avond|nacht)", low[m.end():m.end() + 14]):
            continue
        a = _num(first) if first else _num(second)
        b = _num(second)
        listed = re.search(r"(?<![\d.:,€])((?:\d{1,2}\s*,\s*)+)$", low[max(0, m.start() - 20):m.start()])
        if first and listed:
            a = min([a, *map(float, re.findall(r"\d+", listed.group(1)))])  # "24, 32 of 36 uur": the first too
        unit = "d" if unit_given in _PER_DAY else (unit_given or "week")[0]  # "3 uur per avond": per day
        if unit == "m":
            a, b = a / WEEKS_PER_MONTH, b / WEEKS_PER_MONTH
            out.warnings.append(f"uren per maand omgerekend naar uren per week ({m.group().strip()})")
        elif unit == "d":
            few, many = days or (5, 5)
            a, b = a * few, b * many
            out.warnings.append(f"uren per dag × {few if few == many else f'{few}-{many}'} dagen per week "
                                f"({m.group().strip()})")
        if not 2 <= a <= 60 or not 2 <= b <= 60:
            continue
        lows.append(round(min(a, b)))
        highs.append(round(max(a, b)))
        spans.append(Span(text[m.start():m.end()], m.start(), m.end()))
    fulltime = re.search(r"\b(fulltime|full-time|voltijd|fulltimer)\b", low)  # with no number: 36-40, before a
    # sum of clock times ("fulltime, ma-vr 7.00-16.00" is not 45 hours)
    if not spans and days and not fulltime and (daily := _daily(low)):  # "4 ochtenden per week van 5.00 tot 11.00"
        lows, highs, spans = [round(days[0] * daily[0])], [round(days[1] * daily[0])], [daily[1]]
        out.warnings.append(f"uren per week berekend uit {days[1]} dagen × de werktijd ({daily[1].text})")
        spans = [Span(text[s.start:s.end], s.start, s.end) for s in spans]
    if not spans and (full := fulltime):
        lows, highs = [FULLTIME[0]], [FULLTIME[1]]
        spans = [Span(text[full.start():full.end()], full.start(), full.end())]
    if spans:
        out.vacancy["hours_min"], out.vacancy["hours_max"] = min(lows), max(highs)
        out.evidence["hours_min"] = out.evidence["hours_max"] = spans


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word]


def _daily(low: str) -> tuple[float, Span] | None:
    """The length of the first working time that gives one ("van 8.00 tot 16.30 uur": 8.5 hours)."""
    for m in _TIME_RANGE.finditer(low):
        if m.group("m1") is None and m.group("m2") is None and not m.group("van"):
            continue
        start = int(m.group("h1")) + int(m.group("m1") or 0) / 60
        end = int(m.group("h2")) + int(m.group("m2") or 0) / 60
        length = (end - start) % 24
        if 2 <= length <= 12:
            return length, Span(low[m.start():m.end()], m.start(), m.end())
    return None


def _num(value: str) -> float:
    return float(value.replace(",", "."))


_SHIFT_CUES: dict[str, str] = {
    "night": r"\bnacht(dienst(en)?|ploeg(en)?|werk|en)\b|'?s nachts|\bnachtelijk|\bnachten\b",  # not "overnachten"
    "evening": r"avond(dienst(en)?|ploeg|werk|en|s)?\b|late dienst(en)?|laatdienst|'s avonds|koopavond",
    "day": r"dagdienst(en)?|\boverdag\b|vroege dienst(en)?|vroegdienst|ochtenddienst|kantoortijden|kantooruren|"
           r"\bdagwerk\b",
    "weekend": r"weekend(en|dienst(en)?|werk)?\b|zaterdag\w*|zondag\w*|\bza(\.|terdag)? en zo",  # "zaterdagochtend"
}
_ROSTERS = {
    r"\b(2|twee)[- ]?ploegen(dienst|rooster)?": ("day", "evening"),
    r"\b(3|drie)[- ]?ploegen(dienst|rooster)?": ("day", "evening", "night"),
    r"\b(5|vijf)[- ]?ploegen(dienst|rooster)?|volcontinu": ("day", "evening", "night", "weekend"),
}
_TIME_RANGE = re.compile(r"(?P<van>\b(?:van|tussen|vanaf)\s*)?(?P<h1>\d{1,2})(?:[.:](?P<m1>\d{2}))?\s*(?:uur|u)?\s*"
                         r"(?:-|–|tot|t/m|en)\s*(?P<h2>\d{1,2})(?:[.:](?P<m2>\d{2}))?\s*(?:uur|u)?")


def shifts(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    """Shifts from words ("nachtploeg", "2-ploegendienst"), from times ("22.00–06.00") and their negations."""
    found: dict[str, Span] = {}
    ruled_out: set[str] = set()
    for c in cls:
        for shift, pattern in _SHIFT_CUES.items():
            for m in re.finditer(pattern, c.plain):
                at = c.start + m.start()
                if negated(c, at) or re.search(r"(vrij|vrije)\s*$", c.plain[:m.start()]) or \
                        re.match(r"\w*\s+(zijn |ben je |heb je )?vrij\b", c.plain[m.start():]) or \
                        re.match(r".{0,12}?\b(is|zijn)\s+(\w+\s+){0,3}(gesloten|dicht)\b", c.plain[m.start():]):
                    # "'s nachts zijn de garages gesloten"
                    if not re.match(r"(zater|zon)dag", m.group()):  # "nooit op zondag" leaves the Saturday
                        ruled_out.add(shift)
                else:
                    found.setdefault(shift, Span(text[at:at + len(m.group())], at, at + len(m.group())))
        for pattern, roster in _ROSTERS.items():
            for m in re.finditer(pattern, c.plain):
                at = c.start + m.start()
                for shift in roster:
                    found.setdefault(shift, Span(text[at:c.start + m.end()], at, c.start + m.end()))
        for m in _TIME_RANGE.finditer(c.plain):
            start_h, end_h = int(m.group("h1")), int(m.group("h2"))
            if not (0 <= start_h <= 24 and 0 <= end_h <= 24) or (m.group("m1") is None and m.group("m2") is None
                                                                  and not m.group("van")):
                continue  # "24 tot 32 uur" are hours per week; "van 9 tot 17 uur" and "22.00-06.00" are times
            if re.match(r"\s*(uur\s*)?(per|p/|/|in de)\s*(week|wk|maand)\b", c.plain[m.end():]):
                continue  # "tussen 16 en 24 uur per week": hours, not times
            if re.match(r"\s*(jaar|jr|kg|kilo|km|kilometer|meter|graden|euro|procent|%)", c.plain[m.end():]):
                continue  # "kinderen van 4 tot 12 jaar": ages, not times
            at, end = c.start + m.start(), c.start + m.end()
            begin, until = start_h + int(m.group("m1") or 0) / 60, end_h + int(m.group("m2") or 0) / 60
            window = (m.group("van") or "").strip() == "tussen" and begin < 18 and (until - begin) % 24 >= 10
            for shift in [*_shifts_of(begin, until), *(["day"] if window else [])]:  # "diensten tussen 7.00 en
                # 23.00 uur": a window of day and evening shifts, not one shift of sixteen hours
                found.setdefault(shift, Span(text[at:end], at, end))
    for shift in ("day", "evening", "night", "weekend"):
        if shift in found and shift not in ruled_out:
            out.add_item("shifts", shift, found[shift])
        elif shift in found:
            out.warnings.append(f"'{found[shift].text}' genoemd maar ook uitgesloten: niet overgenomen")


def _shifts_of(start: float, end: float) -> list[str]:
    """Which shifts a working time covers (hours as 22.5 for 22:30): day when it starts before 18:00 and ends
    by about 19:00, evening for any work after 19:00 up to midnight, night for any work between 00:00 and
    06:00. So 22:00–06:00 is evening and night, and 05:00–13:30 night and day."""
    wraps = end <= start
    kinds = []
    if start < 18 and not wraps and end <= 19.25:
        kinds.append("day")
    if wraps or end > 19.25:
        kinds.append("evening")
    if wraps or start < 6:
        kinds.append("night")
    return kinds


_LICENCE = re.compile(r"\b(?:rijbewijs|rijbewijzen)\s*(?:categorie\s*)?[-:]?\s*"
                      r"((?:am|a|be|b|c1|ce|c|d|t)(?:\s*(?:[/,+]|en|of|\s)\s*(?:am|a|be|b|c1|ce|c|d|t)\b)*)\b|"
                      r"\b(am|be|b|c1|ce|c|d)[- ]rijbewijs\b|\b(groot rijbewijs|vrachtwagenrijbewijs)\b|"
                      r"\b(scooter|brommer|bromfiets)s?(rijbewijs|certificaat)\b")  # AM, the moped licence


def licences(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    for c in cls:
        for m in _LICENCE.finditer(c.plain):
            if m.group(3):
                codes = ["C"]
            elif m.group(4):
                codes = ["AM"]
            else:
                codes = [code.upper() for code in re.findall(r"am|be|b|c1|ce|c|d|t", m.group(1) or m.group(2))]
            at, end = c.start + m.start(), c.start + m.end()
            if negated(c, at):
                continue
            for code in dict.fromkeys(codes):
                if c.mode == REQUIRED:
                    out.add_item("driving_licences", code, Span(text[at:end], at, end))
                else:
                    out.note(f"driving_licences_{c.mode}", code)


_CEFR = re.compile(r"\b(a1|a2|b1|b2|c1|c2)\b")
_REFERENTIE = re.compile(r"\b(?:niveau\s*)?([1-4])\s?f\b")
_DUTCH = re.compile(r"nederlands|nederlandse taal|taalniveau|\btaal\b|nt2")
# Understanding simple instructions is the language level A2 (bench/data/README.md), also where the line does
# not name Dutch: "je begrijpt eenvoudige instructies", "Nederlandse taal: eenvoudige instructies kunnen begrijpen".
_INSTRUCTIONS = re.compile(r"\b(eenvoudige|simpele|korte|de)\s+(\w+\s+)?(\w*instructies|aanwijzingen)\s+(\w+\s+){0,4}?"
                           r"(kunnen\s+)?(begrijp|versta|snap)\w*|"
                           r"\b(begrijp|versta|snap)\w*\s+(\w+\s+)?(eenvoudige|simpele|korte|nederlandse)\s+"
                           r"(\w*instructies|aanwijzingen)")  # "je begrijpt Nederlandse veiligheidsinstructies"
_DUTCH_WORDS = [
    (None, r"(nederlands|taal)\w*\s+(is\s+)?(geen (vereiste|eis|must)|niet (nodig|vereist|belangrijk))|"
           r"(geen|weinig|niet goed|nog niet goed)\s+nederlands|"
           # another language will do: "(een beetje) Nederlands of Engels"
           r"nederlands\w*\s*(of|en/of|/)\s*(engels|duits|frans|pools|spaans|turks|arabisch|portugees|roemeens)"),
    ("B2", r"(uitstekend|vloeiend|perfect|zeer goed|foutloos|uitstekende)\w*\s+(\w+\s+){0,3}nederlands"),
    ("A2", r"(basis|beetje|eenvoudig|enigszins|redelijk|beperkt)\w*\s+(\w+\s+){0,4}nederlands|"
           r"nederlands\w*\s+(op\s+)?(basis|beginners)|" + _INSTRUCTIONS.pattern),
    ("B1", r"(goed|prima|voldoende|goede)\w*\s+(\w+\s+){0,3}(nederlands|nederlandse taal)|"
           r"(spreek|spreekt|beheers|beheerst|beheersing)\w*\s+(\w+\s+){0,4}(nederlands|nederlandse taal)|"
           r"nederlands\w*\s+in woord en geschrift|\bnederlands\s+(kunnen\s+)?spreken\b"),
]
_REFERENTIE_CEFR = {"1": "A2", "2": "B1", "3": "B2", "4": "C1"}


def dutch_level(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    """CEFR (B1), referentieniveaus (2F = B1) or plain words ("je spreekt goed Nederlands" = B1)."""
    for c in cls:
        if not _DUTCH.search(c.plain) and not _REFERENTIE.search(c.plain) and not _INSTRUCTIONS.search(c.plain):
            continue
        level, m = None, _CEFR.search(c.plain) if _DUTCH.search(c.plain) else None
        if m:
            level = m.group(1).upper()
        elif (m := _REFERENTIE.search(c.plain)) and _DUTCH.search(c.plain):
            level = _REFERENTIE_CEFR[m.group(1)]
        else:
            for word_level, pattern in _DUTCH_WORDS:
                if m := re.search(pattern, c.plain):
                    level = word_level
                    break
        if m is None:
            continue
        at, end = c.start + m.start(), c.start + m.end()
        if level is None:
            out.warnings.append(f"Nederlands niet vereist volgens de tekst ('{text[at:end]}')")
            return
        if c.mode != REQUIRED:
            out.note(f"dutch_level_{c.mode}", level)
            continue
        out.add("dutch_level", level, Span(text[at:end], at, end))
        return


_EDUCATION = [
    ("geen", r"geen (\w+ )?(diploma|opleiding|vooropleiding|ervaring of diploma)('?s)? (nodig|vereist|gevraagd)|"
             r"zonder (diploma|opleiding)|diploma('?s)? (zijn|is) niet (nodig|vereist)|"
             r"\b(opleiding|opleidingsniveau|diploma|vooropleiding)\s*:\s*geen\b"),
    ("mbo", r"\bmbo\b[- ]?(?:niveau\s*|-?\s*)?([1-4])?|\bmbo[1-4]\b|niveau\s*([1-4])\b(?=[^.]*mbo)|"
            r"(?<=diploma)[^.]{0,40}?\bniveau\s*[1-4]\b|(?<=opleiding)[^.]{0,40}?\bniveau\s*[1-4]\b"),
    ("mbo1", r"\bentree(opleiding|niveau)?\b"),
    ("vmbo", r"\b(vmbo|mavo|lbo|praktijkonderwijs|vbo)\b"),
    ("havo", r"\bhavo\b"),
    ("vwo", r"\bvwo\b"),
    ("hbo", r"\bhbo\b|\bhogeschool\b|\bbachelor\b"),
    # "wo" is also Wednesday: "ma/wo/vr", "ma, wo en vr", "wo 8.00-12.00"
    ("wo", r"(?<![/,-] )(?<![/,-])\bwo\b(?!\s*[/,]|\s*-\s*(ma|di|do|vr|za|zo)\b|\s+(en|t/m|tot)\s|\s*\d)|"
           r"\b(universitair|universiteit|master)\b"),
]
_ORDER = ("geen", "vmbo", "mbo1", "mbo2", "mbo3", "havo", "mbo4", "vwo", "hbo", "wo")


def education(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    """The lowest level the text asks for: "mbo 2 of 3" asks mbo 2; "mbo werk- en denkniveau" mbo 2."""
    best: tuple[int, str, Span] | None = None
    for c in cls:
        if c.mode != REQUIRED:
            continue
        for level, pattern in _EDUCATION:
            for m in re.finditer(pattern, c.plain):
                if level == "mbo":
                    digit = re.search(r"[1-4]", m.group())
                    level_here = f"mbo{digit.group()}" if digit else "mbo2"
                else:
                    level_here = level
                at, end = c.start + m.start(), c.start + m.end()
                if level_here != "geen" and negated(c, at):
                    continue
                rank = _ORDER.index(level_here)
                if best is None or rank < best[0]:
                    best = (rank, level_here, Span(text[at:end], at, end))
    if best:
        out.add("education_level", best[1], best[2])


_DEMANDS: dict[str, str] = {
    "standing": r"staand(e)? (werk|werkzaamheden|functie)|\bstaand\b|(hele|gehele|ganse) dag (op je benen|staan|"
                r"lopen|aan het lopen)|staat de hele dag|(veel|lang|langdurig) (staan|lopen|op de been)|"
                r"op je benen|aan de (lopende )?band|(staan|lopen) en (lopen|staan)|fysiek (actief|werk)",
    "heights": r"op hoogte|hoogtewerk|\bladders?\b|steigers?\b|hoogwerker|op daken|\bdaken\b|valbeveiliging|"
               r"\bklimmen\b",
    "outdoor": r"\bbuiten(werk|dienst| werken| aan het werk| bezig|shuis|terrein)?\b(?!land|gewoon|kant|af|om)|"
               r"weer en wind|weer of geen weer|buitenlucht|alle weersomstandigheden|openbare ruimte|\bop straat\b|"
               r"in de natuur|in het groen",
    "customer_contact": r"klantcontact|klant(vriendelijk|gericht)|klanten (te woord|helpen|ontvangen|adviseren|"
                        r"bedienen|welkom|bellen)|(contact|omgang) met (klanten|gasten|bezoekers|patienten|clienten|"
                        r"bewoners|publiek|ouders|reizigers)|gasten (ontvangen|bedienen|welkom)|gastvrij|gastheer|"
                        r"gastvrouw|te woord (staan|te staan)|aan de balie|achter de kassa|kassawerk|\bkassa\b|"
                        r"bellers|servicegericht|publieksgericht|je helpt (klanten|gasten|bezoekers)|receptie|"
                        r"bediening|\bverkoop\b|inbound|klantenservice|telefonisch",
    "high_stimulus": r"\bdruk(ke|te)?\b|hectisch|werkdruk|tijdsdruk|hoog (werk)?tempo|snel (werken|schakelen)|"
                     r"\blawaai|rumoer|veel prikkels|\bspits\b|deadlines?",
    "driving": r"chauffeur|\bbezorg(er|en|t|ing)\b|\bkoerier|\bje rijdt\b|\brijdend|(bestel)?bus(je)? rijden|"
               r"rijden (met|in) (een |de )?(bus|busje|bestelbus|vrachtwagen|auto|bedrijfsauto|wagen)|"
               r"\broute(s)? (rijden|langs)|op de weg|\brijd(t)?\b|eigen auto|\bscooter\b|\btractor\b",  # "chauffeur"
    # also in a compound ("touringcarchauffeur"); a forklift's is left out by _YARD
}
# People met at work and a verb of meeting them, in one clause: "je ondersteunt cliënten", "leden ontvangen".
_PEOPLE = re.compile(r"\b(klant(en)?|gasten|bezoekers|leden|clienten|patienten|bewoners|ouders|reizigers|bellers|"
                     r"passagiers|kopers|publiek)\b")
_CONTACT = re.compile(r"\b(help\w*|ontvang\w*|bedien\w*|ondersteun\w*|begeleid\w*|advis\w*|adviez\w*|te woord|"
                      r"bel(len|t)|vragen|wijzen|verzorg\w*|contact|welkom|spreek\w*|afreken\w*|service)\b")
_AT_HOME = re.compile(r"\bbij (de )?(klant(en)?|clienten|mensen|ouderen|bewoners|particulieren)\s+thuis\b")
_YARD = re.compile(r"heftruck|reachtruck|pallet|\bept\b|stapelaar|intern transport|orderpick")
_LIFT_CUE = re.compile(r"\bti(l|llen|lt)\b|tilwerk|sjouw|\bdra(ag|gen)\b|\bzwaar|\bzware\b|dozen|pakketten|zakken|"
                       r"kratten|gewicht|lasten|\bkisten\b|meubels|\btillen\b")
_KILOS = re.compile(r"(\d{1,3})\s*(?:kg|kilo('?s)?|kilogram)\b")
_HEAVY = re.compile(r"zwaar (fysiek |lichamelijk )?(werk|tilwerk)|fysiek zwaar|lichamelijk zwaar|zware lasten|"
                    r"zwaar tillen")
_LIGHT = re.compile(r"licht(e)? (werk|werkzaamheden)|(niet|geen) (zwaar )?(til|tillen|tilwerk)|hoef(t)? (je )?niet "
                    r"(zwaar )?te tillen|geen zwaar")


def demands(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    """What the work asks of the body and the mind, the mirror of a person's restrictions."""
    kilos: tuple[float, Span] | None = None
    for c in cls:
        if c.mode == OFFERED:
            continue
        if _LIGHT.search(c.plain):
            continue
        if _LIFT_CUE.search(c.plain) or _KILOS.search(c.plain):
            for m in _KILOS.finditer(c.plain):
                at, end = c.start + m.start(), c.start + m.end()
                value = float(m.group(1))
                if 2 <= value <= 200 and (kilos is None or value > kilos[0]):
                    kilos = (value, Span(text[at:end], at, end))
            if kilos is None and (heavy := _HEAVY.search(c.plain)):
                at, end = c.start + heavy.start(), c.start + heavy.end()
                kilos = (float(HEAVY_KG), Span(text[at:end], at, end))
        people = _PEOPLE.search(c.plain) or _AT_HOME.search(c.plain)  # "bij cliënten thuis": their home
        if people and (_CONTACT.search(c.plain) or _AT_HOME.search(c.plain)) and c.mode != PREFERRED \
                and not negated(c, c.start + people.start()):
            at, end = c.start + people.start(), c.start + people.end()
            _add_demand(out, "customer_contact", None, Span(text[at:end], at, end))
        for code, pattern in _DEMANDS.items():
            if code == "driving" and (_YARD.search(c.plain) or _YARD.search(plain(out.vacancy.get("title", "")))):
                continue  # a forklift is driven in the warehouse, not on the road
            for m in re.finditer(pattern, c.plain):
                at, end = c.start + m.start(), c.start + m.end()
                said = _sentence_before(low, at) + low[at:end]
                if negated(c, at) or c.mode == PREFERRED or (_OTHERS_AT_WORK.search(said) and not _ASKS.search(said)):
                    continue  # "onze chauffeurs brengen het brood naar de winkels": their work, not the reader's
                    # (but "we werken soms op een steiger" is the reader's too)
                _add_demand(out, code, None, Span(text[at:end], at, end))
                break
    if kilos:
        _add_demand(out, "lift_kg", kilos[0], kilos[1])
    for shift, code in (("night", "night_work"), ("evening", "evening_work"), ("weekend", "weekend_work")):
        if shift in out.vacancy.get("shifts", []):
            _add_demand(out, code, None, out.evidence["shifts"][out.vacancy["shifts"].index(shift)])


def _add_demand(out: Extraction, code: str, value: float | None, span: Span) -> None:
    present = {d["code"] for d in out.vacancy.get("demands", [])}
    if code not in present:
        out.add_item("demands", {"code": code, "value": value}, span)


_SUPPORT: dict[str, str] = {
    "jobcoach": r"job ?coach|(extra|persoonlijke|intensieve|vaste|eigen|dagelijkse|goede) begeleid(ing|er)|"
                r"begeleid(ing|er)s? (op|van|door) (de werkvloer|het werk|de werkplek|een jobcoach)|werkbegeleider|"
                r"werkplekbegeleid|coaching op de werkplek|praktijkbegeleid|begeleider op de werkvloer|"
                r"iemand die je (helpt|begeleidt)|begeleidt je|"
                r"begeleid(ing|er) (van|vanuit) (de gemeente|het wsp|het uwv|het werkbedrijf|de sociale dienst)",
    "jobcarving": r"job ?carving|(functie|werk|taken|takenpakket) (op maat|aangepast)|aangepast(e)? (functie|werk|"
                  r"taken|werkplek|takenpakket)|(passen|pas|past) [^.]{0,40}\b(werk|taken|functie)\b[^.]{0,30}\baan\b|"
                  r"wat jij (wel )?kunt|taken (her)?verdelen|functiecreatie|aan(ge)?pass(en|ing) aan (jouw|je) "
                  r"(mogelijkheden|kunnen)|\b(taken|werk|functie)\b[^.]{0,30}\baan(ge)?pas(sen|t)\b",
    "loonkostensubsidie": r"loonkostensubsidie|loonkosten ?subsidie|loonwaarde|loonsubsidie|\blks\b|"
                          r"subsidie|loondispensatie",
    "proefplaatsing": r"proefplaats(ing)?|behoud van (je |de |uw |een )?uitkering|proefdraai|\bop proef\b|"
                      r"proefperiode zonder",
}


def support(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    for c in cls:
        for code, pattern in _SUPPORT.items():
            if code in out.vacancy.get("support", []):
                continue
            if m := re.search(pattern, c.plain):
                at, end = c.start + m.start(), c.start + m.end()
                if not negated(c, at):
                    out.add_item("support", code, Span(text[at:end], at, end))


_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([A-Z]{2})\b")
_PLACE_CONTEXT = re.compile(r"(\bin|\bte|regio|locatie|standplaats|werklocatie|werkplek|adres|vestiging)\W*$", re.I)


def location(text: str, low: str, cls: list[Clause], out: Extraction) -> None:
    """PC4 from an address ("6827 AB"), else from a place name in the region ("in Velp")."""
    for m in _POSTCODE.finditer(text):
        if m.group(2) not in ("KG", "UUR") and geo.place(m.group(1)):
            out.add("postcode", m.group(1), Span(m.group(), m.start(), m.end()))
            return
    best: tuple[int, str, Span] | None = None
    for name, pc4 in _towns().items():
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            priority = 0 if _PLACE_CONTEXT.search(text[max(0, m.start() - 20):m.start()]) else 1
            if best is None or (priority, m.start()) < (best[0], best[2].start):
                best = (priority, pc4, Span(m.group(), m.start(), m.end()))
    if best:
        out.add("postcode", best[1], best[2])


@lru_cache(maxsize=1)
def _towns() -> dict[str, str]:
    """Town name -> its first postcode, from the region's postcode table ("Velp-Zuid" is in Velp)."""
    towns: dict[str, str] = {}
    for pc4, name in sorted(geo.places().items()):
        words = name.split()
        town = " ".join(words[:2]) if words[0] == "De" else words[0]
        town = re.sub(r"-(West|Oost|Noord|Zuid|Centrum)$", "", town)
        towns.setdefault(town, pc4)
    return towns


_WANTED = re.compile(r"\b(zoek(en|t)?|gezocht|ruimte voor|plek voor|plaats voor)\b[^.\n]{0,40}?"
                     r"\b(een|enthousiaste|ervaren|nieuwe|\d+)\s+(?P<title>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,3}?)"
                     r"(?=\s*(?:\(|,|\.|!|\bdie\b|\bvoor\b|\bmet\b|\bom\b|\bin\b|\bbij\b|\bm/v|\n|$))")


def clean_title(line: str) -> str:
    """A job title without its wrapping: "Vacature: Schoonmaker (m/v) - Arnhem" -> "Schoonmaker"."""
    cleaned = re.sub(r"(?i)^(onderwerp|subject|re|fw|vacature|functie|gezocht|wij zoeken|we zoeken)\b\s*[:\-–]?\s*",
                     "", line.strip())
    cleaned = re.sub(r"(?i)^(nieuwe\s+|open\s+)?vacature\s*:?\s+", "", cleaned)  # "nieuwe vacature: ..."
    cleaned = re.sub(r"(?i)\s*[\(\[]?\b[mv]\s*/\s*[vmx](\s*/\s*x)?\b[\)\]]?|\s*\([^)]*\)|\s+[-–|]\s+.*$", "", cleaned)
    return cleaned.strip(" :-–|*#")


# --- tasks in the words of the text ----------------------------------------------------------------------

# where one part of a sentence ends; not inside "hij of zij"
_PART_END = re.compile(r"\s*[,;:]\s*|(?<!-)(?<!\bhij)(?<!\bzij)\s+(?:en|of|dus|want|maar)\s+|[.!?]+(?:\s+|$)")
# Experience or knowledge asked for: "montage-ervaring", "ervaring in een productieomgeving", "ervaring met snoeien",
# "kennis van houtsoorten". Not experience in general ("werkervaring", "ervaring is een pré") or what a customer
# gets ("een topervaring voor onze gasten", "klantervaring").
_EXPERIENCE = re.compile(
    r"\b(?!(?:werk|levens|praktijk|stage|leer|veel|enige|relevante|top|klant|klanten|gast|gasten|bezoekers|"
    r"totaal)-?ervaring)[a-z]{3,}-?ervaring\b|"
    r"\b(?:ervaring (?:met|in|als|op het gebied van|binnen)|kennis (?:van|over)) (?:de |het |een )?"
    r"[a-z0-9'-]+(?: [a-z0-9'-]+){0,3}?(?<!-)(?=\s+(?:is|zijn|heb|hebt|heeft|strekt|mooi|een pre|pre|pluspunt|gewenst|"
    r"vereist|handig|nodig|welkom|hebben|bezit|meebrengt)\b|\s*[,.;!?(:]|\s+(?:en|of)\s|\s*$)")
# A competence named as a noun, in a list item or after "je hebt": "technisch inzicht", "communicatieve
# vaardigheden", "oog voor detail", "verantwoordelijkheidsgevoel". An attitude ("een flexibele instelling", "een
# klantvriendelijke houding") is a trait, as "je bent flexibel" is: no skill.
_NOT_QUALITY = r"(?!(?:een|de|het|je|jij|jouw|goed|goede|veel|en|of|met|van|in|op|over|hebt|heb|heeft|bezit)\b)"
_COMPETENCE = re.compile(rf"\b(?:{_NOT_QUALITY}[a-z]+ )?(?:[a-z]*inzicht|[a-z]*vaardigheden|[a-z]*vaardigheid|"
                         rf"[a-z]*handigheid|[a-z]{{4,}}gevoel)\b|"
                         r"\b(?:(?:oog|gevoel) voor|affiniteit met) (?:de |het |een )?[a-z]+")
_HAS = re.compile(rf"\s*{_BULLET}?\s*(je|jij) (hebt|beschikt over|bezit)\b|\s*{_BULLET}?\s*heb je\b")
_CONTACT_DETAILS = re.compile(r"@|www\.|https?://|\b0\d{1,3}[- ]?\d{6,8}\b")  # "bel Petra (026-1234567)"
_OPENER = re.compile(rf"^(?:(?:\s|{_BULLET})+|(?:ook|daarnaast|verder|tevens|bovendien|en|of)\s+)*")
_ALSO = re.compile(rf"(?:\s|{_BULLET})*(?:ook|daarnaast|verder|tevens|bovendien)\s")  # "Ook help je": a statement
_LINK = r"(?:(?:dus|want|daarom|en)\s+)?"  # a word that links a sentence to the one before: "dus je ...", "en de ..."
_TO_READER = re.compile(_LINK + r"(?:je|jij|u|hij of zij|hij/zij|zij/hij|de kandidaat|"
                        r"de nieuwe collega|de medewerker)\s+")
_INVERTED = re.compile(r"(?:^|(?<=\s))(?P<verb>[a-z]+)\s+(?:je|jij|u|hij of zij|hij/zij|zij/hij)\s+(?=\S)")


@dataclass(frozen=True)
class Part:
    """One coordinated part of a sentence ("planten inpakken" in "afrekenen, planten inpakken en ...")."""

    start: int
    end: int
    clause: Clause


def sentences(text: str, cls: list[Clause]) -> list[list[Part]]:
    """The parts of each sentence: its comma clauses split again at "en", "of", ";" and ":". A sentence ends
    at . ! ? ; : or a line break, and a list opens after "bestaat uit" or "taken:"."""
    out: list[list[Part]] = []
    last: Clause | None = None
    for c in cls:
        listed = _TASK_LIST.search(c.plain)
        pos = listed.end() if listed else 0
        if last is None or listed or re.search(r"[.!?;:\n]", text[max(last.start, last.end - 1):c.start]):
            out.append([])
        last = c
        for m in [*_PART_END.finditer(c.plain, pos), None]:
            stop = m.start() if m else len(c.plain)
            if c.plain[pos:stop].strip():
                out[-1].append(Part(c.start + pos, c.start + stop, c))
            if m is None:
                break
            pos = m.end()
            if re.search(r"[.!?;:]", m.group()):
                out.append([])
    return [s for s in out if s]


def _tasks(text: str, parts: list[Part], used: list[Span], skills: list[Span], out: Extraction, *,
           weak: Sequence[Span] = (), examples: Sequence[Span] = ()) -> None:
    """The work a sentence names in its own words, as tasks ("kaartjes verkopen"), kept as text that the
    normaliser maps where it can. Three forms count (see `tasks`): said to the reader ("je verkoopt kaartjes,
    draait bardienst", "ook pak je bestellingen in", "hij of zij maakt auto's schoon"); infinitives in a list
    item, under a task heading or in a short summary sentence that opens a line below the first ("Groenten
    snijden en de vaatwasser bedienen."); and under a task heading any short list item ("kassawerk"). Never
    what another field already read."""
    if re.match(r"[^\n.!]*\?", text[parts[-1].end:]):
        return  # a question asks the reader, it names no task: "Wil jij graag buiten werken?"
    if re.match(r"(?i)\s*:[ \t]*(je|jij)\s", text[parts[-1].end:]):
        return  # it introduces the tasks that follow on its line: "Je assisteert de kok: je schilt ..."
    parts = [p for p in parts if not any(e.start <= p.start and p.end <= e.end for e in examples)]
    if not parts:
        return
    parts = _merged(text, parts)
    line = text.rfind("\n", 0, parts[0].start) + 1
    head = text[line:parts[0].start]
    opens_line = not head.strip(" \t" + "".join(_BULLETS)) or head.rstrip().endswith(":")
    said_before = re.split(r"[.!?]\s+", plain(head))[-1]  # "(hoi!) het gaat om de kamers:" opens a list of tasks on
    # the first line too, where "ze voeren deze acties uit:" says what others do
    listed = head.rstrip().endswith(":") and not (_ABOUT_OTHERS.search(said_before) and not _ASKS.search(said_before))
    summary = opens_line and (bool(text[:line].strip()) or listed) and _summary(text, parts) \
        and not re.match(r"[^\n.?]*!", text[parts[-1].end:])  # "Samen bouwen aan de toekomst!" is a slogan
    listing = parts[0].clause.tasks  # "Het werk bestaat uit deeg afwegen, bakplaten vullen en ..."
    addressed = named_work = False
    nouns: list[tuple[str, Span, Clause]] = []
    shared: str | None = None  # the object of the part before: "pakketten" in "pakketten sorteren en bezorgen"
    waiting: list[tuple[str, Span]] = []  # verbs said without their object: "je snijdt, weegt (en verpakt brood)"
    before_task: str | None = None  # the object of the last task read: what "ze" or "het" after a verb stands for
    modal = False  # "je gaat pakketten openmaken, (de artikelen controleren ...)": the modal governs the list
    because = False  # "(je moet fit zijn,) want je loopt veel trappen (en tilt ...)": why, not what the work is
    for p in parts:
        c = p.clause
        because = because or bool(re.search(r"\bwant\s*$", text[max(0, p.start - 8):p.start].lower())
                                  or re.match(r"\W*want\s", text[p.start:p.end].lower()))
        if because:
            continue
        trimmed = _trimmed(text, p, used, skills)
        named_work = named_work or any(s.start < p.end and p.start < s.end for s in [*skills, *weak])
        raw = text[p.start:p.end]  # a verb without an object of its own passes the object on ("post openen,
        before_shared, shared = shared, _object(raw) or (shared if _bare_verb(raw) else None)  # scannen en ...")
        if _taught(c) or trimmed is None or _NEGATION.search(plain(trimmed[0].text)) \
                or _CONTACT_DETAILS.search(trimmed[0].text) \
                or (re.match(r"[ \t]*:", text[p.end:]) and len(trimmed[0].text.split()) <= 2):
            continue  # a label before a colon ("Eisen: rijbewijs B, ...") names no task
        span, cut = trimmed
        said = re.sub(r"\s*\([^)]*\)?", "", span.text)
        low = said.lower()
        in_tasks = c.tasks or listing
        task, referring, how = None, False, ""
        if m := _titled(low, out) or _TO_READER.match(low):
            how = "task: the job named as subject" if m.re is not _TO_READER else "task: said to the reader"
            resolved = _referred(said[m.end():], before_task)
            task, addressed, referring = tasks.as_task(resolved), True, resolved != said[m.end():]
            modal = tasks.infinitive(low[m.end():].split()[0]) in tasks.MODALS if low[m.end():].split() else False
            span = Span(span.text[m.end():], span.start + m.end(), span.end)  # the evidence starts at the verb
            if task is None and p is not parts[-1] and not cut and " " not in low[m.end():].strip() \
                    and (verb := tasks.infinitive(low[m.end():].strip())):
                waiting = [(verb, span)]  # "je snijdt" and "verpakt brood": the next part names the object (not
                # "je werkt van 22.00 tot 06.00 uur en (je verzamelt orders)")
        elif m := _inverted(low, first=p is parts[0] and not _ALSO.match(text[p.start:span.start].lower())):
            # "zware apparaten verplaats je met een takel": what stands before the verb is its object, unless
            # it is a prepositional phrase ("met handgereedschap haal je apparaten uit elkaar")
            before = said[:m.start("verb")]
            if not before.strip() or before.split()[0].lower() in tasks.PREPOSITIONS | tasks.ADVERBIALS:
                before = ""
            phrase = f"{_stem_form(m.group('verb'))} {before}{said[m.end():]}"
            how = "task: verb before 'je'"
            resolved = _referred(phrase, before_task)
            task, addressed, referring = tasks.as_task(resolved), True, resolved != phrase
        elif (in_tasks or c.item or summary or modal) and (named := tasks.infinitive_task(said)) \
                and not (addressed and len(said.split()) == 1 and not c.item):  # "je onderhoudt plantsoenen en
            # bermen": one word after a verb said to the reader is its object, not an infinitive
            task = named if before_shared is None else _with_object(named, before_shared)
            how = "task: infinitive"
            if before_shared is not None and task.split()[0].lower() in tasks.PREPOSITIONS \
                    and task.split()[-1].lower() not in _ON_ITS_OWN:
                task = None  # "(spullen prijzen en) in de schappen zetten": the same things, one task with the one
                # before ("gasten ontvangen en naar hun tafel brengen"), not one of its own without its object
        elif p is parts[0] and re.match(r"[a-z]+\s+(dan\s+)?(je|jij|jouw|u|uw)\b", low):
            pass  # a sentence that opens with its verb asks or requests: "Stuur (dan) je cv naar Petra"
        elif addressed or in_tasks:
            how = "task: next verb said to the reader" if addressed else "task: finite verb under a task heading"
            resolved = _referred(said, before_task)
            task, referring = tasks.as_task(resolved), resolved != said
            if task is None and waiting and p is not parts[-1] and " " not in said.strip() \
                    and (verb := tasks.infinitive(low.strip())):
                waiting.append((verb, span))  # "je stofzuigt, dweilt (en leegt de prullenbakken)"
        if task is None and (in_tasks or c.item or summary):
            task, how = tasks.nominal_task(said), "task: named as a noun ('het ... van')"
        if task is None and in_tasks and c.item and 2 <= len(said.split()) <= 6 and not tasks.is_clause(said) \
                and not _SCHEDULE.search(low) and not tasks.names_no_work(said) \
                and low.split()[0] not in {"de", "het"} | tasks.PREPOSITIONS:  # "(en) de kas", "op daken": where
            task, how = said, "task: short item under a task heading"  # "kassawerk en klanten helpen"
        if task and (re.search(r"\bnederlands", task.lower()) or tasks.vague(task)):
            task = None  # "je spreekt en begrijpt Nederlands": the Dutch level; "allerlei werkzaamheden": no work
        if task and cut and set(task.lower().split()[:-1]) <= tasks.PREPOSITIONS | tasks.PARTICLES | tasks.ADVERBIALS:
            task = None  # "je kunt tegen [fysiek zwaar werk]" cut to "tegen kunnen": what it was is another field's
        if task and cut and task.lower().endswith(" wegen") and _WEIGHT_AFTER.match(plain(text[span.end:])):
            task = None  # "dozen wegen (tot 15 kg)": how heavy they are, the lifting demand; not weighing them
        if task and (not cut or " " in task):  # "houdt je aan de HACCP-regels" cut to "houdt je aan": no task
            name = "required_skills" if c.mode == REQUIRED else "preferred_skills"
            for verb, at in waiting if (obj := _object(task)) else ():
                out.add_item(name, f"{obj} {verb}", at, "task: verb sharing the next object")
            # "werkt zelfstandig en netjes", "zowel zelfstandig als in teamverband"
            manners = re.fullmatch(r"(?:zowel )?(\w+),? (?:en|of|als) ((?:in )?(?:een )?\w+) werken", task)
            for each in [f"{manners[1]} werken", f"{manners[2]} werken"] if manners else [task]:
                out.add_item(name, each, span, how)
            if not referring:  # "(spuit) ze (af)" goes on standing for the object before
                before_task = _head_object(task)
            named_work = True
            waiting = []
        elif task is None and not cut and (in_tasks or c.item or summary) and _names_a_thing(said) \
                and not tasks.vague(said) and not addressed:
            nouns.append((said, span, c))
    for said, span, c in nouns if named_work else ():  # "post verwerken, zalen klaarzetten en koeriersritten"
        out.add_item("required_skills" if c.mode == REQUIRED else "preferred_skills", said, span,
                     "task: noun beside tasks")


def _titled(low: str, out: Extraction) -> re.Match[str] | None:
    """The vacancy's own job named as the subject, as an e-mail or a third-person text does: "de chauffeur
    haalt de kinderen op" in a vacancy for a "chauffeur leerlingenvervoer" (the first or last word of the title
    names the job; "de hogeschool betaalt" in "facilitair medewerker hogeschool Nijmegen" is someone else)."""
    title = fold(out.vacancy.get("title") or "").split()
    if not title or not any(out.vacancy.get(name) for name in _TERMS_OF_WORK):
        return None  # a description of the job in general ("De golfcoach geeft advies over ...") names no hours,
        # shifts or requirements
    whole = re.match(rf"{_LINK}de\s+{re.escape(' '.join(title))}\s+", low)  # "de
    # medewerker bediening ontvangt gasten"
    m = whole or re.match(_LINK + r"de\s+([a-z-]{4,})\s+", low)
    return m if m and (whole or m[1] in (title[0], title[-1])) else None


_TERMS_OF_WORK = ("hours_min", "shifts", "driving_licences", "dutch_level", "certificates", "education_level")


def _referred(phrase: str, obj: str | None) -> str:
    """A pronoun right after the verb stands for the object of the task before it: "(je haalt producten uit de
    machine,) controleert ze op bramen" -> "controleert producten op bramen"; "het" and "deze" only where no
    noun follows ("stapelt het op pallets", "meldt deze bij", not "neemt het drukwerk af")."""
    m = re.match(r"(\S+\s+)(ze|hem|het|deze)\b(?:\s+(\S+))?", phrase, re.I)
    if not obj or not m or (m[2].lower() not in ("ze", "hem") and m[3] and m[3].lower() not in
                            tasks.PREPOSITIONS | tasks.PARTICLES | tasks.ADVERBIALS):
        return phrase
    return phrase[:m.start(2)] + obj + phrase[m.end(2):]


def _head_object(task: str) -> str | None:
    """The object a task names, without what says where: "producten" in "producten uit de machine halen",
    "auto's" in "auto's de wasstraat inbegeleiden"."""
    words = task.split()[:-1]
    while words and words[0].lower() in tasks.ADVERBIALS:
        words = words[1:]
    end = next((i for i, w in enumerate(words) if w.lower() in tasks.PREPOSITIONS
                or (i > 0 and w.lower() in ("de", "het", "een"))), len(words))
    return " ".join(words[:end]) or None


_NO_OBJECT = frozenset(("opnieuw", "weer", "ook", "daarna", "vervolgens", "direct", "zelf", "netjes", "zoals"))


def _object(said: str) -> str | None:
    """What an infinitive task acts on ("pakketten" in "Pakketten sorteren in het depot", "brood" in "brood
    verpakken"), or None when the part names no such task."""
    task = tasks.infinitive_task(_OPENER.sub("", said.strip(), count=1))
    words = task.split() if task else []
    while words and words[0].lower() in tasks.ADVERBIALS | _NO_OBJECT:
        words = words[1:]
    return " ".join(words[:-1]) if len(words) > 1 and not set(map(str.lower, words[:-1])) & _NO_OBJECT else None


def _bare_verb(said: str) -> bool:
    """Is the part an infinitive without an object of its own ("scannen", "opnieuw dekken")?"""
    task = tasks.infinitive_task(_OPENER.sub("", said.strip(), count=1))
    return task is not None and _with_object(task, "x") != task


def _with_object(task: str, obj: str) -> str:
    """A verb listed after a task, without an object of its own, acts on that task's object: "(pakketten
    sorteren en) bezorgen op vaste routes" -> "pakketten bezorgen", "(tafels afruimen en) opnieuw dekken"."""
    words = task.split()
    verb = next((i for i, w in enumerate(words) if tasks.is_infinitive(w.lower())), None)
    if verb is None or any(w.lower() not in _NO_OBJECT for w in words[:verb]) or not tasks.is_verb(words[verb]):
        return task
    return f"{obj} {words[verb].lower()}"


def _names_a_thing(said: str) -> bool:
    """A short phrase without a verb that can stand for work beside tasks ("koeriersritten tussen de
    kantoren"), not a circumstance ("buiten in alle weersomstandigheden", "2 dagen per week")."""
    words = said.lower().split()
    return 1 <= len(words) <= 4 and words[0] not in tasks.PREPOSITIONS | tasks.ADVERBIALS \
        and not re.search(r"\d", said) and not tasks.has_verb(said)


def _inverted(low: str, *, first: bool) -> re.Match[str] | None:
    """The finite verb before "je" in a sentence that opens with something else: "ook pak je", "aan het eind
    van je dienst maak je" (not "van je"), or in a later part ("laad en los je vrachtwagens, verzamel je
    orders"). A sentence that opens with its verb is a question or a request: "stuur je cv". A conjunction
    before "je" opens a clause whose verb stands last: "waar je de bus laadt" ("waar" is no form of "zijn")."""
    return next((m for m in _INVERTED.finditer(low) if len(low[:m.start()].split())
                 <= (10 if low.split()[:1] and low.split()[0] in tasks.PREPOSITIONS else 7)  # "in het restaurant
                 # van een kantoor in Ede bereid je": a longer place before the verb
                 and (m.start() > 0 or not first) and m.group("verb") not in tasks.CONJUNCTIONS | tasks.PREPOSITIONS
                 and _stem_form(m.group("verb"))), None)


def _stem_form(verb: str) -> str | None:
    """The verb before "je" as a form the dictionary reads: "pak" as it is, "ruim" (also an adjective) as
    "ruimt"."""
    return verb if tasks.infinitive(verb) else verb + "t" if tasks.infinitive(verb + "t") else None


def _summary(text: str, parts: list[Part]) -> bool:
    """Is the sentence a short summary of the work in infinitives, as a WSP summary or an e-mail names it
    ("Groenten snijden, broodmaaltijden klaarmaken en de vaatwasser bedienen.")? Every part is a task or a
    phrase without a verb ("buiten, in weer en wind"), the first is a task, and the sentence is short.
    Descriptive prose does not pass: its sentences open with a subject and a finite verb ("Schoonmakers
    reinigen gebouwen"), and coordinated verbs share one object at the end ("monteren en onderhouden accu's")."""
    said = [text[p.start:p.end] for p in parts]
    return sum(len(s.split()) for s in said) <= 16 and bool(tasks.infinitive_task(said[0])) and all(
        tasks.infinitive_task(s) or not tasks.has_verb(s) for s in said)


def _merged(text: str, parts: list[Part]) -> list[Part]:
    """Parts that name one task together. Objects listed after a verb whose separable part closes the list
    join that verb ("maak je de sporthal, kleedkamers en kantine schoon"); a short phrase without a verb
    joins the part after it ("perrons, liften en toiletten schoonhouden", "de balie en kleedkamers netjes
    houden"), or the part before it when it says where or how ("per e-mail")."""
    said = [text[p.start:p.end] for p in parts]
    closing = said[-1].lower().split()
    if len(parts) > 1 and closing[-1] in tasks.PARTICLES and not tasks.has_verb(" ".join(closing[:-1])) \
            and (len(closing) <= 2 or closing[0] in {"de", "het", "een", "alle", "jouw", "je", "onze", "ons"}):
        # an object with the particle ("(en) de kantine schoon"), not a verb of its own ("(en) lost klachten op")
        verb = next((i for i in range(len(parts) - 2, -1, -1) if tasks.has_verb(said[i])), None)
        if verb is not None:
            parts = [*parts[:verb], Part(parts[verb].start, parts[-1].end, parts[verb].clause)]
    merged: list[Part] = []
    pending: Part | None = None
    in_adverbial = False
    for i, p in enumerate(parts):
        own = text[p.start:p.end].split()
        # in a list of objects one word that is first a noun stays an object, though it could be an infinitive:
        # "perrons, liften (en toiletten schoonhouden)", "kantoren, trappen (en sanitair schoonmaken)"
        listed = pending is not None and len(own) == 1 and not tasks.is_verb(re.sub(r"\W", "", own[0]))
        if pending is not None:
            p = Part(pending.start, p.end, p.clause)
            pending = None
        words = text[p.start:p.end].split()
        phrase = " ".join(words)
        bare = listed or (len(words) <= 6 and not tasks.has_verb(phrase) and not tasks.infinitive_task(phrase)
                          and not re.match(r"\S+\s+(je|jij)\b", phrase.lower()))  # "los je": "los" is a verb
        # where or how the part before is done: "(beantwoordt vragen aan de telefoon en) per e-mail", "(onkruid
        # wieden) in weer en wind"
        adverbial = bool(bare and merged and re.fullmatch(r"\s*(,|en|of)?\s*", text[merged[-1].end:p.start])
                         and (words[0].lower() in tasks.PREPOSITIONS or in_adverbial))
        # one noun more in the object of the preposition before: "(klanten adviseren) over voer en verzorging",
        # "(helpt) bij huishoudelijke taken en boodschappen"; not after where ("in de winkel en kassawerk")
        adverbial = adverbial or bool(bare and merged and len(words) == 1
                                      and re.fullmatch(r"\s+(en|of)\s+", text[merged[-1].end:p.start])
                                      and _ends_in_object_of(text[merged[-1].start:merged[-1].end]))
        objects = bare and merged and words[0].lower() not in tasks.PREPOSITIONS \
            and _leads_with_verb(text[merged[-1].start:merged[-1].end])  # "je bereidt lunch en diner"
        in_adverbial = adverbial
        if adverbial or objects:
            merged[-1] = Part(merged[-1].start, p.end, merged[-1].clause)
            continue
        word = re.sub(r"\W", "", words[0]).lower()
        lone = len(words) == 1 and not tasks.is_verb(word) and not (word.endswith("t") and tasks.infinitive(word))
        # a finite verb stands alone: "(je stofzuigt,) dweilt (en leegt de prullenbakken)"
        if i < len(parts) - 1 and (lone or (bare and len(words) <= 3)):
            pending = p
            continue
        merged.append(p)
    return merged


# "adviseren over", "helpen bij"; not "met", which lists things used ("werkt met Excel en Word")
_ON_ITS_OWN = frozenset(("werken", "helpen", "meehelpen", "meewerken", "rijden", "lopen"))  # need no object
_GOVERNING = frozenset(("over", "op", "bij", "van", "voor", "naar", "aan"))


def _ends_in_object_of(phrase: str) -> bool:
    """Does the part end in a prepositional object after its verb ("klanten adviseren over voer", "sorteert
    kleding op soort")?"""
    words = re.findall(r"[\w'-]+", phrase.lower())
    at = next((i for i in range(len(words) - 1, 0, -1) if words[i] in tasks.PREPOSITIONS), None)
    return at is not None and words[at] in _GOVERNING and 0 < len(words) - at - 1 <= 3 \
        and tasks.has_verb(" ".join(words[:at])) and not any(map(tasks.is_verb, words[at + 1:]))


def _leads_with_verb(phrase: str) -> bool:
    """Does the part open with its finite verb, so that the objects listed after it are its own? Also where
    the verb comes after what opens the sentence: "(in de zomer) pluk je appels (en peren)"."""
    words = _TO_READER.sub("", _OPENER.sub("", phrase.lower()), count=1).split()
    if bool(words) and tasks.infinitive(words[0]) is not None and len(words) > 1:
        return True
    low = plain(phrase)
    return bool((m := _inverted(low, first=False)) and low[m.end():].strip())


def _trimmed(text: str, p: Part, used: list[Span], skills: list[Span]) -> tuple[Span, bool] | None:
    """The part without list marks, "ook" and closing marks, and cut where another field's finding starts
    ("draagt de kratten (tot 15 kg)" -> "draagt de kratten": the kilos are a demand). None when nothing is
    left, or when the vocabulary already read a skill in it ("hagen snoeien" is snoeien). Says whether it was
    cut."""
    start, end = p.start, p.end
    start += len(_OPENER.match(text[start:end].lower()).group())  # type: ignore[union-attr]
    if any(s.start < end and start < s.end for s in skills):
        return None
    cut = False
    for s in used:
        if s.start < end and start < s.end:
            if (_SCHEDULE.search(plain(s.text)) or re.search(r"\d", s.text)) \
                    and _inverted(plain(text[s.end:end]), first=False):
                continue  # when, before the verb: "In de nachtdienst (23.00-07.00) haal je ..."
            if s.start <= start:
                return None
            end, cut = s.start, True
    said = text[start:end]
    if cut:  # "draagt de kratten (tot" -> "draagt de kratten"
        said = re.sub(r"(\W|\s(in|een|de|het|van|met|tot|op|bij|voor|naar|en|of|te|om|je))+$", "", " " + said)[1:]
    said = said.rstrip(" \t.!?,;:(-–")
    return (Span(said, start, start + len(said)), cut) if len(said) > 2 else None


_SCHEDULE = re.compile(r"dienst|ploeg|rooster|weekend|nacht|avond")  # "wisselende diensten" is when, not what
_WEIGHT_AFTER = re.compile(r"\W*(?:(?:tot|van|max(?:imaal|\.)?|ongeveer|zo'?n|circa|ca\.?|wel|rond)\s+)*"
                           r"\d{1,3}\s*(?:kg|kilo)")  # "(dozen wegen) tot 15 kg", "(zakken) van max. 20 kilo"
_LANGUAGES = r"engels|duits|frans|pools|spaans|turks|arabisch|portugees|italiaans|roemeens|bulgaars"


def _other_language(low: str, start: int, end: int) -> bool:
    """A language offered in place of Dutch or merely accepted, not asked for: "Nederlands of Engels",
    "Nederlands, Engels of Pools", "Engels is ook goed", "engels ok"; not one of a list that ends in "en"
    ("Nederlands, Engels en Duits": all three). Offsets are in the whole text: a list spans comma clauses."""
    language = re.match(rf"(?:{_LANGUAGES})\b", low[start:end])  # "Engels (spreken)"
    if not language or not re.fullmatch(r"(\s+(spreken|verstaan|begrijpen|beheersen))?",
                                        low[start + language.end():end]):
        return False
    end = start + language.end()
    if re.match(rf"(\s*,\s*({_LANGUAGES}))*\s+en\s+({_LANGUAGES})\b", low[end:end + 60]):
        return False
    return bool(re.search(rf"nederlands\w*(\s*(,|of|en/of|/)\s*({_LANGUAGES}))*\s*(,|of|en/of|/)\s*$",
                          low[max(0, start - 40):start])
                or re.match(r"\s*(of|/)\s*nederlands|\s*,?\s*(is\s*)?(ook\s*)?(ok|oke|okay|prima|goed|geen probleem|"
                            r"mag ook|maakt niet uit)\b", low[end:end + 24]))


# A trait of the reader ("je bent gastvrij en flexibel") is no skill, an ability is ("je bent goed in rekenen");
# what the employer or others do ("onze koks bereiden", "zagen we hout op maat", "de collega's maaien gras") asks
# nothing of the reader.
_TRAITS = re.compile(r"\b(je|jij) bent\b|\bben (je|jij)\b")
_ABLE = re.compile(r"\b(goed|sterk|handig|bedreven|thuis) (in|met)\b|\bbekend met\b|\bin staat\b")
# Liking the work is no skill asked: "je houdt van koken", "je hebt passie voor koken", "je vindt het leuk om te
# koken".
_LIKING = re.compile(r"\bhou(d|dt|den)?\s+(je\s+|jij\s+)?van\b|\bvan(\s+[\w-]+){1,3}\s+hou(d|dt|den)\b\W*$|"
                     r"\b(plezier|liefde)\s+(voor|in)\b|\bpassie\b|\bleuk\s+(om|vindt|vind|vinden)\b|\bhet\s+leuk\b")
# A word that describes a person rather than names the work: an adjective ("flexibel", "klantgericht",
# "betrouwbaar", "punctueel", "gastvrij") or a kind of person ("teamspeler", "aanpakker").
# Not an ability ("cijfermatig", "digivaardig"), a language ("Arabisch") or a short code ("TIG").
_TRAIT_WORD = re.compile(r"(?![a-z]*(vaardig|matig)$)[a-z]{3,}(ig|baar|ief|eel|zaam|lijk|vrij|gericht|bel|speler|"
                         r"pakker|zetter)")
_ABOUT_OTHERS = re.compile(r"\b(wij|we|onze|ons|ze|zij|collega'?s|medewerkers|teamleden|het team|de afdeling|"
                           r"het bedrijf|de organisatie)\b")
_OTHERS_AT_WORK = re.compile(r"\b(onze|ons)\s+\w+|\b(ze|zij|collega'?s|medewerkers|teamleden)\b")
_ASKS = re.compile(r"\b(je|jij|jou|jouw|u|zoeken|zoekt|vragen|verwachten|nodig|kandidaat|medewerker die|collega die)\b")


def _sentence_before(low: str, at: int) -> str:
    """The words of the sentence before an offset in the text."""
    return re.split(r"[.!?]\s|\n", low[max(0, at - 200):at])[-1]


# Demands whose cue is a word of the work itself: "klanten helpen" is customer contact and a task.
_CONDITIONS = {"heights", "outdoor", "standing", "lift_kg"}  # demands that are conditions of the work, no work
_IN_TASKS = {"customer_contact", "outdoor", "high_stimulus", "standing", "heights"}


# What the employer teaches is no skill asked of the reader: "orderpicken leer je bij ons", "we leren je heftruck
# rijden", "je wordt ingewerkt in het orderpicken", "je volgt bij ons de cursus heftruck rijden".
_LEARNED = re.compile(r"\b(leer|leert) je\b|\bje (leert|wordt\s+(\w+\s+)?(ingewerkt|opgeleid))\b|"
                      r"\b(we|wij) leren (je|jou)\b|\bleren (we|wij) (je|jou)\b|\binwerkperiode\b|"
                      r"\b(je krijgt|krijg je|je volgt|volg je)\s+(bij ons\s+)?(een\s+|de\s+)?(\w+\s+)?"
                      r"(training|cursus|opleiding|instructie)")


def _taught(c: Clause) -> bool:
    """Does the clause offer something, or say what the reader will be taught (`_LEARNED`)?"""
    return c.mode == OFFERED or bool(_LEARNED.search(c.plain))


_EXAMPLES = re.compile(r"\bzoals\b(?:(?!\s(?:en|of)\s+(?:\w+\s+)?(?:je|jij)\b)[^:])*")


def _examples(text: str, cls: list[Clause]) -> list[Span]:
    """What "zoals" introduces, up to the end of its clause or the next thing said to the reader: examples of
    the work named before it ("de persoonlijke verzorging, zoals douchen en aankleden"; "activiteiten zoals
    knutselen en buitenspelen (en maak je ...)"), no work of their own. Things named as examples stay skills
    ("software zoals Excel en Word")."""
    return [Span(text[c.start + m.start():c.start + m.end()], c.start + m.start(), c.start + m.end())
            for c in cls for m in [_EXAMPLES.search(c.plain)] if m]


def _read_as_fields(out: Extraction) -> list[Span]:
    """The spans other fields read, which are not read again as skills; a demand named by a word of the work
    ("klanten helpen", "buiten werken") leaves that work to be read."""
    demands = out.evidence.get("demands", [])
    codes = [d["code"] for d in out.vacancy.get("demands", [])]
    return [s for name, spans in out.evidence.items() if name != "demands" for s in spans] + \
        [s for code, s in zip(codes, demands, strict=True) if code not in _IN_TASKS
         and not (code == "driving" and plain(s.text).startswith(("bezorg", "koerier")))]  # "je bezorgt": work too


class TermFinder:
    """Finds vocabulary labels in running text: every run of up to six words is looked up as a label.

    Dictionary lookups, not a regular expression with thousands of alternatives: a long vacancy text takes
    a millisecond or two."""

    MAX_WORDS = 6

    def __init__(self, vocabulary: Vocabulary, kind: str, *, min_length: int = 3) -> None:
        self.labels: dict[tuple[str, ...], str] = {}
        for concept in vocabulary.of_kind(kind):
            for text in (concept.nl or "", *(label.text for label in concept.labels)):
                words = tuple(fold(text).split())
                if words and len(" ".join(words)) >= min_length and len(words) <= self.MAX_WORDS:
                    self.labels.setdefault(words, concept.id)

    def find(self, low: str) -> list[tuple[str, int, int]]:
        """(concept id, start, end) of the longest label at each place, left to right, not overlapping."""
        words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[a-z0-9+]+", low)]
        hits = []
        i = 0
        while i < len(words):
            for n in range(min(self.MAX_WORDS, len(words) - i), 0, -1):
                key = tuple(w for w, _, _ in words[i:i + n])
                if key in self.labels:
                    hits.append((self.labels[key], words[i][1], words[i + n - 1][2]))
                    i += n
                    break
            else:
                i += 1
        return hits


class VacancyReader:
    """Reads Dutch vacancy text into proposed `VacancyIn` fields. Built once per vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.certificates = TermFinder(vocabulary, "certificate", min_length=2)
        self.skills = TermFinder(vocabulary, "skill", min_length=4)
        self.occupations = TermFinder(vocabulary, "occupation", min_length=4)
        # what the body meets at work ("werken op hoogte", "fysiek zwaar werk") is a demand, not a skill
        self.conditions = {fold(label.text) for c in vocabulary.of_kind("demand") if c.code in _CONDITIONS
                           for label in c.labels}

    def read(self, text: str, *, title: str | None = None) -> Extraction:
        out = Extraction()
        low = plain(text)
        cls = clauses(text, low)
        if title:
            out.vacancy["title"] = clean_title(title) or title
            if first := re.match(r"\s*([^\n]+)", text):  # a page or posting repeats its title on the first line
                at = first.group(1).lower().find(out.vacancy["title"].lower())
                if at >= 0:
                    at += first.start(1)
                    out.evidence["title"] = [Span(text[at:at + len(out.vacancy["title"])], at,
                                                  at + len(out.vacancy["title"]))]
        else:
            self._title(text, low, out)
        told = [c for c in cls if c.mode != ABOUT]  # what the employer says of itself asks nothing of the reader
        # and sets no hours ("wij zijn 24 uur per dag open"); its support and its address still count
        for step in (hours, shifts, licences, dutch_level, education, demands, support, location):
            step(text, low, cls if step in (support, location) else told, out)
        self._certificates(text, told, out)
        self._skills(text, low, told, out)
        return out

    def _title(self, text: str, low: str, out: Extraction) -> None:
        """The first short line, else "we zoeken een <titel>", else the first occupation the vocabulary finds
        in the opening sentences."""
        for m in re.finditer(r"[^\n]+", text):
            line = m.group().strip()
            if not line:
                continue
            if re.match(r"(?i)(van|aan|cc|datum|verzonden|date|from|to)\s*:", line):
                continue  # e-mail headers
            if re.match(r"(?i)(onderwerp|subject)\s*:", line) and not re.search(r"(?i)vacature", line):
                continue
            if re.match(r"(?i)(beste|hallo|hoi|geachte|dag|goedemorgen|goedemiddag|l\.s\.|hi)\b", line):
                break
            cleaned = clean_title(line)
            if cleaned and len(cleaned.split()) <= 7 and not cleaned.endswith((".", "?", "!")):
                start = text.find(cleaned, m.start())
                out.add("title", cleaned, Span(cleaned, start, start + len(cleaned)))
                return
            break
        wanted = _WANTED.search(low)
        if wanted:
            start, end = wanted.start("title"), wanted.end("title")
            out.add("title", text[start:end], Span(text[start:end], start, end))
            return
        hits = self.occupations.find(low[:600])
        if hits:
            _, start, end = hits[0]
            out.add("title", text[start:end], Span(text[start:end], start, end))
        else:
            out.warnings.append("geen functietitel gevonden")

    def _certificates(self, text: str, cls: list[Clause], out: Extraction) -> None:
        """Certificates the vocabulary knows: asked, wished ("een pré") or offered ("behaal je bij ons")."""
        for c in cls:
            for concept_id, start, end in self.certificates.find(c.plain):
                at, stop = c.start + start, c.start + end
                if negated(c, at):
                    continue
                label = self.vocabulary.label(concept_id)
                rest = re.split(r"[.!?\n]", text[stop:].lower(), maxsplit=1)[0]
                if c.mode == REQUIRED and _PAID.search(rest) and not re.search(r"\b(niet|geen)\b", rest):
                    out.note("certificates_offered", label)  # "een VOG is nodig; die vragen wij aan en betalen wij"
                elif c.mode == REQUIRED:
                    out.add_item("certificates", label, Span(text[at:stop], at, stop))
                else:
                    out.note(f"certificates_{c.mode}", label)
        for label in out.notes.get("certificates_offered", []):  # asked once, offered elsewhere: an offer
            if label in out.vacancy.get("certificates", []):
                out.vacancy["certificates"].remove(label)

    def _skills(self, text: str, low: str, cls: list[Clause], out: Extraction) -> None:
        """Skills the vocabulary knows, and the tasks a list names in words of its own.

        Read where the text asks for them or lists the work, never under "Wat bieden wij". A single word
        counts in a short list item ("- kassawerk") or as the skill's own name, not as a synonym in running
        text, where "planten" or "zetten" are too often just words. Dutch itself is the language level, a
        town's name is a place, and words read as another field are not read again as a skill."""
        examples = _examples(text, cls)
        used = _read_as_fields(out)
        if title := fold(out.vacancy.get("title") or ""):  # a page repeats its title: no skills in that line
            used += [Span(m.group(), m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)
                     if fold(m.group()) == title]
        skills: list[Span] = []
        words_only: list[tuple[str, str, Span]] = []
        towns = set(_towns())
        for c in cls:
            if _taught(c) or not c.plain.strip():
                continue
            name = "required_skills" if c.mode == REQUIRED else "preferred_skills"
            for concept_id, start, end in self.skills.find(c.plain):
                at, stop = c.start + start, c.start + end
                words = c.plain[start:end]
                if _PREFERRED.fullmatch(words):
                    continue  # "(rijbewijs B is) handig" says it is wished, it names no skill
                if fold(words) in self.conditions:  # read as a demand, and not again as a task
                    used.append(Span(text[at:stop], at, stop))
                    continue
                if negated(c, at) or "nederlands" in concept_id or text[at:stop] in towns \
                        or any(s.start < stop and at < s.end for s in used) or _other_language(low, at, stop) \
                        or _SCHEDULE.search(words) or re.match(r"-?ervaring\b", c.plain[end:end + 9]) \
                        or (any(e.start <= at < e.end for e in examples) and tasks.is_verb(words.split()[-1])):
                    continue  # "kassa-ervaring" asks for experience: read whole below; "zoals douchen": an example
                said = _sentence_before(low, at)
                if re.search(r"\bwant\b", said):
                    continue  # a reason, as in the tasks: "(rijbewijs B) want je rijdt met de bus naar de klussen"
                if words.endswith("contact") and re.search(r"\b(hebt|heb|heeft|hebben)\b", said):
                    continue  # "je hebt telefonisch contact met klanten": the customer contact the work brings, as
                    # "je hebt veel contact met klanten" is; "je houdt contact met de ouders" is work
                if (_TRAITS.search(said) and not _ABLE.search(low[at - len(said):stop])) or _LIKING.search(c.plain) \
                        or (not c.item and any(_ABOUT_OTHERS.search(x) and not _ASKS.search(x)
                                               for x in (said + words, c.plain[:end]))):
                    continue  # "je bent betrouwbaar en flexibel", "in onze werkplaats zagen we hout op maat", "(je
                    # werkt in onze kwekerij,) waar we planten kweken en verkopen"
                own_name = fold(words) == fold(self.vocabulary.label(concept_id))
                names_it = c.item and len(c.plain.split()) <= 6 and not _TO_READER.match(_OPENER.sub("", c.plain)) \
                    and not _WEIGHT_AFTER.match(c.plain[end:])  # "- Zakken tot 20 kg": what is lifted, no work
                trait = _TRAIT_WORD.fullmatch(words) and not fold(self.vocabulary.label(concept_id)).endswith(" werken")
                if " " not in words.strip() and not own_name and (not names_it or trait):
                    continue  # one word stands for the work in an item that names it ("- kassawerk"), not in a
                    # clause about something else ("- je rapporteert aan de teamleider"); a trait listed bare
                    # ("- Flexibel", "- Teamspeler") describes the reader, as "je bent flexibel" does; a way of
                    # working stays ("- Zelfstandig" is zelfstandig werken)
                span = Span(text[at:stop], at, stop)
                if " " in words.strip():
                    out.add_item(name, self.vocabulary.label(concept_id), span, "vocabulary: phrase")
                    skills.append(span)
                else:  # one word ("schoonmaken") gives way to the task it stands in ("de keuken schoonmaken")
                    words_only.append((name, self.vocabulary.label(concept_id), span))
        weak = [span for _, _, span in words_only]
        for c in cls:
            if _taught(c):
                continue
            competences = _COMPETENCE.finditer(c.plain) if (c.item and len(c.plain.split()) <= 6) \
                or _HAS.match(c.plain) else ()
            for m in [*_EXPERIENCE.finditer(c.plain), *competences]:
                at, stop = c.start + m.start(), c.start + m.end()
                said = _sentence_before(low, at) + low[at:stop]  # "onze koks hebben ervaring met ...": theirs
                if not negated(c, at) and not any(s.start < stop and at < s.end for s in used + skills + weak) \
                        and (c.item or not _ABOUT_OTHERS.search(said) or _ASKS.search(said)):
                    span = Span(text[at:stop], at, stop)
                    out.add_item("required_skills" if c.mode == REQUIRED else "preferred_skills", span.text, span,
                                 "experience or knowledge" if m.re is _EXPERIENCE else "competence named as a noun")
                    skills.append(span)
        read = [s for name in ("required_skills", "preferred_skills") for s in out.evidence.get(name, [])]
        for sentence in sentences(text, cls):
            _tasks(text, sentence, used + examples, skills, out, weak=weak, examples=examples)
        tasks_read = [s for name in ("required_skills", "preferred_skills") for s in out.evidence.get(name, [])
                      if s not in read]
        for name, label, span in words_only:  # a language stays a skill of its own: "(communiceert) in het Engels"
            before = re.split(r"[.,;:!?\n]", low[max(0, span.start - 80):span.start])[-1]
            if not re.fullmatch(_LANGUAGES, plain(span.text)) and (listed := re.search(r"\s(en|of)\s+$", before)) \
                    and _ends_in_object_of(before[:listed.start()]):
                continue  # one noun more in a prepositional object: "(helpt) bij huishoudelijke taken en boodschappen"
            if re.fullmatch(_LANGUAGES, plain(span.text)) \
                    or not any(s.start < span.end and span.start < s.end for s in tasks_read):
                out.add_item(name, label, span, "vocabulary: one word")
