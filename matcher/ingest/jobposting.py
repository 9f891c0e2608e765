"""Vacancies as the web publishes them: HTML pages and schema.org JobPosting (JSON-LD).

A page or a JobPosting becomes one readable text plus the structured properties it states; the text goes
through `extract.VacancyReader`, and a property the JobPosting states wins over what the text says.
Nothing is fetched and nothing runs: the HTML parser (selectolax) builds a tree that is only read, scripts
other than JSON-LD are dropped unread, and a URL anywhere is just text.

Mapped JobPosting properties: title, description, hiringOrganization, jobLocation.address (postalCode,
addressLocality), workHours, employmentType, validThrough, identifier, skills, qualifications,
educationRequirements, experienceRequirements, occupationalCategory, totalJobOpenings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from matcher.errors import Invalid
from matcher.ingest.extract import Extraction, Span, VacancyReader, clean_title

MAX_CONTENT_BYTES = 1_000_000
FORMATS = ("text", "html", "jobposting")
_DROP = "script, style, noscript, template, svg, iframe, object, embed, nav, aside, footer, form, button, select, " \
        "[aria-hidden=true], [hidden], [id*=cookie], [class*=cookie], [id*=Cookie], [class*=Cookie], " \
        "[class*=cc-window], [id*=consent], [class*=consent]"  # cookie banners, also cookieconsent's cc-window
_BLOCKS = "p, div, li, h1, h2, h3, h4, h5, h6, br, tr, section, article, header, ul, ol, table, dd, dt, blockquote"


@dataclass
class Read:
    """What a vacancy text, page or JobPosting says: the text that evidence offsets point into, the
    proposed fields with evidence, and the JobPosting's own identifier where it gives one."""

    text: str
    extraction: Extraction
    format: str
    identifier: str | None = None
    posting: bool = False  # a schema.org JobPosting was found (as the document or inside the page)


def detect(content: str) -> str:
    head = content.lstrip()[:2000].lower()
    if head.startswith(("{", "[")):
        return "jobposting"
    if head.startswith(("<!doctype", "<html")) or re.search(r"<(html|body|p|div|h[1-6]|ul|li|br|script)\b", head):
        return "html"
    return "text"


def read(reader: VacancyReader, content: str, format: str | None = None) -> Read:
    """Read one vacancy in any of the three formats. Raises `Invalid` naming what is wrong."""
    if len(content.encode("utf-8", errors="replace")) > MAX_CONTENT_BYTES:
        raise Invalid(f"content is larger than {MAX_CONTENT_BYTES // 1_000_000} MB")
    if "\x00" in content:
        raise Invalid("content must not contain NUL characters")
    format = format or detect(content)
    if format == "jobposting":
        return _posting(reader, _find_posting(_json(content, "the JobPosting")), format)
    if format == "html":
        return _page(reader, content)
    text = _tidy(content)
    return Read(text, reader.read(text), format)


