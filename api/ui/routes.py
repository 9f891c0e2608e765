"""The pages of the web interface. Each handler checks its input, calls service functions and renders a template.

The role rules are the API's: match lists go through `api.present.match_list` (employer_service sees the
anonymised list), candidate pages are for consultants and admins only, and a consultant bound to a
municipality only reaches that municipality's people (the service enforces it, as for the API).
"""

from __future__ import annotations

import hmac
import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import ServiceDep
from api.present import match_list
from api.schemas import Contribution, Explanation
from api.ui import view
from api.ui.session import (
    CANDIDATE_ROLES,
    CSRF_FIELD,
    LOGIN_COOKIE,
    UI_ROLES,
    SignInRequired,
    UiActor,
    UiError,
    check_csrf,
    clear_key_cookie,
    csrf_token,
    new_login_token,
    safe_next,
    set_key_cookie,
    set_login_cookie,
    sign_in,
)
from matcher import geo
from matcher.batch import worklist
from matcher.domain import OutcomeEvent, OutcomeIn, RejectionReason, VacancyIn
from matcher.errors import Conflict, MatcherError, NotFound
from matcher.security import Actor
from matcher.service import Service

HERE = Path(__file__).parent
PAGE_SIZE = 50
SHORTLIST_SIZES = (10, 20, 50)
MATCHES_LIMIT = 10
WORKLIST_PAGE = 50
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
SOURCE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MUNICIPALITY = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
REQUEST_ID = re.compile(r"^[0-9a-fA-F-]{36}$")
ANCHOR = re.compile(r"^[kv]-[A-Za-z0-9._:-]{1,100}$")  # a person (k-REF) or vacancy (v-SOURCE-ID) on a page

router = APIRouter(prefix="/ui", include_in_schema=False)
FormText = Annotated[str, Form(max_length=200)]
FormNote = Annotated[str, Form(max_length=1000)]

STATUS_TITLES = {400: "Ongeldige invoer", 403: "Geen toegang", 404: "Niet gevonden", 405: "Niet toegestaan",
                 409: "Conflict", 412: "Gewijzigd door iemand anders", 413: "Te groot", 422: "Ongeldige invoer",
                 429: "Te veel verzoeken", 503: "Even niet beschikbaar"}
STATUS_MESSAGES = {
    400: "Het verzoek klopt niet. Controleer de invoer en probeer het opnieuw.",
    403: "Uw sleutel geeft geen toegang tot deze pagina.",
    404: "Deze pagina, vacature of kandidaat bestaat niet, of valt buiten uw gemeente.",
    405: "Deze handeling is hier niet toegestaan.",
    409: "Dit botst met iets dat al bezig is. Probeer het later opnieuw.",
    412: "Iemand anders heeft dit intussen gewijzigd. Laad de pagina opnieuw.",
    413: "Het verzoek is te groot.",
    422: "De invoer klopt niet. Controleer de velden en probeer het opnieuw.",
    429: "U doet te veel verzoeken achter elkaar. Wacht even en probeer het opnieuw.",
    503: "De database is even niet bereikbaar. Er is niets gewijzigd; probeer het zo opnieuw.",
}


# -- rendering ------------------------------------------------------------------------------------

def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(
        datum=_date, plaats=geo.place, bron=view.source_label, bijdrage=view.number, getal=view.plain,
        procent=view.percent, punten=view.points, beperking=view.restriction_text,
        gebeurtenis=lambda e: view.EVENT_LABELS.get(e, e), reden=lambda r: view.REASON_LABELS.get(r, r),
        kenmerk=lambda f: view.FEATURE_LABELS.get(f, f), dienst=lambda s: view.SHIFT_LABELS.get(s, s),
        vacaturestatus=lambda s: view.VACANCY_STATUS_LABELS.get(s, s),
        kandidaatstatus=lambda s: view.CANDIDATE_STATUS_LABELS.get(s, s),
        pad=lambda s: quote(str(s), safe=""), vacaturesleutel=lambda v: f"{v.source}/{v.external_id}",
    )
    env.globals.update(chips=view.chips, logit_total=view.logit_total, ahead=view.ahead, event_labels=view.EVENT_LABELS,
                       reason_labels=view.REASON_LABELS, shortlist_events=view.SHORTLIST_EVENTS,
                       manual_events=view.MANUAL_EVENTS, role_labels=view.ROLE_LABELS,
                       shift_labels=view.SHIFT_LABELS, demand_labels=view.DEMAND_LABELS,
                       support_labels=view.SUPPORT_LABELS)
    return Jinja2Templates(env=env)


