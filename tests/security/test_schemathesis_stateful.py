"""Sequences of calls, not single probes: schemathesis's state machine over /openapi.json chains operations
by the links the document declares (a submitted dossier's code to its reads: api/openapi.py) and those it
infers (an issued ticket's id fed to its actions, a listed account's name to its admin actions) against a real server on SQLite and on PostgreSQL. Over the
whole run no answer may be a server error (5xx), and every answer must fit what the document says of it.
Bounded: 150 short sequences per database, about 20 s each."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import PASSWORD, Server, make_server, running_server

SEQUENCES = 150
STEPS_PER_SEQUENCE = 6


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[Server, str]]:
    server = make_server(database_url, ManualClock(T0))
    with running_server(server) as base:
        yield server, base


def test_no_sequence_of_calls_meets_a_server_error(served: tuple[Server, str]) -> None:
    import requests
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
    from schemathesis.core.failures import FailureGroup

    server, base = served
    document = _within_the_office(httpx.get(f"{base}/openapi.json").json(), server)
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    calls: list[int] = []
    session = requests.Session()
    admin: dict[str, str] = {}
    accounts: list[str] = []

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # A generated logout, password change or disable may lock the acting admin out: each sequence
            # starts signed in, as a fresh admin account when the last one can no longer be used.
            with httpx.Client(base_url=base) as client:
                if not admin or client.get("/api/v1/auth/me", headers=admin).status_code != 200:
                    username = f"quantri{len(accounts)}"
                    server.services.auth.add_user(username=username, role="admin", password=PASSWORD)
                    accounts.append(username)
                    admin.update(server.login(client, username))

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base, "session": session, "headers": dict(admin), "timeout": 30}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            # Collected rather than raised, so the run stays bounded (no shrinking) and reports every finding.
            calls.append(response.status_code)
            try:
                case.validate_response(
                    response,
                    checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
                )
            except FailureGroup as failure:
                failures.append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: "
                    + "; ".join(f"{one.title}: {one.message}"[:300] for one in failure.exceptions)
                )

    with warnings.catch_warnings(), session:
        warnings.simplefilter("ignore")
        Sequences.run(
            settings=settings(
                max_examples=SEQUENCES,
                stateful_step_count=STEPS_PER_SEQUENCE,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
    assert len(calls) >= SEQUENCES, f"only {len(calls)} calls were made"
    assert not failures, "\n".join(dict.fromkeys(failures))


def _within_the_office(document: dict[str, Any], server: Server) -> dict[str, Any]:
    """The served document, with the queue codes and counter numbers the demo office has as the only values:
    random ones would be refused (404) at the first step, and no sequence would reach a ticket's actions."""
    office = server.ctx.config.default_office
    schemas = document["components"]["schemas"]
    schemas["IssueTicketRequest"]["properties"]["queue"] = {"type": "string", "enum": sorted(office.queues)}
    schemas["IssueTicketRequest"]["properties"]["office"] = {
        "anyOf": [{"enum": [office.code]}, {"type": "null"}]
    }
    for path, item in document["paths"].items():
        if path.startswith("/api/v1/counters/{number}"):
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    if parameter["name"] == "number":
                        parameter["schema"] = {"type": "integer", "enum": sorted(office.counters)}
    return document
