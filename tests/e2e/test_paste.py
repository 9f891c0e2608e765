"""Vacature plakken in a real browser: paste an employer's text, see the fields with their evidence marked,
correct one, save, and find the vacancy stored as corrected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from matcher.service import Service
from tests.e2e.conftest import screenshot
from tests.e2e.test_ui import make_key, sign_in

pytestmark = pytest.mark.e2e

TEXT = """Vacature: Orderpicker nachtploeg (m/v)
Je werkt in de nachtploeg van 22.00 tot 06.00 uur, vier nachten per week (32 uur).
Je tilt regelmatig dozen tot 25 kilo en staat de hele dag.
Een heftruckcertificaat is verplicht, rijbewijs B is een pre.
Werklocatie: Industrieweg 4, 6921 AB Duiven."""


def test_an_adviser_pastes_checks_corrects_and_saves_a_vacancy(service: Service,
                                                                new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "employer_service", name="Adviseur WSP"), "/ui/vacatures")
    page.get_by_role("link", name="Vacature plakken").click()
    page.wait_for_url("**/ui/vacatures/plakken")
    page.get_by_label("Vacaturetekst, webpagina of JobPosting").fill(TEXT)
    page.get_by_role("button", name="Lezen").click()
    page.wait_for_load_state()

    assert page.get_by_label("Functie").input_value() == "Orderpicker nachtploeg"
    assert page.get_by_label("Uren per week, van").input_value() == "32"
    assert page.get_by_label("nacht", exact=True).is_checked()
    assert page.get_by_label("Tillen tot (kg)").input_value() == "25"
    assert page.get_by_label("Postcode (4 cijfers)").input_value() == "6921"
    marked = page.locator("[data-testid=evidence] mark")
    assert "32 uur" in marked.all_inner_texts() and marked.filter(has_text="25 kilo").count() == 1
    assert marked.filter(has_text="32 uur").get_attribute("data-field") == "uren"
    assert "rijbewijs (pré): B" in page.locator("main").inner_text()
    screenshot(page, "20-vacature-plakken")

    page.get_by_label("Tillen tot (kg)").fill("20")  # the adviser corrects what was read
    page.get_by_label("avond", exact=True).uncheck()
    page.get_by_label("Vacaturenummer").fill("PASTE-1")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert page.url.endswith("/ui/vacatures/wsp/PASTE-1")

    stored = service.get_vacancy("wsp", "PASTE-1")
    assert stored["title"] == "Orderpicker nachtploeg" and stored["shifts"] == ["night"]
    assert {"code": "lift_kg", "value": 20.0} in stored["demands"]
    assert stored["provenance"]["demands"] == {"source": "given"}


def test_a_consultant_sees_the_reading_but_cannot_save(service: Service, new_page: Callable[[], Any]) -> None:
    page = new_page()
    sign_in(page, make_key(service, "consultant", "arnhem"), "/ui/vacatures/plakken")
    page.get_by_label("Vacaturetekst, webpagina of JobPosting").fill("<h1>Kok</h1><p>Fulltime, ook in het weekend.</p>")
    page.get_by_role("button", name="Lezen").click()
    page.wait_for_load_state()
    assert page.get_by_label("Functie").input_value() == "Kok"
    assert page.get_by_label("weekend", exact=True).is_checked()
    assert page.get_by_role("button", name="Opslaan").count() == 0
    assert "Opslaan kan alleen werkgeversdienstverlening" in page.locator("main").inner_text()
