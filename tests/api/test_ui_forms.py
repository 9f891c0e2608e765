"""The web interface without a browser: garbage in the URL or in a form gets a Dutch 4xx page, never a 5xx,
and never a write."""

from __future__ import annotations

import re
from typing import Any

import pytest

from matcher.service import Service
from tests.api.conftest import SECRET_RESTRICTION

BAD_GETS = [
    "/ui/vacatures?pagina=0", "/ui/vacatures?pagina=abc", "/ui/vacatures?status=weg", "/ui/vacatures?bron=%00",
    "/ui/vacatures?zoek=" + "x" * 101, "/ui/vacatures/wsp/W-MAG?aantal=7", "/ui/vacatures/wsp/W-MAG?aantal=-1",
    "/ui/vacatures/WSP/W-MAG", "/ui/vacatures/wsp/%20%27%3B--", "/ui/vacatures/onbekend/W-MAG",
    "/ui/vacatures/wsp/BESTAAT-NIET", "/ui/kandidaten?status=weg", "/ui/kandidaten?gemeente=..%2F",
    "/ui/kandidaten/%2E%2E", "/ui/kandidaten/" + "A" * 80, "/ui/kandidaten/ONBEKEND", "/ui/werklijst?pagina=99999",
    "/ui/bestaat-niet",
]


