"""Property-based run against the OpenAPI document: whatever schemathesis sends, no operation answers 5xx.

Every operation gets valid requests (positive) and requests that break the schema (negative), as admin, on
a seeded database. The number of examples per operation and mode comes from WERKMATCH_FUZZ_EXAMPLES
(default 20, which keeps this within a CI budget); `make fuzz` runs the same test with many more.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from api.app import create_app
from matcher.config import Settings
from matcher.service import Service
from tests.api.conftest import auth

EXAMPLES = int(os.environ.get("WERKMATCH_FUZZ_EXAMPLES", "20"))
MODES = {"positive": GenerationMode.POSITIVE, "negative": GenerationMode.NEGATIVE}
# Path parameters of records that exist, so that generated queries and bodies also reach the ranking,
# the updates and the outcome rules instead of stopping at 404.
KNOWN = {"ref": "A-MAG", "source": "wsp", "external_id": "W-MAG", "version": "prior-2026.11"}

schemathesis.serializer.alias(["application/x-ndjson", "text/csv"], "text/plain")


@pytest.fixture
def fuzz_app(settings: Settings, world: Service) -> Iterator[Any]:
    """The real app on the seeded database, without a rate limit to trip over."""
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 10_000_000}), world)
    with TestClient(app, raise_server_exceptions=False):  # runs the lifespan
        yield app


@pytest.mark.timeout(0 if "WERKMATCH_FUZZ_EXAMPLES" in os.environ else 900)  # a long run sets its own size
@pytest.mark.parametrize("mode", list(MODES))
def test_no_operation_answers_5xx(fuzz_app: Any, make_key: Callable[..., str], mode: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    headers = auth(make_key("admin"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the document was really read
    failures: list[str] = []
    answered: set[str] = set()  # operations the fuzz got past authentication on
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=MODES[mode]), known=st.booleans())
        def run(case: schemathesis.Case, known: bool) -> None:
            if known and case.path_parameters and case.method != "DELETE":
                case.path_parameters = {k: KNOWN.get(k, v) for k, v in case.path_parameters.items()}
                case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "if-match"}
            try:
                response = case.call(headers=headers, timeout=120)  # slow is not wrong here; 5xx is
            except Exception as exc:  # the app raised instead of answering: that is a server error too
                failures.append(f"{case.method} {case.formatted_path} raised {exc!r}\n"
                                f"    {case.as_curl_command(headers=headers)}")
                raise
            if response.status_code not in (401, 403):
                answered.add(case.operation.label)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                f"{response.text[:300]}\n    {case.as_curl_command(headers=headers)}")
                raise

        try:
            run()
        except Unsatisfiable:  # nothing to break in a request without parameters or body
            assert mode == "negative" and not operation.path_parameters and not operation.body, operation.label
        except Exception as exc:  # hypothesis re-raises the (shrunk) failure; the list keeps every operation's
            if not failures or operation.label not in " ".join(failures):
                failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, "server errors:\n" + "\n".join(failures)
    if mode == "positive":
        assert answered == {op.label for op in operations}, sorted(answered)
