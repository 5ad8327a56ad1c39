"""Every operation of /openapi.json, fed generated input by schemathesis against a real server on SQLite and
on PostgreSQL: no answer may be a server error (5xx), and every answer, success or refusal, fits what the
document says of it (its response model, its media type, the error body). Bounded: a few examples per
operation and role."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK, Server, make_server, running_server

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[Server, str]]:
    server = make_server(database_url, ManualClock(T0))
    with running_server(server) as base:
        yield server, base


def test_no_operation_answers_a_server_error(served: tuple[Server, str]) -> None:
    import requests
    import schemathesis

    server, base = served
    schema = schemathesis.openapi.from_dict(httpx.get(f"{base}/openapi.json").json())
    failures: list[str] = []
    with requests.Session() as session, httpx.Client(base_url=base) as client:
        admin = server.login(client, "admin")
        for result in schema.get_all_operations():
            operation = result.ok()
            for credentials in (admin, KIOSK):
                _probe(operation, base=base, session=session, credentials=credentials, failures=failures)
            # Generated calls may sign the admin out (logout): sign in again, or the rest would only meet 401.
            if client.get("/api/v1/auth/me", headers=admin).status_code != 200:
                admin = server.login(client, "admin")
    assert not failures, "\n".join(failures[:40])


def _probe(
    operation: Any, *, base: str, session: Any, credentials: dict[str, str], failures: list[str]
) -> None:
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import content_type_conformance, response_schema_conformance
    from schemathesis.core.failures import FailureGroup

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def probe(case: Any) -> None:
        response = case.call(base_url=base, session=session, headers=credentials, timeout=30)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} → {response.status_code}: "
                f"path={case.path_parameters} query={case.query} body={case.body!r:.200}"
            )
            return
        try:
            case.validate_response(response, checks=[response_schema_conformance, content_type_conformance])
        except FailureGroup as failure:  # each mismatch of the answer with the document
            failures.append(
                f"{case.method} {case.formatted_path} → {response.status_code}: "
                + "; ".join(f"{one.title}: {one.message}"[:300] for one in failure.exceptions)
            )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe()
