"""Parsing bulk files (NDJSON, Szeebra CSV) into validated items with a per-row error report.

Nothing is written here: the caller writes all rows or none.

Szeebra CSV export columns (header row required; unknown columns are an error, missing ones empty):
``ref, municipality, postcode, trede, hours_min, hours_max, max_travel_km, driving_licences,
dutch_level, education_level, certificates, skills, experience, desired_occupations, shifts,
restrictions, summary, status``. List cells are separated by ``;``. ``skills`` and ``experience`` items
may carry years as ``label:years`` (``heftruck rijden:3;orderpicken``). ``restrictions`` items are
``code=value`` (``max_lift_kg=10``), a bare ``code`` (``no_night``), or ``tekst:free text``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from matcher.domain import CandidateIn, OutcomeIn, Ref, VacancyIn, VacancyKey
from matcher.errors import MatcherError
from matcher.ingest.jobposting import is_posting

CSV_COLUMNS = ("ref", "municipality", "postcode", "trede", "hours_min", "hours_max", "max_travel_km",
               "driving_licences", "dutch_level", "education_level", "certificates", "skills", "experience",
               "desired_occupations", "shifts", "restrictions", "summary", "status")
LIST_COLUMNS = {"driving_licences", "certificates", "desired_occupations", "shifts"}
INT_COLUMNS = {"trede", "hours_min", "hours_max", "max_travel_km"}


class _CandidateLine(CandidateIn):
    ref: Ref


class _VacancyLine(VacancyIn):
    source: str
    external_id: str


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"loc": _loc(e["loc"]), "msg": e["msg"]} for e in exc.errors()]


def _ndjson(data: bytes) -> Iterator[tuple[int, Any, str | None]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        yield 1, None, "the file is not UTF-8"
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON: {exc.msg} at column {exc.colno}"
        except RecursionError:
            yield number, None, "not valid JSON here: nested too deeply"


def _validate(model: type[BaseModel], number: int, raw: Any, parse_error: str | None,
              errors: list[dict[str, Any]]) -> BaseModel | None:
    if parse_error:
        errors.append({"row": number, "errors": [{"loc": "", "msg": parse_error}]})
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors.append({"row": number, "errors": _errors(exc)})
        return None


def _first_time(key: Any, number: int, seen: dict[Any, int], loc: str, errors: list[dict[str, Any]]) -> bool:
    """False (with an error for this row) when the key was already on an earlier row of the same request."""
    if key in seen:
        errors.append({"row": number, "errors": [
            {"loc": loc, "msg": f"duplicate key in this request (first on row {seen[key]})"}]})
        return False
    seen[key] = number
    return True


def candidates_ndjson(data: bytes) -> tuple[list[tuple[str, CandidateIn]], list[dict[str, Any]]]:
    items: list[tuple[str, CandidateIn]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    for number, raw, err in _ndjson(data):
        line = _validate(_CandidateLine, number, raw, err, errors)
        if isinstance(line, _CandidateLine) and _first_time(line.ref, number, seen, "ref", errors):
            items.append((line.ref, CandidateIn.model_validate(line.model_dump(exclude={"ref"}))))
    return items, errors


Posting = Callable[[str], tuple[VacancyIn, str | None]]


def vacancies_ndjson(data: bytes, *, posting: Posting | None = None, source: str | None = None
                     ) -> tuple[list[tuple[tuple[str, str], VacancyIn]], list[dict[str, Any]]]:
    """Vacancy lines (`PUT` bodies with ``source`` and ``external_id``) and, where ``posting`` reads them,
    schema.org JobPosting lines: keyed by their own ``source``/``external_id`` if they carry them, else by
    ``source`` and the JobPosting's identifier."""
    items: list[tuple[tuple[str, str], VacancyIn]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    for number, raw, err in _ndjson(data):
        if err is None and is_posting(raw):
            item = _posting_line(number, raw, posting, source, errors)
            if item and _first_time(item[0], number, seen, "external_id", errors):
                items.append(item)
            continue
        line = _validate(_VacancyLine, number, raw, err, errors)
        if isinstance(line, _VacancyLine):
            try:
                key = VacancyKey(source=line.source, external_id=line.external_id)
            except ValidationError as exc:
                errors.append({"row": number, "errors": _errors(exc)})
                continue
            if not _first_time((key.source, key.external_id), number, seen, "external_id", errors):
                continue
            # exclude_unset: the fields a line leaves out stay open, to be read from its description
            items.append(((key.source, key.external_id), VacancyIn.model_validate(
                line.model_dump(exclude={"source", "external_id"}, exclude_unset=True))))
    return items, errors


def _posting_line(number: int, raw: dict[str, Any], posting: Posting | None, source: str | None,
                  errors: list[dict[str, Any]]) -> tuple[tuple[str, str], VacancyIn] | None:
    def fail(loc: str, msg: str) -> None:
        errors.append({"row": number, "errors": [{"loc": loc, "msg": msg}]})

    if posting is None:
        fail("@type", "JobPosting lines are not read here")
        return None
    try:
        body, identifier = posting(json.dumps({k: v for k, v in raw.items() if k not in ("source", "external_id")}))
    except MatcherError as exc:
        errors.append({"row": number, "errors": exc.extra.get("errors") or [{"loc": "", "msg": exc.detail}]})
        return None
    try:
        key = VacancyKey(source=raw.get("source") or source or "", external_id=raw.get("external_id") or
                         re.sub(r"[^A-Za-z0-9._:-]", "-", identifier or "").strip("-")[:64])
    except ValidationError:
        fail("identifier", "a JobPosting line needs an identifier (or external_id) and a source (a line's "
                           "\"source\" or the import's source)")
        return None
    return (key.source, key.external_id), body


def vacancy_pages(pages: list[tuple[str, str]], *, posting: Posting, source: str
                  ) -> tuple[list[tuple[tuple[str, str], VacancyIn]], list[dict[str, Any]]]:
    """HTML pages of vacancies (name, content): each keyed by its JobPosting identifier, else by its file name."""
    items: list[tuple[tuple[str, str], VacancyIn]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    for number, (name, content) in enumerate(pages, start=1):
        try:
            body, identifier = posting(content)
        except MatcherError as exc:
            errors.append({"row": number, "file": name, "errors": exc.extra.get("errors") or
                           [{"loc": "", "msg": exc.detail}]})
            continue
        external_id = re.sub(r"[^A-Za-z0-9._:-]", "-", identifier or name.rsplit(".", 1)[0]).strip("-")[:64]
        try:
            key = VacancyKey(source=source, external_id=external_id)
        except ValidationError as exc:
            errors.append({"row": number, "file": name, "errors": _errors(exc)})
            continue
        if _first_time((key.source, key.external_id), number, seen, "external_id", errors):
            items.append(((key.source, key.external_id), body))
    return items, errors


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def _with_years(cell: str, key: str) -> list[dict[str, Any]]:
    out = []
    for part in _split(cell):
        label, _, years = part.rpartition(":")
        if label and years.replace(".", "", 1).replace(",", "", 1).isdigit():
            out.append({key: label.strip(), "years": float(years.replace(",", "."))})
        else:
            out.append({key: part})
    return out


def _restrictions(cell: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in _split(cell):
        if part.lower().startswith("tekst:"):
            out.append({"text": part[6:].strip()})
        elif "=" in part:
            code, _, value = part.partition("=")
            out.append({"code": code.strip(), "value": value.strip()})
        else:
            out.append({"code": part})
    return out


def candidates_csv(data: bytes) -> tuple[list[tuple[str, CandidateIn]], list[dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [{"row": 1, "errors": [{"loc": "", "msg": "the file is not UTF-8"}]}]
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") and "," not in sample.splitlines()[0] else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    unknown = set(reader.fieldnames or []) - set(CSV_COLUMNS)
    if unknown or not reader.fieldnames or "ref" not in reader.fieldnames:
        msg = f"unknown columns: {', '.join(sorted(unknown))}" if unknown else "the header needs at least ref"
        return [], [{"row": 1, "errors": [{"loc": "header", "msg": msg + f"; accepted: {', '.join(CSV_COLUMNS)}"}]}]
    items: list[tuple[str, CandidateIn]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    try:
        for number, record in enumerate(reader, start=2):
            if None in record:
                errors.append({"row": number, "errors": [{"loc": "", "msg": "more cells than header columns"}]})
                continue
            raw: dict[str, Any] = {}
            for column, cell in record.items():
                cell = (cell or "").strip()
                if not cell:
                    continue
                if column in LIST_COLUMNS:
                    raw[column] = _split(cell)
                elif column == "skills":
                    raw[column] = _with_years(cell, "label")
                elif column == "experience":
                    raw[column] = _with_years(cell, "title")
                elif column == "restrictions":
                    raw[column] = _restrictions(cell)
                else:
                    raw[column] = cell
            line = _validate(_CandidateLine, number, raw, None, errors)
            if isinstance(line, _CandidateLine) and _first_time(line.ref, number, seen, "ref", errors):
                items.append((line.ref, CandidateIn.model_validate(line.model_dump(exclude={"ref"}))))
    except csv.Error as exc:
        errors.append({"row": reader.line_num, "errors": [{"loc": "", "msg": f"unreadable CSV: {exc}"}]})
    return items, errors


def outcomes_ndjson(data: bytes) -> tuple[list[tuple[int, OutcomeIn]], list[dict[str, Any]]]:
    """Outcome events, one `POST /v1/outcomes` body per line; returns (line number, event) pairs.

    The same line twice in one file is an error (an event happens once)."""
    items: list[tuple[int, OutcomeIn]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    for number, raw, err in _ndjson(data):
        line = _validate(OutcomeIn, number, raw, err, errors)
        if isinstance(line, OutcomeIn) and _first_time(line.model_dump_json(), number, seen, "", errors):
            items.append((number, line))
    return items, errors
