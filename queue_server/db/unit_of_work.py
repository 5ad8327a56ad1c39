"""The life of a use case's transaction, in one place.

    with UnitOfWork(ctx) as tx:          # a write: SQLite BEGIN IMMEDIATE / PostgreSQL READ COMMITTED
        ticket = repo.load(tx, ticket_id)
        tx.outbox.add(type=..., office=..., at=tx.now, data=...)
    # committed here; the events went to the hub after the commit, never before

A Transaction owns the session, the outbox, one clock reading (`tx.now`: every row and event of the use
case carries the same time), a typed cache that lives as long as the transaction (`tx.cached(SLOT)`), and the
work to do just before commit (`tx.before_commit`; the outbox is always written last, after every row lock
the use case took, so two transactions never wait on each other in a cycle).

One retry policy: `UnitOfWork.retrying(ctx, work)` runs the whole transaction again when it lost a race on a
unique key (two kiosks sending the same idempotency key at once on PostgreSQL): the second run finds what
the winner wrote. `first_won(...)` retries a choice inside one transaction when another counter took the
chosen ticket meanwhile ("ticket_taken").
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queue_server.db.engine import Database
from queue_server.domain.errors import DomainError

T = TypeVar("T")
C = TypeVar("C")
DUPLICATE_ATTEMPTS = 3  # a unique-key race: the second run finds the winner's row
CHOICE_ATTEMPTS = 20  # a chosen row taken meanwhile (PostgreSQL): choose again
LOST_RACE = "ticket_taken"


class Publisher(Protocol):
    def publish(self, events: list[dict[str, Any]]) -> None: ...


class OutboxPort(Protocol):
    """The events of one transaction (events/outbox.py): added by the use case, written last, published
    after the commit. The unit of work asks its Storage for one, so db/ never imports events/."""

    events: list[dict[str, Any]]  # written, with their seq: what is published after the commit

    def add(self, *, type: str, office: str, at: datetime, data: dict[str, Any]) -> None: ...

    def write(self, tx: Transaction) -> None: ...


class NoEvents:
    """The outbox of a Storage that publishes nothing (StorageParts): adding an event is a mistake."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, *, type: str, office: str, at: datetime, data: dict[str, Any]) -> None:
        raise RuntimeError(f"event {type!r}: this unit of work has no outbox (StorageParts)")

    def write(self, tx: Transaction) -> None:
        return None


class Storage(Protocol):
    """What a unit of work needs from the server context."""

    def new_outbox(self) -> OutboxPort: ...

    @property
    def db(self) -> Database: ...

    @property
    def hub(self) -> Publisher | None: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...


@dataclass(frozen=True)
class StorageParts:
    """A Storage for services built without the whole server context: auth (no events), the event log's
    own use cases (alerts: given the server's outbox and hub)."""

    db: Database
    clock: Callable[[], datetime]
    hub: Publisher | None = None
    outbox: Callable[[], OutboxPort] = NoEvents  # with a hub: the events/ outbox that writes them

    def new_outbox(self) -> OutboxPort:
        return self.outbox()


class Slot(Generic[T]):
    """One typed entry of a transaction's cache; `factory` builds its empty value on first use."""

    def __init__(self, name: str, factory: Callable[[], T]) -> None:
        self.name = name
        self.factory = factory

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class Transaction:
    def __init__(self, session: Session, now: datetime, *, writable: bool, outbox: OutboxPort) -> None:
        self.session = session
        self.now = now
        self.writable = writable
        self.outbox = outbox
        self._cache: dict[Slot[Any], Any] = {}
        self._hooks: list[Callable[[Transaction], None]] = []
        self._connection: Connection | None = None

    def connection(self) -> Connection:
        """The connection the transaction runs on (db/prepared.py runs statements straight on it)."""
        if self._connection is None:
            self._connection = self.session.connection()
        return self._connection

    def cached(self, slot: Slot[T]) -> T:
        if slot not in self._cache:
            self._cache[slot] = slot.factory()
        value: T = self._cache[slot]
        return value

    def peek(self, slot: Slot[T]) -> T | None:
        value: T | None = self._cache.get(slot)
        return value

    def drop(self, slot: Slot[Any]) -> None:
        self._cache.pop(slot, None)

    def before_commit(self, hook: Callable[[Transaction], None]) -> None:
        """Run `hook` at the end of the transaction, before the outbox is written and it commits."""
        if not self.writable:
            raise RuntimeError("a read-only transaction has nothing to commit")
        self._hooks.append(hook)

    def _finish(self) -> None:
        for hook in self._hooks:
            hook(self)
        self._hooks = []
        self.outbox.write(self)


class UnitOfWork(AbstractContextManager[Transaction]):
    """`with UnitOfWork(ctx) as tx`: one write transaction; `read_only=True`: a read with the same cache."""

    def __init__(self, ctx: Storage, *, read_only: bool = False) -> None:
        self.ctx = ctx
        self.read_only = read_only
        self._session_scope: AbstractContextManager[Session] | None = None
        self._tx: Transaction | None = None

    def __enter__(self) -> Transaction:
        scope = self.ctx.db.read() if self.read_only else self.ctx.db.write()
        session = scope.__enter__()
        self._session_scope = scope
        self._tx = Transaction(
            session, self.ctx.clock(), writable=not self.read_only, outbox=self.ctx.new_outbox()
        )
        return self._tx

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool | None:
        scope, tx = self._session_scope, self._tx
        assert scope is not None and tx is not None
        self._session_scope = self._tx = None
        if error is None and not self.read_only:
            try:
                tx._finish()
            except BaseException as failure:
                if not scope.__exit__(type(failure), failure, failure.__traceback__):
                    raise
                return None
        scope.__exit__(kind, error, trace)  # commits (or rolls back) and closes the session
        if error is None and tx.outbox.events:
            hub = self.ctx.hub
            if hub is None:
                raise RuntimeError("events were written but this unit of work has no hub to publish them")
            hub.publish(tx.outbox.events)
        return None

    @classmethod
    def retrying(
        cls, ctx: Storage, work: Callable[[Transaction], T], *, attempts: int = DUPLICATE_ATTEMPTS
    ) -> T:
        """Run `work` in a transaction; when it lost a unique-key race (IntegrityError), run it again."""
        for attempt in range(attempts):
            try:
                with cls(ctx) as tx:
                    return work(tx)
            except IntegrityError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")


def first_won(choose: Callable[[], C | None], take: Callable[[C], None], *, busy: DomainError) -> C | None:
    """Choose and take a row; when another transaction took the chosen one first, choose again."""
    for _ in range(CHOICE_ATTEMPTS):
        chosen = choose()
        if chosen is None:
            return None
        try:
            take(chosen)
        except DomainError as error:
            if error.code == LOST_RACE:
                continue
            raise
        return chosen
    raise busy
