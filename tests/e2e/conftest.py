"""Browser tests: Debian's Chromium, driven by Playwright, against a real server on the real database.

Each test gets a freshly cloned database seeded with a small Dutch region (40 people, 10 vacancies) and
its own uvicorn server on a free localhost port. Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from matcher.config import Settings
from matcher.domain import CandidateIn, VacancyIn
from matcher.security import SYSTEM
from matcher.service import Service

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}

# A free-text restriction no vocabulary knows: it must only ever appear on a consultant's candidate page.
SECRET_RESTRICTION = "kan niet tegen zebrahuisstof 7781"

VACANCIES: dict[tuple[str, str], dict[str, Any]] = {
    ("wsp", "W-1001"): {"title": "Magazijnmedewerker", "employer": "Logistiek Gelderland", "postcode": "6827",
                        "hours_min": 24, "hours_max": 38, "shifts": ["day"],
                        "required_skills": ["orderpicken", "heftruck rijden"], "preferred_skills": ["scanner"],
                        "certificates": ["VCA"], "demands": [{"code": "lift_kg", "value": 15}],
                        "support": ["jobcarving"], "positions": 3,
                        "description": "Orders verzamelen en klaarzetten in een modern distributiecentrum."},
    ("wsp", "W-1002"): {"title": "Medewerker klantenservice", "employer": "Energie Oost", "postcode": "6811",
                        "hours_min": 20, "hours_max": 32, "shifts": ["day", "evening"], "dutch_level": "B2",
                        "required_skills": ["klantcontact", "telefoneren"], "demands": [{"code": "customer_contact"}]},
    ("wsp", "W-1003"): {"title": "Kok", "employer": "Restaurant De Waal", "postcode": "6511", "hours_min": 24,
                        "hours_max": 38, "shifts": ["day", "evening", "weekend"],
                        "required_skills": ["koken", "hygiëne"], "demands": [{"code": "standing"}]},
    ("wsp", "W-1004"): {"title": "Kassamedewerker", "employer": "Supermarkt Presikhaaf", "postcode": "6824",
                        "hours_min": 12, "hours_max": 24, "shifts": ["day", "weekend"],
                        "required_skills": ["kassawerk", "klantcontact"], "demands": [{"code": "customer_contact"}]},
    ("wsp", "W-1005"): {"title": "Heftruckchauffeur", "employer": "Transport Duiven", "postcode": "6921",
                        "hours_min": 32, "hours_max": 40, "shifts": ["day"], "driving_licences": ["B"],
                        "required_skills": ["heftruck rijden"], "certificates": ["VCA", "heftruckcertificaat"]},
    ("scalabor", "S-2001"): {"title": "Schoonmaker kantoren", "employer": "Scalabor Schoonmaak", "postcode": "6811",
                             "hours_min": 12, "hours_max": 24, "shifts": ["day"], "required_skills": ["schoonmaken"],
                             "support": ["jobcoach", "jobcarving"],
                             "demands": [{"code": "lift_kg", "value": 10}, {"code": "customer_contact"}]},
    ("scalabor", "S-2002"): {"title": "Productiemedewerker inpak", "employer": "Scalabor Productie",
                             "postcode": "6842", "hours_min": 16, "hours_max": 32, "shifts": ["day"],
                             "required_skills": ["inpakken", "productiewerk"], "support": ["jobcoach"]},
    ("scalabor", "S-2003"): {"title": "Medewerker groenvoorziening", "employer": "Scalabor Groen",
                             "postcode": "6826", "hours_min": 20, "hours_max": 32, "shifts": ["day"],
                             "required_skills": ["tuinonderhoud", "snoeien"], "demands": [{"code": "outdoor"}],
                             "support": ["jobcoach", "jobcarving"]},
    ("scalabor", "S-2004"): {"title": "Fietsenmaker", "employer": "Fietswerkplaats Arnhem", "postcode": "6814",
                             "hours_min": 16, "hours_max": 32, "shifts": ["day"],
                             "required_skills": ["fietsen repareren"], "support": ["jobcoach", "proefplaatsing"]},
    ("scalabor", "S-2005"): {"title": "Medewerker wasserij", "employer": "Scalabor Wasserij", "postcode": "6541",
                             "hours_min": 12, "hours_max": 28, "shifts": ["day"], "required_skills": ["strijken"],
                             "demands": [{"code": "standing"}], "support": ["jobcarving"], "status": "filled"},
}

PROFILES: list[dict[str, Any]] = [
    {"skills": ["orderpicken", "heftruck rijden", "scanner"], "experience": "magazijnmedewerker",
     "wish": "magazijnmedewerker", "certificates": ["VCA"]},
    {"skills": ["klantcontact", "telefoneren"], "experience": "callcenter medewerker", "wish": "klantenservice"},
    {"skills": ["koken", "hygiëne"], "experience": "kok", "wish": "kok"},
    {"skills": ["kassawerk", "klantcontact"], "experience": "caissière", "wish": "winkelmedewerker"},
    {"skills": ["schoonmaken"], "experience": "schoonmaker", "wish": "schoonmaker"},
    {"skills": ["inpakken", "productiewerk"], "experience": "productiemedewerker", "wish": "productiemedewerker"},
    {"skills": ["tuinonderhoud", "snoeien"], "experience": "hovenier", "wish": "groenvoorziening"},
    {"skills": ["fietsen repareren"], "experience": "fietsenmaker", "wish": "fietsenmaker"},
]
ARNHEM_POSTCODES = ["6811", "6812", "6813", "6814", "6822", "6824", "6825", "6826", "6827", "6828"]
NIJMEGEN_POSTCODES = ["6511", "6512", "6521", "6531", "6541"]


def dataset(seed: int = 8) -> dict[str, dict[str, Any]]:
    """40 people: 30 in Arnhem, 10 in Nijmegen. AR-0001 and AR-0002 are the warehouse people with
    restrictions (a lifting limit, and a free-text restriction) that only a consultant may see."""
    rng = random.Random(seed)
    people: dict[str, dict[str, Any]] = {}
    for n in range(40):
        arnhem = n < 30
        ref = f"AR-{n + 1:04d}" if arnhem else f"NY-{n - 29:04d}"
        profile = PROFILES[n % len(PROFILES)]
        hours_min = rng.choice([12, 16, 20, 24])
        body: dict[str, Any] = {
            "municipality": "arnhem" if arnhem else "nijmegen",
            "postcode": rng.choice(ARNHEM_POSTCODES if arnhem else NIJMEGEN_POSTCODES),
            "trede": rng.randint(1, 5), "hours_min": hours_min, "hours_max": hours_min + rng.choice([8, 12, 16]),
            "max_travel_km": rng.choice([10, 15, 25, 40]), "dutch_level": rng.choice(["A2", "B1", "B2", "C1"]),
            "shifts": ["day"] + (["evening"] if rng.random() < 0.3 else []) + (["weekend"] if rng.random() < 0.3
                                                                             else []),
            "skills": [{"label": s, "years": rng.randint(1, 6)} for s in profile["skills"]],
            "experience": [{"title": profile["experience"], "years": rng.randint(1, 8)}],
            "desired_occupations": [profile["wish"]],
            "certificates": profile.get("certificates", []),
            "summary": f"Werkt graag als {profile['wish']}.",
        }
        if n % 5 == 3:
            body["restrictions"] = [{"code": "no_customer_contact"}]
        people[ref] = body
    people["AR-0001"] |= {"postcode": "6827", "trede": 3, "max_travel_km": 25, "hours_min": 24, "hours_max": 36,
                          "restrictions": [{"code": "max_lift_kg", "value": 10}]}
    people["AR-0002"] = people["AR-0009"] | {"restrictions": [{"text": SECRET_RESTRICTION}], "postcode": "6828"}
    return people


def seed(service: Service) -> None:
    service.import_vacancies([(k, VacancyIn.model_validate(v)) for k, v in VACANCIES.items()], actor=SYSTEM)
    service.import_candidates([(k, CandidateIn.model_validate(v)) for k, v in dataset().items()], actor=SYSTEM)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings, service: Service) -> Iterator[str]:
    """The real app on the real, seeded database, served by uvicorn in a background thread."""
    from api.app import create_app

    seed(service)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, service), host="127.0.0.1", port=port,
                                          log_level="warning", lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, name="werkmatch-ui-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[[], Any]]:
    """Pages in fresh browser contexts (each its own cookie jar), on a laptop-sized screen."""
    contexts = []

    def make() -> Any:
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="nl-NL")
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