def _date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


def render(request: Request, name: str, actor: Actor | None, *, status: int = 200, **context: Any) -> HTMLResponse:
    service: Service = request.app.state.service
    templates: Jinja2Templates = request.app.state.ui_templates
    base = {"actor": actor, "csrf": csrf_token(service, actor.key_id) if actor else "",
            "csrf_field": CSRF_FIELD, "may_see_candidates": actor is not None and actor.role in CANDIDATE_ROLES,
            "section": ""}
    return templates.TemplateResponse(request, name, base | context, status_code=status)


def _page_actor(request: Request) -> Actor | None:
    actor = getattr(request.state, "actor", None)
    return actor if isinstance(actor, Actor) else None


def _error_page(request: Request, status: int, message: str | None = None, *, title: str | None = None,
                back: str | None = None) -> HTMLResponse:
    return render(request, "fout.html", _page_actor(request), status=status,
                  title=title or STATUS_TITLES.get(status, "Er ging iets mis"),
                  message=message or STATUS_MESSAGES.get(status, "Er ging iets mis."), back=back)


def _is_ui(request: Request) -> bool:
    return request.url.path == "/ui" or request.url.path.startswith("/ui/")


Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def _html_for_ui(original: Handler | None, status_of: Callable[[Any], int]) -> Handler:
    """Pages get a Dutch error page; the API keeps its problem details."""

    async def handle(request: Request, exc: Any) -> Response:
        if _is_ui(request):
            status = status_of(exc)
            if status == 401:
                return _to_sign_in(request, SignInRequired())
            return _error_page(request, status)
        if original is None:
            raise exc
        response = original(request, exc)
        return await response if inspect.isawaitable(response) else response

    return handle


def _to_sign_in(request: Request, exc: SignInRequired) -> Response:
    target = "/ui/inloggen" + (f"?{urlencode({'volgende': exc.next_path})}" if exc.next_path else "")
    response = RedirectResponse(target, status_code=303)
    if exc.clear_cookie:
        clear_key_cookie(response, request)
    return response


def install(app: FastAPI) -> None:
    """Mount the pages and their static files, and render errors on pages as Dutch HTML."""
    app.state.ui_templates = _templates()
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")
    app.include_router(router)
    # the address `make run` prints opens the web interface, not a JSON 404
    app.add_api_route("/", lambda: RedirectResponse("/ui", status_code=307), methods=["GET"], include_in_schema=False)

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return _to_sign_in(request, exc)

    async def ui_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UiError)
        return _error_page(request, exc.status, exc.message, title=exc.title, back=exc.back)

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(UiError, ui_error)
    handlers = app.exception_handlers
    app.add_exception_handler(MatcherError, _html_for_ui(handlers.get(MatcherError), lambda e: e.status))
    app.add_exception_handler(StarletteHTTPException,
                              _html_for_ui(handlers.get(StarletteHTTPException), lambda e: e.status_code))
    app.add_exception_handler(RequestValidationError, _html_for_ui(handlers.get(RequestValidationError),
                                                                   lambda e: 422))


# -- input checks ---------------------------------------------------------------------------------

def _require_candidate_role(actor: Actor) -> None:
    if actor.role not in CANDIDATE_ROLES:
        raise UiError(403, "Geen toegang", "Kandidaatgegevens zijn alleen zichtbaar voor werkconsulenten. "
                                           "Met uw sleutel ziet u vacatures en geanonimiseerde shortlists.")


def _page(value: str | None) -> int:
    if value in (None, ""):
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise UiError(400, "Ongeldige invoer", "Het paginanummer moet een getal van 1 tot 10000 zijn.")
    return int(value)


