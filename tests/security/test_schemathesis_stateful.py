"""Sequences of calls, not single probes: schemathesis's state machine over /openapi.json chains operations
by the links the document declares (a submitted dossier's code to its reads: api/openapi.py) and those it
infers (an issued ticket's id fed to its actions, a listed account's name to its admin actions) against a real
server (uvicorn, HTTP) on SQLite and on PostgreSQL. Over the whole run no answer may be a server error (5xx),
and every answer must fit what the document says of it.

Every sequence starts from the same state: the database as it was at the start (StartState), a fresh
server (services, login throttles, caches, a clock stopped at T0, its own page-file folder) and a fresh HTTP
session. Hypothesis
replays the beginnings of earlier sequences to reach new ones and requires each replay to meet the same
answers; with state carried over from one sequence to the next it did not (a bundle filled or empty, a
rule enabled or not) and the run failed with `FlakyStrategyDefinition`.

Bounded: SEQUENCES sequences of up to STEPS_PER_SEQUENCE calls per database. Reproducible: the same
sequences every run (derandomize); `pytest --hypothesis-seed=N` explores others."""

from __future__ import annotations

import asyncio
import shutil
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.app import build_context, create_app
from queue_server.clock import ManualClock
from tests.conftest import T0, DatabaseCopies
from tests.support import free_port, make_server, server_settings, wait_for

SEQUENCES = 100
STEPS_PER_SEQUENCE = 6

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


def test_no_sequence_of_calls_meets_a_server_error(
    database_copies: DatabaseCopies, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import schemathesis
    from hypothesis import HealthCheck, Phase, settings

    board = Switchboard()
    run = Run()

    def serve(url: str, resources: ExitStack) -> None:
        """A server of its own on this database (the app, its services, its clock at T0, its page files),
        served until `resources` close."""
        files = tmp_path / f"files-{run.sequences}"
        resources.callback(shutil.rmtree, files, ignore_errors=True)
        ctx = build_context(server_settings(url, files_dir=files), ManualClock(T0))
        resources.callback(ctx.db.dispose)
        resources.enter_context(board.serving(create_app(ctx)))

    with ExitStack() as resources:
        base = resources.enter_context(running(board))
        start = resources.enter_context(database_copies(None))
        # The state every sequence starts from: the test accounts, and the admin signed in.
        with ExitStack() as first, httpx.Client(base_url=base) as client:
            server = make_server(start, ManualClock(T0), files_dir=tmp_path / "files")
            first.callback(server.ctx.db.dispose)
            first.enter_context(board.serving(server.app))
            admin = server.login(client, "admin")
            office = server.ctx.config.default_office
            document = within_the_office(client.get("/openapi.json").json(), office)

        databases = StartState(database_copies, start, resources)

        def fresh_server(sequence: ExitStack) -> None:
            serve(databases.fresh(sequence), sequence)

        machine = sequences_of(schemathesis.openapi.from_dict(document), base, admin, fresh_server, run)
        seed = request.config.getoption("hypothesis_seed", default=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            machine.run(
                settings=settings(
                    max_examples=SEQUENCES,
                    stateful_step_count=STEPS_PER_SEQUENCE,
                    phases=[Phase.generate],
                    deadline=None,
                    database=None,
                    derandomize=seed is None,
                    suppress_health_check=list(HealthCheck),
                )
            )
    assert run.sequences >= SEQUENCES, f"only {run.sequences} sequences were run"
    assert len(run.calls) >= 2 * SEQUENCES, f"only {len(run.calls)} calls were made"
    assert not run.failures, "\n".join(dict.fromkeys(run.failures))


@dataclass
class Run:
    sequences: int = 0
    calls: list[int] = field(default_factory=list)  # the status of each answer
    failures: list[str] = field(default_factory=list)


def sequences_of(
    schema: Any, base: str, admin: dict[str, str], fresh_server: Callable[[ExitStack], None], run: Run
) -> Any:
    """Schemathesis's state machine, each sequence on a server of its own, as the admin."""
    import requests
    from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
    from schemathesis.core.failures import FailureGroup

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.resources = ExitStack()
            try:
                fresh_server(self.resources)
                # Cookies too start afresh.
                self.session = self.resources.enter_context(requests.Session())
            except BaseException:
                self.resources.close()
                raise
            run.sequences += 1

        def teardown(self) -> None:
            self.resources.close()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base, "session": self.session, "headers": dict(admin), "timeout": 30}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            # Collected rather than raised, so the run stays bounded (no shrinking) and reports every finding.
            run.calls.append(response.status_code)
            try:
                case.validate_response(
                    response,
                    checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
                )
            except FailureGroup as failure:
                run.failures.append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: "
                    + "; ".join(f"{one.title}: {one.message}"[:300] for one in failure.exceptions)
                )

    return Sequences