def _json(raw: str, what: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise Invalid(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def is_posting(node: Any) -> bool:
    kind = node.get("@type") if isinstance(node, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for k in kinds)


def _find_posting(data: Any) -> dict[str, Any]:
    """The JobPosting in a JSON-LD document: the document itself, one of a list, or one in @graph."""
    nodes = data if isinstance(data, list) else [data]
    nodes = [n for node in nodes for n in ([node] + (node.get("@graph") or [] if isinstance(node, dict) else []))]
    for node in nodes:
        if is_posting(node):
            return node
    found = sorted({str(n.get("@type")) for n in nodes if isinstance(n, dict) and n.get("@type")})
    raise Invalid("no schema.org JobPosting in the JSON-LD" + (f" (found: {', '.join(found)})" if found else
                                                               " (no @type: \"JobPosting\")"))


def _page(reader: VacancyReader, content: str) -> Read:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(content)
    posting = None
    for n, script in enumerate(tree.css('script[type="application/ld+json"]'), start=1):
        data = _json(script.text(deep=True) or "", f"JSON-LD block {n} of the page")
        try:
            posting = _find_posting(data)
            break
        except Invalid:
            continue  # other structured data (Organization, BreadcrumbList) is no error
    heading = tree.css_first("h1")
    page_title = clean_title(heading.text(deep=True)) if heading else ""
    if not page_title and (node := tree.css_first("title")):
        page_title = re.split(r"\s+[|–-]\s+", node.text(deep=True).strip())[0]
    body = _html_text(tree.body.html or "" if tree.body else content)
    if posting is not None:
        return _posting(reader, posting, "html", page_text=body, page_title=page_title)
    out = reader.read(body, title=page_title or None)
    if page_title:
        out.stated.add("title")
        out.evidence["title"] = [_span(body, page_title)] if page_title in body else []
    return Read(body, out, "html")


def _html_text(html: str) -> str:
    """Readable text of an HTML fragment: blocks on their own lines, list items as bullets."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css(_DROP):
        node.decompose()
    for node in tree.css(_BLOCKS):
        if node.tag == "li":
            node.insert_before("\n- ")
        else:
            node.insert_before("\n")
        node.insert_after("\n")
    root = tree.body or tree.root
    return _tidy(root.text(deep=True, separator="") if root else "")


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text(value: Any) -> str:
    """A JobPosting property as text: strings as they are, lists joined, objects by their name or value."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("value") or value.get("description") or "")
    return str(value).strip()


def _posting(reader: VacancyReader, posting: dict[str, Any], format: str, *, page_text: str = "",
             page_title: str = "") -> Read:
    """Lay the JobPosting out as labelled lines, read that text, then let the stated properties win."""
    title = clean_title(_text(posting.get("title")) or _text(posting.get("occupationalCategory")) or page_title)
    description = _html_text(_text(posting.get("description"))) if posting.get("description") else ""
    address = _address(posting.get("jobLocation"))
    lines = [title, "", description,
             *(f"{label}: {value}" for label, value in (
                 ("Werkgever", _text(posting.get("hiringOrganization"))),
                 ("Werktijden", _text(posting.get("workHours"))),
                 ("Dienstverband", _text(posting.get("employmentType"))),
                 ("Vereisten", _text(posting.get("qualifications"))),
                 ("Opleiding", _text(posting.get("educationRequirements"))),
                 ("Ervaring", _text(posting.get("experienceRequirements"))),
                 ("Vaardigheden", _text(posting.get("skills"))),
                 ("Locatie", ", ".join(v for v in (address.get("streetAddress"), address.get("postalCode"),
                                                   address.get("addressLocality")) if v))) if value)]
    if page_text and len(description) < 200:  # the page body fills what the JobPosting leaves open
        lines += ["", page_text]
    text = _tidy("\n".join(lines))
    out = reader.read(text, title=title or None)

    def state(name: str, value: Any, shown: str | None = None) -> None:
        out.vacancy[name] = value
        out.stated.add(name)
        if shown:
            out.evidence[name] = [_span(text, shown)]

    if title:
        state("title", title, title)
    if description:
        state("description", description)
    if name := _text(posting.get("hiringOrganization")):
        state("employer", name[:200], name)
    if postcode := re.match(r"\s*([1-9]\d{3})", address.get("postalCode") or ""):
        state("postcode", postcode.group(1), address["postalCode"])
    if until := _date(posting.get("validThrough")):
        state("closes_at", until)
    openings = posting.get("totalJobOpenings")
    if isinstance(openings, int) and 1 <= openings <= 1000:
        state("positions", openings)
    employment = _text(posting.get("employmentType"))
    if "hours_min" not in out.vacancy and "FULL" in employment.upper():
        state("hours_min", 36, employment)
        state("hours_max", 40, employment)
    skills = [s[:200] for s in re.split(r"\s*[,;\n]\s*", _text(posting.get("skills"))) if s][:50]
    if skills:  # stated, so it wins: the text fills only what the posting leaves open
        state("required_skills", list(dict.fromkeys(skills))[:50], ", ".join(skills))
    identifier = _text(posting.get("identifier")) or None
    return Read(text, out, format, identifier=identifier[:64] if identifier else None, posting=True)


def _address(location: Any) -> dict[str, str]:
    place = location[0] if isinstance(location, list) and location else location
    address = place.get("address") if isinstance(place, dict) else None
    if isinstance(address, str):
        return {"addressLocality": address}
    return {k: _text(v) for k, v in address.items()} if isinstance(address, dict) else {}


def _date(value: Any) -> str | None:
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", str(value or ""))
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def _span(text: str, value: str) -> Span:
    start = text.find(value)
    return Span(value, start, start + len(value)) if start >= 0 else Span(value, -1, -1)
