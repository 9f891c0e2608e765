"""The web interface in a real browser: sign in, shortlist, explanation, outcomes, role rules, CSRF, sign out."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from matcher.security import create_key
from matcher.service import Service
from tests.e2e.conftest import SECRET_RESTRICTION, screenshot

pytestmark = pytest.mark.e2e

SHORTLIST = "/ui/vacatures/wsp/W-1001"


def make_key(service: Service, role: str, municipality: str | None = None, name: str = "") -> str:
    with service.db.transaction() as conn:
        return create_key(conn, role=role, municipality=municipality, name=name or f"e2e {role}")[1]


def sign_in(page: Any, key: str, target: str = "/ui") -> None:
    page.goto(target)
    page.get_by_label("Sleutel").fill(key)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def outcomes(service: Service, ref: str) -> list[dict[str, Any]]:
    with service.db.connection() as conn:
        return list(conn.execute(
            """SELECT o.event, o.reason, o.manual, o.note, o.request_id, o.shown_match_id, v.external_id
               FROM outcome_events o JOIN candidates c ON c.id = o.candidate_id
               JOIN vacancies v ON v.id = o.vacancy_id WHERE c.ref = %s ORDER BY o.id""", (ref,)))


def shortlist_refs(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("ol.matches li.match h3").all_inner_texts()]


def test_consultant_signs_in_reads_a_shortlist_and_records_outcomes(
        service: Service, new_page: Callable[[], Any]) -> None:
    key = make_key(service, "consultant", "arnhem", name="Petra de Vries")
    page = new_page()
    page.goto("/")  # the bare address opens the web interface
    assert page.url.split("?")[0].endswith("/ui/inloggen") and page.title() == "Inloggen – werkmatch"
    page.goto(SHORTLIST)
    assert page.url.endswith("/ui/inloggen?volgende=%2Fui%2Fvacatures%2Fwsp%2FW-1001")
    assert page.title() == "Inloggen – werkmatch"
    screenshot(page, "01-inloggen")

    sign_in(page, key, SHORTLIST)
    assert page.url.endswith(SHORTLIST)
    assert page.title() == "Shortlist – Magazijnmedewerker – werkmatch"
    cookie = next(c for c in page.context.cookies() if c["name"] == "werkmatch_key")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("werkmatch_key") == -1

    refs = shortlist_refs(page)
    assert refs and all(r.startswith("AR-") for r in refs), refs  # a consultant of Arnhem: Arnhem people only
    assert {"AR-0001", "AR-0002"} <= set(refs)
    first = page.locator("li.match").first
    assert first.locator(".rank").inner_text().strip().endswith("1")
    assert re.fullmatch(r"Score\s+\d{1,3},\d/100", first.locator(".score-value").inner_text().strip())
    assert first.locator(".chip-fit").count() > 0
    assert "Wat past" in first.inner_text() and "Wat ontbreekt" in first.inner_text()
    listed = page.locator("ol.matches").inner_text()
    for code in ("evening", "night", "weekend", "max_lift", "_"):  # Dutch only, no code names
        assert code not in listed, code
    fits = set(page.locator(".chip-fit").all_inner_texts())
    assert fits and not fits & set(page.locator(".chip-missing").all_inner_texts())  # one colour per meaning
    lifting = page.locator("#k-AR-0001")
    assert "bespreek jobcarving: tillen tot 15 kg" in lifting.locator(".chip-attention").all_inner_texts()

    screenshot(page, "02-shortlist-consulent")

    table = first.locator("details.breakdown table")
    assert not table.is_visible()
    first.locator("details.breakdown summary").click()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 14
    assert "Gevraagde vaardigheden" in table.inner_text()
    first.scroll_into_view_if_needed()
    screenshot(page, "02b-shortlist-uitleg-open")

    invited = refs[0]
    first.get_by_role("button", name="Uitgenodigd").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().strip() == f"Vastgelegd: {invited} – uitgenodigd."
    stored = outcomes(service, invited)
    assert [(o["event"], o["external_id"], o["manual"]) for o in stored] == [("invited", "W-1001", False)]
    assert stored[0]["request_id"] is not None and stored[0]["shown_match_id"] is not None

    rejected = page.locator("#k-AR-0002")
    rejected.get_by_text("Afgewezen…").click()  # the rejection opens in place, with its reason
    rejected.get_by_label("Reden van afwijzing").select_option("distance")
    rejected.get_by_role("button", name="Afwijzing vastleggen").click()
    page.wait_for_load_state()
    assert "Vastgelegd: AR-0002 – afgewezen." in page.get_by_role("status").inner_text()
    assert [(o["event"], o["reason"]) for o in outcomes(service, "AR-0002")] == [("rejected", "distance")]

    outside = next(f"AR-{n:04d}" for n in range(30, 0, -1) if f"AR-{n:04d}" not in refs)
    page.get_by_label("Kandidaatreferentie").fill(outside)
    page.get_by_label("Uitkomst", exact=True).select_option("proposed")
    page.get_by_label("Waarom past deze persoon?").fill("Kent het magazijn van een eerdere proefplaatsing.")
    page.get_by_role("button", name="Toevoegen en vastleggen").click()
    page.wait_for_load_state()
    assert f"Vastgelegd: {outside} – voorgesteld." in page.get_by_role("status").inner_text()
    manual = outcomes(service, outside)
    assert [(o["event"], o["manual"], o["note"]) for o in manual] == [
        ("proposed", True, "Kent het magazijn van een eerdere proefplaatsing.")]

    page.locator("#k-AR-0001 h3 a").click()
    page.wait_for_load_state()
    assert page.title() == "Kandidaat AR-0001 – werkmatch"
    assert "maximaal 10 kg tillen" in page.locator("section.restrictions").inner_text()
    assert page.locator("ol.matches li.match").count() > 0
    assert page.locator("ol.matches .chip-fit").count() > 0
    screenshot(page, "04-kandidaat-consulent")

    page.goto(f"/ui/kandidaten/{invited}")
    history = page.get_by_role("region", name="Historie")
    assert "uitgenodigd" in history.inner_text() and "Magazijnmedewerker" in history.inner_text()

    page.goto("/ui/kandidaten/AR-0002")
    assert SECRET_RESTRICTION in page.locator("section.restrictions").inner_text()
    assert "afgewezen (afstand)" in page.get_by_role("region", name="Historie").inner_text()

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()
    assert page.url.endswith("/ui/inloggen?uitgelogd=1")
    assert "U bent uitgelogd." in page.get_by_role("status").inner_text()
    assert not [c for c in page.context.cookies() if c["name"] == "werkmatch_key"]
    page.goto("/ui/kandidaten/AR-0001")
    assert "/ui/inloggen" in page.url


def test_vacancy_list_filters_and_searches(service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"), "/ui/vacatures")
    assert page.title() == "Vacatures – werkmatch"
    assert page.locator("tbody tr").count() == 9  # open vacancies only, by default
    screenshot(page, "03-vacatures")
    page.get_by_label("Bron").select_option("scalabor")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state()
    titles = page.locator("tbody tr td:first-child a").all_inner_texts()
    assert sorted(titles) == ["Fietsenmaker", "Medewerker groenvoorziening", "Productiemedewerker inpak",
                              "Schoonmaker kantoren"]
    page.get_by_label("Status").select_option("alle")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state()
    assert "Medewerker wasserij" in page.locator("tbody").inner_text()
    assert "vervuld" in page.locator("tbody").inner_text()
    page.get_by_label("Bron").select_option("")
    page.get_by_label("Zoek op functie, werkgever of plaats").fill("Duiven")  # a place, not in any title
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr td:first-child a").all_inner_texts() == ["Heftruckchauffeur"]
    page.get_by_label("Zoek op functie, werkgever of plaats").fill("magazijn")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr td:first-child a").all_inner_texts() == ["Magazijnmedewerker"]
    page.goto("/ui/vacatures?bron=onbekend")
    assert page.title() == "Ongeldige invoer – werkmatch"
    assert "Onbekende bron" in page.get_by_role("alert").inner_text()


def test_employer_service_sees_an_anonymised_shortlist_and_no_restrictions(
        service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "employer_service", name="WSP adviseur"))
    assert page.url.endswith("/ui/vacatures")
    nav = page.get_by_role("navigation", name="Hoofdmenu").inner_text()
    assert "Vacatures" in nav and "Kandidaten" not in nav and "Werklijst" not in nav

    page.goto(SHORTLIST)
    assert page.title() == "Shortlist – Magazijnmedewerker – werkmatch"
    text = page.locator("main").inner_text()
    refs = shortlist_refs(page)
    assert "AR-0001" in refs and "AR-0002" in refs
    assert "er zijn bespreekpunten" in page.locator("#k-AR-0001 .chip-attention").all_inner_texts()
    for secret in ("tillen tot", "bespreek jobcarving", "bespreek beperking", SECRET_RESTRICTION, "trede",
                   "Bespreken:", "begeleiding", " km", "%"):
        assert secret not in text, secret
    assert page.locator("a[href^='/ui/kandidaten']").count() == 0
    assert page.get_by_role("button", name="Toevoegen en vastleggen").count() == 0
    assert page.locator("details.breakdown").count() == 0  # no feature values, no contributions
    assert re.fullmatch(r"Score\s+(zeer goed|goed|redelijk|matig)",
                        page.locator("#k-AR-0001 .score-value").inner_text().strip())
    screenshot(page, "05-shortlist-werkgeversdienstverlening")

    page.locator("#k-AR-0001").get_by_role("button", name="Voorgesteld").click()
    page.wait_for_load_state()
    assert "Vastgelegd: AR-0001 – voorgesteld." in page.get_by_role("status").inner_text()
    assert [o["event"] for o in outcomes(service, "AR-0001")] == ["proposed"]

    for path in ("/ui/kandidaten/AR-0001", "/ui/kandidaten/AR-0002", "/ui/kandidaten", "/ui/werklijst"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert page.title() == "Geen toegang – werkmatch"
        body = page.locator("body").inner_text()
        assert SECRET_RESTRICTION not in body and "kg tillen" not in body


def test_forms_without_a_valid_csrf_token_are_refused(service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"), SHORTLIST)
    form = page.locator("#k-AR-0001 form.outcome")
    fields = {name: form.locator(f"input[name='{name}']").get_attribute("value")
              for name in ("kandidaat", "bron", "vacature", "request_id", "terug")}
    base = fields | {"event": "invited"}
    for token in (None, "", "0" * 64):
        data = base if token is None else base | {"csrf": token}
        response = page.request.post("/ui/uitkomsten", form=data, max_redirects=0)
        assert response.status == 403, token
        assert "CSRF-controle mislukt" in response.text()
    assert outcomes(service, "AR-0001") == []

    # The same in the page itself: a form whose token was removed is refused, nothing is stored.
    page.evaluate("document.querySelector('#k-AR-0001 form.outcome input[name=csrf]').remove()")
    form.get_by_role("button", name="Gesprek").click()
    page.wait_for_load_state()
    assert page.title() == "Formulier geweigerd – werkmatch"
    assert outcomes(service, "AR-0001") == []

    response = page.request.post("/ui/uitloggen", form={}, max_redirects=0)
    assert response.status == 403
    page.goto("/ui/vacatures")
    assert page.title() == "Vacatures – werkmatch"  # still signed in

    fresh = new_page()
    fresh.goto("/ui/inloggen")
    response = fresh.request.post("/ui/inloggen", form={"sleutel": make_key(service, "admin"), "csrf": "vervalst"},
                                  max_redirects=0)
    assert response.status == 403 and "CSRF-controle mislukt" in response.text()


def test_sign_in_refuses_unknown_keys_and_roles_without_pages(service: Service,
                                                                new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, "wm_dit-is-geen-echte-sleutel")
    assert page.title() == "Inloggen – werkmatch"
    assert "onbekend of ingetrokken" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Sleutel").get_attribute("aria-invalid") == "true"
    sign_in(page, make_key(service, "batch"))
    assert "geeft geen toegang tot de webinterface" in page.get_by_role("alert").inner_text()
    assert not [c for c in page.context.cookies() if c["name"] == "werkmatch_key"]


def test_consultant_sees_only_their_own_municipality(service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"), "/ui/kandidaten")
    assert page.title() == "Kandidaten – werkmatch"
    refs = page.locator("tbody tr td:first-child a").all_inner_texts()
    assert len(refs) == 30 and all(r.startswith("AR-") for r in refs)
    response = page.goto("/ui/kandidaten/NY-0001")
    assert response is not None and response.status == 404
    assert page.title() == "Niet gevonden – werkmatch"
    page.goto("/ui/kandidaten?zoek=kok")
    assert set(page.locator("tbody tr td:first-child a").all_inner_texts()) == {"AR-0003", "AR-0011", "AR-0019",
                                                                                  "AR-0027"}
    response = page.goto("/ui/vacatures/wsp/BESTAAT-NIET")
    assert response is not None and response.status == 404
    assert page.title() == "Niet gevonden – werkmatch"


def test_worklist_before_and_after_the_nightly_run(service: Service, new_page: Callable[[], Any]) -> None:
    from matcher.batch import rematch

    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"))
    assert page.url.endswith("/ui/werklijst")
    assert page.title() == "Werklijst – werkmatch"
    status = page.get_by_role("status").inner_text()
    assert "nog geen nachtelijke run" in status and "matcher rematch" in status  # how a run starts
    assert "per kandidaat de vacatures die nieuw bij zijn of haar beste 20 horen" in page.locator("main").inner_text()
    page.get_by_role("link", name="Vacatures").last.click()  # not a dead end: the shortlists work already
    assert page.url.endswith("/ui/vacatures")
    page.goto("/ui/werklijst")

    rematch.run(service, k=5)
    page.reload()
    items = page.locator("ol.matches li.match")
    assert items.count() > 0
    people = page.locator("ol.matches h2 a[href^='/ui/kandidaten/']").all_inner_texts()
    assert people and all(r.startswith("AR-") for r in people)
    assert "nieuw voor de kandidaat" in page.locator("main").inner_text()
    why = items.first.locator("details.why")
    assert not why.locator(".chip-fit").first.is_visible()
    why.locator("summary").first.click()
    assert why.locator(".chip-fit").count() > 0 and why.locator(".chip-fit").first.is_visible()
    screenshot(page, "06-werklijst")


def test_pages_are_accessible_by_keyboard_and_labelled(service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"))
    for path in ("/ui/werklijst", "/ui/vacatures", SHORTLIST, "/ui/kandidaten", "/ui/kandidaten/AR-0001"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.title().endswith(" – werkmatch") and len(page.title()) > len(" – werkmatch")
        assert page.locator("h1").count() == 1
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(el => el.type !== 'hidden')
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !(el.tagName === 'BUTTON' && el.textContent.trim()))
            .map(el => el.outerHTML)""")
        assert unlabelled == [], (path, unlabelled)
        low = page.evaluate(CONTRAST_CHECK)
        assert low == [], (path, low)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path  # no sideways scrolling

        page.keyboard.press("Tab")
        skip = page.evaluate("[document.activeElement.textContent.trim(), getComputedStyle(document.activeElement)"
                             ".outlineStyle, document.activeElement.getBoundingClientRect().top >= 0]")
        assert skip == ["Naar de inhoud", "solid", True], path
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#inhoud"

    page.goto(SHORTLIST)
    page.locator("#k-AR-0001 details.breakdown summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#k-AR-0001 details.breakdown table").is_visible()
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


# Text colour against the first opaque background behind it, for every element with its own text: at least
# 4.5:1 (WCAG AA for normal text).
CONTRAST_CHECK = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.clip === 'rect(0px, 0px, 0px, 0px)') continue;
    const a = lum(rgb(style.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(el.tagName + ' ' + el.className + ' ' + ratio.toFixed(2));
  }
  return low;
}"""