def within_the_office(document: dict[str, Any], office: Any) -> dict[str, Any]:
    """The served document, with the queue codes and counter numbers the demo office has as the only values:
    random ones would be refused (404) at the first step, and no sequence would reach a ticket's actions."""
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


class StartState:
    """Hands each sequence a database in the start state.

    SQLite: a fresh copy of the start file (about 10 ms). PostgreSQL: making a copy (CREATE DATABASE …
    TEMPLATE) and dropping it took 300–500 ms here, longer than a sequence itself, so the start database
    is brought back to its start contents instead: every row deleted, the start rows written back, every
    id sequence set back, in one transaction; then read back and compared with the start, every table and
    every sequence, so a restore that missed anything fails the test (about 40 ms in all)."""

    def __init__(self, copies: DatabaseCopies, start: str, resources: ExitStack) -> None:
        self.copies = copies
        self.start = start
        self.postgres: Restorable | None = None
        if not start.startswith("sqlite"):
            self.postgres = Restorable(start)
            resources.callback(self.postgres.close)

    def fresh(self, sequence: ExitStack) -> str:
        if self.postgres is None:
            return sequence.enter_context(self.copies(self.start))
        self.postgres.restore()
        return self.postgres.url


class Restorable:
    """A PostgreSQL database that can be brought back to the contents it had when this was made."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import MetaData, create_engine, select, text
        from sqlalchemy.pool import NullPool

        self.url = url
        self.engine = create_engine(url, poolclass=NullPool)
        metadata = MetaData()
        metadata.reflect(self.engine)
        self.tables = [table for table in metadata.sorted_tables if table.name != "alembic_version"]
        with self.engine.connect() as connection:
            sequences = connection.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            )
            self.counters = {
                name: connection.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one()
                for name in sequences
            }
            self.rows = {
                table: [dict(row) for row in connection.execute(select(table)).mappings()]
                for table in self.tables
            }
        # Children before parents; the id sequences back where they were.
        self.emptying = "; ".join(
            [f'DELETE FROM "{table.name}"' for table in reversed(self.tables)]
            + [
                f"SELECT setval('\"{name}\"', {value}, {called})"
                for name, (value, called) in self.counters.items()
            ]
        )
        # Every table's rows in a canonical order and every sequence's state, in one answer.
        self.reading = " UNION ALL ".join(
            [
                f"SELECT '{table.name}', (SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
                f'FROM "{table.name}" r)'
                for table in self.tables
            ]
            + [
                f"SELECT '{name}', (SELECT last_value || ' ' || is_called FROM \"{name}\")"
                for name in self.counters
            ]
        )
        self.start = self._contents()

    def _contents(self) -> dict[str, str]:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return {name: digest for name, digest in connection.execute(text(self.reading))}

    def restore(self) -> None:
        with self.engine.begin() as connection:
            connection.exec_driver_sql(self.emptying)
            for table, rows in self.rows.items():
                if rows:
                    connection.execute(table.insert(), rows)
        assert self._contents() == self.start, "the database did not come back to the start"

    def close(self) -> None:
        self.engine.dispose()


class Switchboard:
    """The ASGI app uvicorn serves for the whole run; behind it, the app of the current sequence.

    Each sequence gets a server of its own, and its app's lifespan (background loops, checkpoints) is run
    the way uvicorn runs it, on uvicorn's event loop: startup before its first request, shutdown after its
    last. Only the port and uvicorn itself stay, which saves starting and stopping uvicorn per sequence."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # uvicorn's own start and stop
            self.loop = asyncio.get_running_loop()
            while (await receive())["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self.app is not None, "a request between two sequences"
        await self.app(scope, receive, send)

    @contextmanager
    def serving(self, app: ASGIApp) -> Iterator[None]:
        lifespan = Lifespan(app)
        self._on_loop(lifespan.start())
        self.app = app
        try:
            yield
        finally:
            self.app = None
            self._on_loop(lifespan.stop())

    def _on_loop(self, step: Awaitable[None]) -> None:
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(_awaited(step), self.loop).result()


async def _awaited(step: Awaitable[None]) -> None:
    await step


class Lifespan:
    """One app's ASGI lifespan, driven by its messages as a server drives it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def start(self) -> None:
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.answers: asyncio.Queue[Message] = asyncio.Queue()
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.answers.put))
        await self._exchange("lifespan.startup")

    async def stop(self) -> None:
        await self._exchange("lifespan.shutdown")
        await self.task

    async def _exchange(self, event: str) -> None:
        await self.inbox.put({"type": event})
        answer = asyncio.ensure_future(self.answers.get())
        await asyncio.wait({answer, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if not answer.done():  # the lifespan ended without answering: its error
            answer.cancel()
            self.task.result()
        assert answer.result()["type"] == f"{event}.complete", answer.result()


@contextmanager
def running(app: ASGIApp) -> Iterator[str]:
    """The app under a real uvicorn on a free port."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None)
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    assert wait_for(lambda: instance.started or not thread.is_alive(), seconds=60) and instance.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join()
