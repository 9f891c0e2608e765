"""Operations: request ids in responses and JSON access logs, Prometheus metrics, the OpenAPI document and /docs."""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.middleware import Metrics
from matcher.logs import JsonFormatter
from matcher.service import Service
from tests.api.conftest import assert_problem, auth

SHORTLIST_ROUTE = "/v1/vacancies/{source}/{external_id}/shortlist"


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "api.access"]


def test_request_ids_are_echoed_and_in_the_json_access_log(client: Any, world: Service, keys: dict[str, str],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="api.access")
    consultant = auth(keys["consultant"])
    response = client.get("/v1/candidates/A-MAG", headers=consultant | {"X-Request-Id": "trace-42.abc_1"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "trace-42.abc_1"

    lines = [line for line in _access_lines(caplog) if line["request_id"] == "trace-42.abc_1"]
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "request" and line["method"] == "GET" and line["route"] == "/v1/candidates/{ref}"
    assert line["status"] == 200 and line["ms"] >= 0 and line["level"] == "info" and line["time"]
    assert "A-MAG" not in json.dumps(line)  # the route template, not the path with the reference

    # a made-up id is replaced (it must not inject anything into the logs); without one, one is made
    for header in ({"X-Request-Id": "bad id\nwith newline"}, {"X-Request-Id": "x" * 65}, {}):
        response = client.get("/v1/candidates/NOBODY", headers=consultant | header)
        problem = assert_problem(response, 404)
        generated = response.headers["x-request-id"]
        assert str(uuid.UUID(generated)) == generated and problem["request_id"] == generated
    statuses = {(line["route"], line["status"]) for line in _access_lines(caplog)}
    assert ("/v1/candidates/{ref}", 404) in statuses


def _samples(client: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_count_requests_per_route_with_latency_shortlist_sizes_and_model(client: Any, world: Service,
                                                                                 keys: dict[str, str]) -> None:
    before = _samples(client)
    assert before[("werkmatch_model_info", (("version", "prior-2026.11"),))] == 1.0  # known before any shortlist

    consultant = auth(keys["consultant"])
    sizes = []
    for limit in (1, 2, 50):
        response = client.get(f"/v1/vacancies/wsp/W-MAG/shortlist?limit={limit}", headers=consultant)
        sizes.append(len(response.json()["items"]))
    sizes.append(len(client.get("/v1/candidates/A-MAG/matches", headers=consultant).json()["items"]))
    assert client.get("/v1/vacancies/wsp/NOPE/shortlist", headers=consultant).status_code == 404
    assert client.get("/no/such/page").status_code == 404

    after = _samples(client)
    ok = (("method", "GET"), ("route", SHORTLIST_ROUTE), ("status", "200"))
    assert after[("werkmatch_http_requests_total", ok)] == 3
    assert after[("werkmatch_http_requests_total", (("method", "GET"), ("route", SHORTLIST_ROUTE),
                                                    ("status", "404")))] == 1
    assert after[("werkmatch_http_requests_total", (("method", "GET"), ("route", "unmatched"),
                                                    ("status", "404")))] == 1
    latency = (("method", "GET"), ("route", SHORTLIST_ROUTE))
    assert after[("werkmatch_http_request_seconds_count", latency)] == 4
    assert after[("werkmatch_http_request_seconds_sum", latency)] > 0
    assert after[("werkmatch_http_request_seconds_count", (("method", "GET"),
                                                           ("route", "/v1/candidates/{ref}/matches")))] == 1
    assert after[("werkmatch_shortlist_size_count", ())] == 4
    assert after[("werkmatch_shortlist_size_sum", ())] == sum(sizes) and sizes[:2] == [1, 2]
    assert after[("werkmatch_model_info", (("version", "prior-2026.11"),))] == 1.0
    # the metrics never carry references or keys
    text = client.get("/metrics").text
    assert "A-MAG" not in text and keys["consultant"] not in text


def test_only_the_serving_model_version_is_reported() -> None:
    metrics = Metrics()
    metrics.serving("v1")
    metrics.serving("v2")
    families = {f.name: f for f in text_string_to_metric_families(
        __import__("prometheus_client").generate_latest(metrics.registry).decode())}
    assert [(s.labels, s.value) for s in families["werkmatch_model_info"].samples] == [({"version": "v2"}, 1.0)]


def test_the_openapi_document_describes_every_endpoint(client: Any) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "werkmatch"
    paths = schema["paths"]
    for path, method in [("/v1/candidates/{ref}", "put"), ("/v1/candidates/{ref}", "get"),
                         ("/v1/candidates/{ref}", "delete"), ("/v1/candidates/import", "post"),
                         ("/v1/candidates", "get"), ("/v1/candidates/{ref}/matches", "get"),
                         ("/v1/vacancies/{source}/{external_id}", "put"), ("/v1/vacancies/import", "post"),
                         ("/v1/vacancies/{source}/{external_id}/shortlist", "get"), ("/v1/outcomes", "post"),
                         ("/v1/audit", "get"), ("/v1/models", "get"), ("/v1/models/{version}/promote", "post"),
                         ("/healthz", "get"), ("/readyz", "get"), ("/metrics", "get")]:
        assert method in paths[path], (method, path)
        assert paths[path][method]["summary"]
    components = schema["components"]
    assert {"CandidateIn", "VacancyIn", "OutcomeIn", "MatchList"} <= set(components["schemas"])
    assert components["securitySchemes"]["apiKey"] == {"type": "http", "scheme": "bearer",
                                                       "description": "an API key from `matcher keys create`"}
    assert paths["/v1/candidates/{ref}"]["get"]["security"] == [{"apiKey": []}]
    candidate = components["schemas"]["CandidateIn"]
    assert candidate["additionalProperties"] is False and candidate["required"] == ["municipality"]
    assert candidate["properties"]["skills"]["maxItems"] == 50


def test_docs_render_offline_with_what_the_security_policy_allows(client: Any) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";")
                  if part.strip())
    scripts = policy.get("script-src", policy["default-src"])
    styles = policy.get("style-src", policy["default-src"])

    loaded = []
    for src in re.findall(r'<script[^>]+src="([^"]+)"', html):
        assert src.startswith("/") and "'self'" in scripts, (src, scripts)  # served here, allowed by the policy
        script = client.get(src)
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        loaded.append(script.text)
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        assert href.startswith("/") and "'self'" in styles
        assert client.get(href).status_code == 200
    inline = [s for s in re.findall(r"<script(?![^>]*src=)[^>]*>(.*?)</script>", html, re.S) if s.strip()]
    assert not inline or "'unsafe-inline'" in scripts, "an inline script the policy would block"
    assert any("SwaggerUIBundle = " in js or "SwaggerUIBundle=" in js for js in loaded)  # the viewer itself
    assert any('url: "/openapi.json"' in js for js in loaded)  # started on our document
    assert "http://" not in html and "https://" not in html  # nothing from elsewhere
