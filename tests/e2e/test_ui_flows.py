"""The consultant's decisions in a real browser: outcomes that show and stay put, a confirmation and an undo for
hires and rejections, the reason asked for in place, and a shortlist that says why its order is what it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from matcher.domain import VacancyIn
from matcher.security import SYSTEM
from matcher.service import Service
from tests.e2e.conftest import VACANCIES, screenshot
from tests.e2e.test_ui import SHORTLIST, make_key, outcomes, shortlist_refs, sign_in

pytestmark = pytest.mark.e2e


def in_view(page: Any, selector: str) -> bool:
    return bool(page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
                                        return r.top >= 0 && r.top < window.innerHeight; }""", selector))


def test_outcomes_are_confirmed_undone_and_keep_the_page_at_the_person(
        service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"), SHORTLIST)
    refs = shortlist_refs(page)
    assert len(refs) >= 8
    ref = refs[6]  # far enough down that the page has to scroll to it
    person = page.locator(f"#k-{ref}")

    # proposed: marked, no second 'voorgesteld', and the page comes back at the person
    person.get_by_role("button", name="Voorgesteld").click()
    page.wait_for_load_state()
    person = page.locator(f"#k-{ref}")
    assert page.evaluate("location.hash") == f"#k-{ref}" and page.evaluate("window.scrollY") > 0
    assert in_view(page, f"#k-{ref}")
    assert person.get_by_role("status").inner_text() == f"Vastgelegd: {ref} – voorgesteld."
    assert "status: voorgesteld" in person.locator(".tags").inner_text()
    assert person.get_by_role("button", name="Voorgesteld").count() == 0
    assert page.locator(f"#k-{refs[0]}").get_by_role("button", name="Voorgesteld").count() == 1
    screenshot(page, "07-voorgesteld-op-de-plek")

    # hired: a confirmation in place first; nothing is written until it is confirmed
    person.get_by_text("Aangenomen…").click()
    confirm = person.get_by_role("button", name="Ja, aangenomen")
    assert confirm.is_visible() and f"Aanname van {ref} vastleggen?" in person.inner_text()
    assert [o["event"] for o in outcomes(service, ref)] == ["proposed"]
    confirm.click()
    page.wait_for_load_state()
    person = page.locator(f"#k-{ref}")
    assert person.get_by_role("status").inner_text() == f"Vastgelegd: {ref} – aangenomen."
    assert "status: aangenomen" in person.locator(".tags").inner_text() and in_view(page, f"#k-{ref}")
    person.get_by_role("button", name="Ongedaan maken").click()
    page.wait_for_load_state()
    person = page.locator(f"#k-{ref}")
    assert person.get_by_role("status").inner_text() == f"Ongedaan gemaakt: {ref} – aangenomen."
    assert "status: voorgesteld" in person.locator(".tags").inner_text() and in_view(page, f"#k-{ref}")
    with service.db.connection() as conn:  # the hire stays in the history, marked undone
        undone = conn.execute("SELECT o.event FROM outcome_undos u JOIN outcome_events o ON o.id = u.outcome_id"
                              ).fetchall()
    assert [r["event"] for r in undone] == ["hired"]

    # rejected: the reason is asked for in place; without one the browser does not send the form
    person.get_by_text("Afgewezen…").click()
    url = page.url
    person.get_by_role("button", name="Afwijzing vastleggen").click()
    assert person.locator("select[name=reden]").evaluate("el => el.validity.valueMissing") is True
    assert page.url == url and [o["event"] for o in outcomes(service, ref)] == ["proposed", "hired"]
    person.get_by_label("Reden van afwijzing").select_option("experience")
    person.get_by_role("button", name="Afwijzing vastleggen").click()
    page.wait_for_load_state()
    person = page.locator(f"#k-{ref}")
    assert person.get_by_role("status").inner_text() == f"Vastgelegd: {ref} – afgewezen."
    assert in_view(page, f"#k-{ref}") and "status: afgewezen" in person.locator(".tags").inner_text()
    assert [(o["event"], o["reason"]) for o in outcomes(service, ref)][-1] == ("rejected", "experience")
    screenshot(page, "08-afgewezen-met-reden")

    # the person's own page shows the undone hire crossed out
    page.goto(f"/ui/kandidaten/{ref}")
    assert "aangenomen ongedaan gemaakt" in page.get_by_role("region", name="Historie").inner_text()


def test_the_shortlist_tells_people_apart_and_says_who_was_moved_down(
        service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"), SHORTLIST)
    before = shortlist_refs(page)
    shown = " ".join(page.locator("li.match .score-value").all_inner_texts())
    points = [float(p.replace(",", ".")) for p in re.findall(r"(\d+,\d)/100", shown)]
    assert len(points) == len(before), shown
    assert len(set(points)) >= 0.75 * len(points), points  # one decimal: whole points left half of a top 20 tied
    # the order is the points' order, except for whom the page marks as moved (and says so above the list)
    boosted = [ref for ref in before if "voorrang bestand" in page.locator(f"#k-{ref} .match-head").inner_text()]
    plain = [p for ref, p in zip(before, points, strict=True) if ref not in boosted]
    assert plain == sorted(plain, reverse=True), (points, boosted)
    if boosted:
        assert page.locator("#voorrang").inner_text().startswith(f"{len(boosted)} ")
    first = page.locator("li.match").first
    first.locator("details.breakdown summary").click()
    why = first.locator(".ahead")
    assert why.is_visible() and why.locator(".ahead-title").inner_text() == "Waarom hoger dan #2?"
    assert why.locator("li").count() >= 1 or "Even hoog" in why.inner_text()
    assert page.locator("#herschikt").count() == 0  # nobody has been shown anywhere else yet

    # the top person tops six more vacancies' shortlists: they are moved down here, and the page says so
    top = before[0]
    copies = [(("wsp", f"W-1001-{n}"), VacancyIn.model_validate(VACANCIES[("wsp", "W-1001")])) for n in range(6)]
    service.import_vacancies(copies, actor=SYSTEM)
    for (source, external_id), _ in copies:
        shown = service.shortlist(source, external_id, actor=SYSTEM, limit=1, rerank=False).result.items
        assert [i.candidate["ref"] for i in shown] == [top]
    service._exposure_counts = None  # the exposure counts are cached for minutes; this test cannot wait
    page.reload()
    after = shortlist_refs(page)
    assert after.index(top) > 0
    note = page.locator("#herschikt").inner_text()
    assert note.startswith("1 mens die al vaak werd voorgesteld staat lager"), note
    assert "staat lager: al vaak voorgesteld" in page.locator(f"#k-{top} .tags").inner_text()
    above = page.locator("li.match").nth(after.index(top) - 1)
    above.locator("details.breakdown summary").click()
    assert "al vaak werd voorgesteld" in above.locator(".ahead").inner_text()
    screenshot(page, "09-herschikt")