def _search(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > 100:
        raise UiError(400, "Ongeldige invoer", "De zoektekst mag hoogstens 100 tekens lang zijn.")
    return text or None


def _vacancy_key(source: str, external_id: str) -> None:
    if not SOURCE.match(source) or not REF.match(external_id):
        raise UiError(404, "Niet gevonden", "Deze vacature bestaat niet.")


def _check_ref(ref: str) -> None:
    if not REF.match(ref):
        raise UiError(404, "Niet gevonden", "Deze kandidaat bestaat niet, of valt buiten uw gemeente.")


def _explanation(raw: dict[str, Any]) -> Explanation:
    return Explanation(summary_nl=raw["summary_nl"], base=raw["base"],
                       contributions=[Contribution(**c) for c in raw["contributions"]],
                       attention_points=raw["attention_points"], has_attention_points=bool(raw["attention_points"]))


# -- sign-in --------------------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse)
def home(actor: UiActor) -> Response:
    return RedirectResponse("/ui/werklijst" if actor.role in CANDIDATE_ROLES else "/ui/vacatures", status_code=303)


@router.get("/inloggen", response_class=HTMLResponse)
def sign_in_page(request: Request, volgende: str = "", uitgelogd: str = "") -> Response:
    token = new_login_token()
    response = render(request, "inloggen.html", None, login_csrf=token, next_path=safe_next(volgende),
                      signed_out=bool(uitgelogd), error=None)
    set_login_cookie(response, request, token)
    return response


@router.post("/inloggen", response_class=HTMLResponse)
def sign_in_submit(request: Request, service: ServiceDep, sleutel: FormText = "", volgende: FormText = "",
                   csrf: FormText = "") -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not csrf or not hmac.compare_digest(csrf.encode(), expected.encode()):
        raise UiError(403, "Formulier geweigerd", "Het inlogformulier is verlopen of ongeldig (CSRF-controle "
                                                   "mislukt). Open de inlogpagina opnieuw.", back="/ui/inloggen")
    actor = sign_in(service, sleutel)
    error = None
    if actor is None:
        error, status = "Deze sleutel is onbekend of ingetrokken. Controleer of u de hele sleutel hebt geplakt.", 401
    elif actor.role not in UI_ROLES:
        error, status = (f"Een sleutel met de rol '{actor.role}' geeft geen toegang tot de webinterface. Gebruik "
                         "de sleutel van een werkconsulent, werkgeversdienstverlening of beheerder."), 403
    if error is not None:
        token = new_login_token()
        response = render(request, "inloggen.html", None, status=status, login_csrf=token,
                          next_path=safe_next(volgende), signed_out=False, error=error)
        set_login_cookie(response, request, token)
        return response
    redirect = RedirectResponse(safe_next(volgende), status_code=303)
    set_key_cookie(redirect, request, sleutel.strip())
    redirect.delete_cookie(LOGIN_COOKIE, path="/ui/inloggen")
    return redirect


@router.post("/uitloggen")
def sign_out(request: Request, service: ServiceDep, csrf: FormText = "") -> Response:
    secret = request.cookies.get("werkmatch_key", "")
    actor = sign_in(service, secret) if secret else None
    if actor is not None:
        check_csrf(csrf, csrf_token(service, actor.key_id))
    response = RedirectResponse("/ui/inloggen?uitgelogd=1", status_code=303)
    clear_key_cookie(response, request)
    return response


# -- vacancies ------------------------------------------------------------------------------------

@router.get("/vacatures", response_class=HTMLResponse)
def vacancies(request: Request, service: ServiceDep, actor: UiActor, bron: str = "", status: str = "open",
              zoek: str = "", pagina: str = "") -> Response:
    if bron and bron not in service.settings.sources:
        raise UiError(400, "Ongeldige invoer", f"Onbekende bron. Kies uit: "
                      f"{', '.join(view.source_label(s) for s in service.settings.sources)}.")
    if status not in ("", "alle", "open", "filled", "closed"):
        raise UiError(400, "Ongeldige invoer", "Onbekende status. Kies open, vervuld, gesloten of alle.")
    text = _search(zoek)
    page = _page(pagina)
    rows = service.list_vacancies(source=bron or None, status=None if status in ("", "alle") else status,
                                  text=text, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    query = {"bron": bron, "status": status or "alle", "zoek": text or ""}
    return render(request, "vacatures.html", actor, section="vacatures", rows=rows[:PAGE_SIZE], page=page,
                  has_next=len(rows) > PAGE_SIZE, query=query, sources=service.settings.sources,
                  base_query=urlencode(query))


@dataclass
class Notice:
    """What the page says at one person (or vacancy) after an outcome was recorded or undone."""
    text: str
    ref: str
    vacancy: str                # "source/external_id"
    undo: int | None = None     # the recorded event's id, for its undo button
    reason_needed: bool = False


def _notice(request: Request) -> Notice | None:
    """Read from the query the redirect after recording sets; anything malformed is ignored."""
    q = request.query_params
    ref, vacancy, outcome = q.get("kandidaat", ""), q.get("vacature", ""), q.get("uitkomst", "")
    source, _, external_id = vacancy.partition("/")
    if not REF.match(ref) or not SOURCE.match(source) or not REF.match(external_id):
        return None
    if q.get("vastgelegd") in view.EVENT_LABELS:
        return Notice(f"Vastgelegd: {ref} – {view.EVENT_LABELS[q['vastgelegd']]}.", ref, vacancy,
                      undo=int(outcome) if outcome.isdigit() and len(outcome) < 19 else None)
    if q.get("ongedaan") in view.EVENT_LABELS:
        return Notice(f"Ongedaan gemaakt: {ref} – {view.EVENT_LABELS[q['ongedaan']]}.", ref, vacancy)
    if q.get("reden") == "nodig":
        return Notice(f"Kies een reden om de afwijzing van {ref} vast te leggen.", ref, vacancy, reason_needed=True)
    return None


def _back_to(back: str, anchor: str, **query: str) -> RedirectResponse:
    """Back to the page the form was on, at the person (or vacancy) it was about."""
    joiner = "&" if "?" in back else "?"
    fragment = f"#{anchor}" if ANCHOR.match(anchor) else ""
    return RedirectResponse(f"{back}{joiner}{urlencode(query)}{fragment}", status_code=303)


@router.get("/vacatures/{source}/{external_id}", response_class=HTMLResponse)
def vacancy_page(request: Request, source: str, external_id: str, service: ServiceDep, actor: UiActor,
                 aantal: str = "20") -> Response:
    _vacancy_key(source, external_id)
    if not aantal.isdigit() or int(aantal) not in SHORTLIST_SIZES:
        raise UiError(400, "Ongeldige invoer", "Kies 10, 20 of 50 kandidaten.")
    vacancy = service.get_vacancy(source, external_id)
    shortlist = service.shortlist(source, external_id, actor=actor, limit=int(aantal))
    listed = match_list(shortlist, actor, "vacancy")
    here = request.url.path + (f"?aantal={aantal}" if int(aantal) != SHORTLIST_SIZES[1] else "")
    return render(request, "vacature.html", actor, section="vacatures", vacancy=vacancy, shortlist=listed,
                  anonymous=actor.role == "employer_service", size=int(aantal), sizes=SHORTLIST_SIZES,
                  notice=_notice(request), here=here, path=request.url.path)


# -- pasting a vacancy ----------------------------------------------------------------------------

PASTE_ROLES = ("employer_service", "consultant", "admin")
SAVE_ROLES = ("employer_service", "admin")  # who may write vacancies, as in the API
FormList = Annotated[list[str], Form()]


def _may_paste(actor: Actor) -> None:
    if actor.role not in PASTE_ROLES:
        raise UiError(403, "Geen toegang", "Vacatures plakken kan met een sleutel van werkgeversdienstverlening, "
                                           "een werkconsulent of een beheerder.")


@router.get("/vacatures/plakken", response_class=HTMLResponse)
def paste_page(request: Request, actor: UiActor) -> Response:
    _may_paste(actor)
    return render(request, "vacature_plakken.html", actor, section="vacatures", read=None, content="",
                  may_save=actor.role in SAVE_ROLES)


@router.post("/vacatures/plakken", response_class=HTMLResponse)
def paste_read(request: Request, service: ServiceDep, actor: UiActor, csrf: FormText = "",
               inhoud: Annotated[str, Form(max_length=1_000_000)] = "") -> Response:
    """Read what was pasted and show the proposed fields, each with the words it was read from marked."""
    _may_paste(actor)
    check_csrf(csrf, csrf_token(service, actor.key_id))
    if not inhoud.strip():
        raise UiError(422, "Niets geplakt", "Plak de tekst van de vacature, een webpagina of een JobPosting.",
                      back="/ui/vacatures/plakken")
    try:
        read = service.read_vacancy(inhoud)
    except MatcherError as exc:
        raise UiError(422, "Niet te lezen", f"De inhoud kon niet worden gelezen: {exc.detail}.",
                      back="/ui/vacatures/plakken") from exc
    evidence = {k: [s.__dict__ for s in v] for k, v in read.extraction.evidence.items()}
    return render(request, "vacature_plakken.html", actor, section="vacatures", read=read,
                  proposal=read.extraction.vacancy, pieces=view.highlight(read.text, evidence), content=inhoud,
                  may_save=actor.role in SAVE_ROLES, sources=service.settings.sources,
                  external_id=read.identifier or "")


@router.post("/vacatures/plakken/opslaan")
def paste_save(request: Request, service: ServiceDep, actor: UiActor, csrf: FormText = "",
               bron: FormText = "", id: FormText = "", titel: FormText = "", werkgever: FormText = "",
               postcode: FormText = "", uren_min: FormText = "", uren_max: FormText = "",
               diensten: FormList = [], rijbewijzen: FormText = "", certificaten: FormText = "",  # noqa: B006
               taalniveau: FormText = "", opleiding: FormText = "", eisen: FormList = [],  # noqa: B006
               tillen_kg: FormText = "", ondersteuning: FormList = [], vaardigheden: FormNote = "",  # noqa: B006
               wensen: FormNote = "", omschrijving: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """Save the checked fields: what the adviser saved is what the vacancy states (given)."""
    check_csrf(csrf, csrf_token(service, actor.key_id))
    if actor.role not in SAVE_ROLES:
        raise UiError(403, "Geen toegang", "Alleen werkgeversdienstverlening slaat vacatures op.")
    if bron not in service.settings.sources or not REF.match(id):
        raise UiError(422, "Ongeldige invoer", "Kies een bron en geef een vacaturenummer (letters, cijfers, . _ : -).",
                      back="/ui/vacatures/plakken")

    def items(text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]

    demands = [{"code": code} for code in eisen] + ([{"code": "lift_kg", "value": tillen_kg}] if tillen_kg else [])
    fields = {"title": titel, "employer": werkgever, "postcode": postcode or None, "description": omschrijving,
              "hours_min": uren_min or None, "hours_max": uren_max or None, "shifts": diensten,
              "driving_licences": [c.upper() for c in items(rijbewijzen)], "certificates": items(certificaten),
              "dutch_level": taalniveau or None, "education_level": opleiding or None, "demands": demands,
              "support": ondersteuning, "required_skills": items(vaardigheden), "preferred_skills": items(wensen)}
    try:
        body = VacancyIn.model_validate(fields)
    except ValidationError as exc:
        wrong = ", ".join(sorted({view.FIELD_LABELS.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors()}))
        raise UiError(422, "Ongeldige invoer", f"Controleer: {wrong}.", back="/ui/vacatures/plakken") from exc
    service.upsert_vacancy(bron, id, body, actor=actor)
    return RedirectResponse(f"/ui/vacatures/{quote(bron, safe='')}/{quote(id, safe='')}", status_code=303)


# -- outcomes -------------------------------------------------------------------------------------

def _outcome(*, event: str, reden: str, kandidaat: str, bron: str, vacature: str, request_id: str,
             handmatig: bool, notitie: str) -> OutcomeIn:
    """The form as the domain's outcome, with Dutch messages for what a person can get wrong."""
    if event not in view.EVENT_LABELS:
        raise UiError(422, "Ongeldige invoer", "Kies een uitkomst.")
    if not REF.match(kandidaat):
        raise UiError(422, "Ongeldige invoer", "Vul een geldige kandidaatreferentie in (letters, cijfers, . _ : -).")
    if not SOURCE.match(bron) or not REF.match(vacature):
        raise UiError(422, "Ongeldige invoer", "Deze vacature bestaat niet.")
    if event == OutcomeEvent.rejected and reden not in view.REASON_LABELS:
        raise UiError(422, "Reden ontbreekt", "Kies bij 'afgewezen' een reden.")
    if handmatig and not notitie.strip():
        raise UiError(422, "Reden ontbreekt", "Geef aan waarom u iemand toevoegt die niet in de lijst stond.")
    if request_id and not REQUEST_ID.match(request_id):
        raise UiError(422, "Ongeldige invoer", "Deze shortlist is niet (meer) bekend. Laad de pagina opnieuw.")
    try:
        return OutcomeIn(event=OutcomeEvent(event), candidate_ref=kandidaat,
                         vacancy={"source": bron, "external_id": vacature},  # type: ignore[arg-type]
                         request_id=request_id or None,
                         reason=RejectionReason(reden) if event == OutcomeEvent.rejected else None,
                         manual=handmatig, note=notitie.strip() or None)
    except ValidationError as exc:
        raise UiError(422, "Ongeldige invoer", "De uitkomst kon niet worden vastgelegd: de invoer klopt niet.") \
            from exc


@router.post("/uitkomsten")
def record_outcome(request: Request, service: ServiceDep, actor: UiActor, csrf: FormText = "",
                   event: FormText = "", reden: FormText = "", kandidaat: FormText = "", bron: FormText = "",
                   vacature: FormText = "", request_id: FormText = "", handmatig: FormText = "",
                   notitie: FormNote = "", terug: FormText = "", anker: FormText = "") -> Response:
    check_csrf(csrf, csrf_token(service, actor.key_id))
    back = safe_next(terug)
    manual = handmatig == "1"
    if manual:
        _require_candidate_role(actor)
    ref = kandidaat.strip()
    anchor = anker or f"k-{ref}"
    if event == OutcomeEvent.rejected and not reden and not manual and REF.match(ref) and SOURCE.match(bron) \
            and REF.match(vacature):
        # the reason is asked for in place: back at the person, with the rejection opened
        return _back_to(back, anchor, reden="nodig", kandidaat=ref, vacature=f"{bron}/{vacature}")
    body = _outcome(event=event, reden=reden, kandidaat=kandidaat.strip(), bron=bron, vacature=vacature,
                    request_id=request_id, handmatig=manual, notitie=notitie)
    try:
        recorded = service.record_outcome(body, actor=actor)
    except NotFound as exc:
        raise UiError(404, "Niet gevonden", f"Kandidaat {body.candidate_ref} of deze vacature bestaat niet, of "
                                            "valt buiten uw gemeente.", back=back) from exc
    except Conflict as exc:
        if "proposed_at" not in exc.extra:  # the employer service is not told whose proposal stands, nor when
            raise UiError(409, "Niet vastgelegd", f"{body.candidate_ref} kan nu niet worden voorgesteld voor deze "
                                                  "vacature.", back=back) from exc
        since = _date(datetime.fromisoformat(exc.extra["proposed_at"]))
        raise UiError(409, "Al voorgesteld", f"{body.candidate_ref} is al voorgesteld voor deze vacature ({since}). "
                                             "Maak dat voorstel eerst ongedaan als u het opnieuw wilt vastleggen.",
                      back=back) from exc
    except MatcherError as exc:
        message = ("Deze kandidaat stond niet in de shortlist van deze vacature. Voeg iemand die niet in de lijst "
                   "stond toe met 'Iemand toevoegen' en geef een reden." if exc.status == 422 else
                   STATUS_MESSAGES.get(exc.status, "Er ging iets mis."))
        raise UiError(exc.status, "Niet vastgelegd", message, back=back) from exc
    return _back_to(back, anchor, vastgelegd=body.event.value, kandidaat=body.candidate_ref,
                    vacature=f"{bron}/{vacature}", uitkomst=str(recorded["id"]))


@router.post("/uitkomsten/{outcome_id}/ongedaan")
def undo_outcome(request: Request, outcome_id: str, service: ServiceDep, actor: UiActor, csrf: FormText = "",
                 terug: FormText = "", anker: FormText = "") -> Response:
    """Undo a recorded outcome: it stays in the history, marked, and no longer counts."""
    check_csrf(csrf, csrf_token(service, actor.key_id))
    back = safe_next(terug)
    if not outcome_id.isdigit() or len(outcome_id) > 18:
        raise UiError(404, "Niet gevonden", "Deze uitkomst bestaat niet.", back=back)
    try:
        undone = service.undo_outcome(int(outcome_id), actor=actor)
    except NotFound as exc:
        raise UiError(404, "Niet gevonden", "Deze uitkomst bestaat niet, of valt buiten uw gemeente.",
                      back=back) from exc
    except Conflict as exc:
        raise UiError(409, "Al ongedaan gemaakt", "Deze uitkomst was al ongedaan gemaakt.", back=back) from exc
    vacancy = undone["vacancy"]
    return _back_to(back, anker, ongedaan=undone["event"], kandidaat=undone["candidate_ref"],
                    vacature=f"{vacancy['source']}/{vacancy['external_id']}")


# -- candidates -----------------------------------------------------------------------------------

@router.get("/kandidaten", response_class=HTMLResponse)
def candidates(request: Request, service: ServiceDep, actor: UiActor, zoek: str = "", status: str = "active",
               gemeente: str = "", pagina: str = "") -> Response:
    _require_candidate_role(actor)
    if status not in ("", "alle", *view.CANDIDATE_STATUS_LABELS):
        raise UiError(400, "Ongeldige invoer", "Onbekende status.")
    if gemeente and not MUNICIPALITY.match(gemeente):
        raise UiError(400, "Ongeldige invoer", "Onbekende gemeente.")
    municipality = actor.municipality or gemeente or None
    text = _search(zoek)
    page = _page(pagina)
    rows = service.list_candidates(actor=actor, municipality=municipality,
                                   status=None if status in ("", "alle") else status, text=text,
                                   limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    query = {"zoek": text or "", "status": status or "alle", "gemeente": gemeente}
    return render(request, "kandidaten.html", actor, section="kandidaten", rows=rows[:PAGE_SIZE], page=page,
                  has_next=len(rows) > PAGE_SIZE, query=query, base_query=urlencode(query),
                  municipality=municipality)


@router.get("/kandidaten/{ref}", response_class=HTMLResponse)
def candidate_page(request: Request, ref: str, service: ServiceDep, actor: UiActor) -> Response:
    _require_candidate_role(actor)
    _check_ref(ref)
    candidate = service.get_candidate(ref, actor=actor)
    matches = match_list(service.matches(ref, actor=actor, limit=MATCHES_LIMIT), actor, "candidate")
    return render(request, "kandidaat.html", actor, section="kandidaten", candidate=candidate, matches=matches,
                  notice=_notice(request), here=request.url.path)


# -- werklijst ------------------------------------------------------------------------------------

def new_matches_for_worklist(service: Service, actor: Actor, *, page: int) -> dict[str, Any] | None:
    """The new matches of the latest nightly run for the actor's municipality; None before the first run."""
    try:
        result = worklist.for_municipality(service, actor=actor, limit=WORKLIST_PAGE + 1,
                                           offset=(page - 1) * WORKLIST_PAGE)
    except NotFound:
        return None
    items = [item | {"explanation": _explanation(item["explanation"])} for item in result["items"]]
    return result | {"items": items}


@router.get("/werklijst", response_class=HTMLResponse)
def worklist_page(request: Request, service: ServiceDep, actor: UiActor, pagina: str = "") -> Response:
    _require_candidate_role(actor)
    page = _page(pagina)
    result = new_matches_for_worklist(service, actor, page=page)
    items = result["items"] if result else []
    runs = None
    if result is None:  # before the first completed run: what this page will show and how a run starts
        try:
            runs = worklist.run_status(service)
        except NotFound:
            runs = {"in_progress": None, "last_failed": None}
    return render(request, "werklijst.html", actor, section="werklijst", result=result, runs=runs,
                  top_k=service.settings.rematch_top_k, items=items[:WORKLIST_PAGE],
                  has_next=len(items) > WORKLIST_PAGE, page=page)