def sign_in(client: Any, key: str) -> None:
    page = client.get("/ui/inloggen")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post("/ui/inloggen", data={"sleutel": key, "csrf": token.group(1)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "werkmatch_key" in response.headers["set-cookie"]
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=strict" in response.headers["set-cookie"].lower()


def csrf_of(client: Any, path: str) -> str:
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get(path).text)
    assert token is not None
    return token.group(1)


def count_outcomes(service: Service) -> int:
    with service.db.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM outcome_events").fetchone()
        assert row is not None
        return int(row["n"])


@pytest.mark.parametrize("path", BAD_GETS)
def test_bad_urls_get_a_dutch_4xx_page(client: Any, world: Service, keys: dict[str, str], path: str) -> None:
    sign_in(client, keys["consultant_arnhem"])
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in response.text and "werkmatch</title>" in response.text


def test_pages_need_a_signed_in_key(client: Any, world: Service) -> None:
    for path in ("/ui", "/ui/vacatures", "/ui/vacatures/wsp/W-MAG", "/ui/kandidaten/A-MAG", "/ui/werklijst"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui/inloggen")
    client.cookies.set("werkmatch_key", "wm_ingetrokken-of-verzonnen")
    response = client.get("/ui/vacatures", follow_redirects=False)
    assert response.status_code == 303 and 'werkmatch_key=""' in response.headers["set-cookie"]


def test_sign_in_follows_only_paths_inside_the_interface(client: Any, world: Service, keys: dict[str, str]) -> None:
    for target, expected in (("/ui/kandidaten", "/ui/kandidaten"), ("https://elders.example/", "/ui"),
                             ("//elders.example/ui", "/ui"), ("/v1/candidates", "/ui")):
        client.cookies.clear()
        page = client.get("/ui/inloggen")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        response = client.post("/ui/inloggen", data={"sleutel": keys["consultant_arnhem"], "csrf": token.group(1),
                                                     "volgende": target}, follow_redirects=False)
        assert response.headers["location"] == expected, target


GARBAGE_FORMS: list[dict[str, str]] = [
    {"event": "exploded", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG"},
    {"event": "invited", "kandidaat": "../../etc", "bron": "wsp", "vacature": "W-MAG"},
    {"event": "invited", "kandidaat": "A-MAG", "bron": "WSP!", "vacature": "W-MAG"},
    {"event": "invited", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG", "request_id": "x' OR 1=1"},
    {"event": "invited", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG",
     "request_id": "00000000-0000-0000-0000-000000000000"},
    {"event": "rejected", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG", "reden": "boos"},
    {"event": "invited", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG"},  # never shown, not manual
    {"event": "invited", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG", "handmatig": "1"},  # no note
    {"event": "invited", "kandidaat": "N-MAG", "bron": "wsp", "vacature": "W-MAG", "handmatig": "1",
     "notitie": "buiten de gemeente"},
    {"event": "invited", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "BESTAAT-NIET", "handmatig": "1",
     "notitie": "onbekende vacature"},
    {"event": "invited", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG", "notitie": "x" * 1001},
    {"event": "invited" * 40, "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG"},
]


@pytest.mark.parametrize("form", GARBAGE_FORMS)
def test_garbage_outcome_forms_are_refused_without_a_write(client: Any, world: Service, keys: dict[str, str],
                                                           form: dict[str, str]) -> None:
    sign_in(client, keys["consultant_arnhem"])
    token = csrf_of(client, "/ui/vacatures")
    response = client.post("/ui/uitkomsten", data=form | {"csrf": token}, follow_redirects=False)
    assert 400 <= response.status_code < 500, (form, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    assert count_outcomes(world) == 0


def test_a_manual_match_is_stored_with_its_note(client: Any, world: Service, keys: dict[str, str]) -> None:
    sign_in(client, keys["consultant_arnhem"])
    token = csrf_of(client, "/ui/vacatures")
    response = client.post("/ui/uitkomsten", follow_redirects=False, data={
        "csrf": token, "event": "proposed", "kandidaat": "A-SCH", "bron": "wsp", "vacature": "W-MAG",
        "handmatig": "1", "notitie": "Wil graag het magazijn in", "terug": "/ui/vacatures/wsp/W-MAG"})
    assert response.status_code == 303
    history = world.get_candidate("A-SCH", actor=_admin())["outcomes"]
    assert [(o["event"], o["manual"], o["external_id"]) for o in history] == [("proposed", True, "W-MAG")]
    with world.db.connection() as conn:
        outcome = conn.execute("SELECT max(id) AS id FROM outcome_events").fetchone()
    assert outcome is not None
    assert response.headers["location"] == ("/ui/vacatures/wsp/W-MAG?vastgelegd=proposed&kandidaat=A-SCH&vacature="
                                            f"wsp%2FW-MAG&uitkomst={outcome['id']}#k-A-SCH")
    # proposing the same person again is refused with a page that names the standing proposal
    again = client.post("/ui/uitkomsten", follow_redirects=False, data={
        "csrf": token, "event": "proposed", "kandidaat": "A-SCH", "bron": "wsp", "vacature": "W-MAG",
        "handmatig": "1", "notitie": "nog eens", "terug": "/ui/vacatures/wsp/W-MAG"})
    assert again.status_code == 409 and "A-SCH is al voorgesteld voor deze vacature" in again.text
    assert len(world.get_candidate("A-SCH", actor=_admin())["outcomes"]) == 1


def test_a_recorded_outcome_shows_as_the_persons_status_in_the_list(client: Any, world: Service,
                                                                    keys: dict[str, str]) -> None:
    sign_in(client, keys["consultant_arnhem"])

    def item(page: str) -> str:  # A-MAG's entry in the shortlist
        found = re.search(r'<li class="match" id="k-A-MAG">(.*?)</article>', page, re.S)
        assert found is not None
        return found.group(1)

    assert "status:" not in item(client.get("/ui/vacatures/wsp/W-MAG").text)
    response = client.post("/ui/uitkomsten", follow_redirects=False, data={
        "csrf": csrf_of(client, "/ui/vacatures"), "event": "proposed", "kandidaat": "A-MAG", "bron": "wsp",
        "vacature": "W-MAG", "terug": "/ui/vacatures/wsp/W-MAG"})
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("#k-A-MAG")  # back at the same person
    listed = item(client.get(response.headers["location"]).text)
    assert "status: voorgesteld" in listed and 'value="proposed"' not in listed  # not proposed twice
    assert "Vastgelegd: A-MAG – voorgesteld." in listed and "Ongedaan maken" in listed
    undo = re.search(r'action="(/ui/uitkomsten/\d+/ongedaan)"', listed)
    assert undo is not None
    undone = client.post(undo.group(1), follow_redirects=False, data={
        "csrf": csrf_of(client, "/ui/vacatures"), "terug": "/ui/vacatures/wsp/W-MAG", "anker": "k-A-MAG"})
    assert undone.status_code == 303 and undone.headers["location"].endswith("#k-A-MAG")
    listed = item(client.get(undone.headers["location"]).text)
    assert "Ongedaan gemaakt: A-MAG – voorgesteld." in listed
    assert "status:" not in listed and 'value="proposed"' in listed
    again = client.post(undo.group(1), data={"csrf": csrf_of(client, "/ui/vacatures"),
                                             "terug": "/ui/vacatures/wsp/W-MAG"})
    assert again.status_code == 409 and "al ongedaan gemaakt" in again.text


def test_an_outcome_recorded_on_a_persons_page_comes_back_at_the_vacancy(client: Any, world: Service,
                                                                         keys: dict[str, str]) -> None:
    sign_in(client, keys["consultant_arnhem"])
    assert 'id="v-wsp-W-MAG"' in client.get("/ui/kandidaten/A-MAG").text
    response = client.post("/ui/uitkomsten", follow_redirects=False, data={
        "csrf": csrf_of(client, "/ui/vacatures"), "event": "invited", "kandidaat": "A-MAG", "bron": "wsp",
        "vacature": "W-MAG", "terug": "/ui/kandidaten/A-MAG", "anker": "v-wsp-W-MAG"})
    assert response.status_code == 303 and response.headers["location"].endswith("#v-wsp-W-MAG")
    page = client.get(response.headers["location"]).text
    found = re.search(r'<li class="match" id="v-wsp-W-MAG">(.*?)</article>', page, re.S)
    assert found is not None and "Vastgelegd: A-MAG – uitgenodigd." in found.group(1)
    assert page.count("Vastgelegd:") == 1  # at the vacancy only, not at the top as well


def test_a_rejection_without_a_reason_asks_for_it_at_the_person(client: Any, world: Service,
                                                               keys: dict[str, str]) -> None:
    sign_in(client, keys["consultant_arnhem"])
    assert client.get("/ui/vacatures/wsp/W-MAG").status_code == 200
    response = client.post("/ui/uitkomsten", follow_redirects=False, data={
        "csrf": csrf_of(client, "/ui/vacatures"), "event": "rejected", "reden": "", "kandidaat": "A-MAG",
        "bron": "wsp", "vacature": "W-MAG", "terug": "/ui/vacatures/wsp/W-MAG?aantal=10", "anker": "k-A-MAG"})
    assert response.status_code == 303
    assert response.headers["location"] == ("/ui/vacatures/wsp/W-MAG?aantal=10&reden=nodig&kandidaat=A-MAG"
                                            "&vacature=wsp%2FW-MAG#k-A-MAG")
    page = client.get(response.headers["location"]).text
    found = re.search(r'<li class="match" id="k-A-MAG">(.*?)</article>', page, re.S)
    assert found is not None
    assert 'role="alert">Kies een reden om de afwijzing van A-MAG vast te leggen.' in found.group(1)
    assert '<details class="confirm" open>' in found.group(1) and "autofocus" in found.group(1)
    assert count_outcomes(world) == 0


def test_employer_service_pages_never_show_restrictions(client: Any, world: Service, keys: dict[str, str]) -> None:
    sign_in(client, keys["employer_service"])
    page = client.get("/ui/vacatures/scalabor/S-SCH")
    assert page.status_code == 200
    assert "er zijn bespreekpunten" in page.text
    for secret in (SECRET_RESTRICTION, "bespreek jobcarving", "tillen tot", "klantcontact (jobcarving)"):
        assert secret not in page.text, secret
    token = csrf_of(client, "/ui/vacatures")
    manual = client.post("/ui/uitkomsten", follow_redirects=False, data={
        "csrf": token, "event": "proposed", "kandidaat": "A-SCH", "bron": "scalabor", "vacature": "S-SCH",
        "handmatig": "1", "notitie": "probeer"})
    assert manual.status_code == 403
    assert client.get("/ui/kandidaten/A-SCH").status_code == 403


def test_batch_and_auditor_keys_cannot_sign_in(client: Any, world: Service, keys: dict[str, str]) -> None:
    for name in ("batch", "auditor", "revoked"):
        page = client.get("/ui/inloggen")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        response = client.post("/ui/inloggen", data={"sleutel": keys[name], "csrf": token.group(1)},
                               follow_redirects=False)
        assert response.status_code in (401, 403), name
        assert "werkmatch_key=" not in response.headers.get("set-cookie", ""), name


def _admin() -> Any:
    from matcher.security import Actor

    return Actor(key_id=None, role="admin")
