"""What every use case needs, built once by a program's composition root."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from queue_server.clock import Clock
from queue_server.config import SystemConfig
from queue_server.db.engine import Database
from queue_server.events.hub import EventHub
from queue_server.events.outbox import AfterWrite, Outbox
from queue_server.sealing import IdVault
from queue_server.settings import ServerSettings


@dataclass
class ServerContext:
    db: Database
    config: SystemConfig
    clock: Clock
    hub: EventHub
    settings: ServerSettings
    # What runs with a transaction's events as they are written (the citizen's messages are planned so);
    # given by the composition root (bootstrap.py).
    after_events: Sequence[AfterWrite] = ()

    def new_outbox(self) -> Outbox:
        return Outbox(after_write=self.after_events)

    @cached_property
    def ids(self) -> IdVault:
        """Hashes and seals ID numbers and paper codes with keys derived from the secret."""
        return IdVault(self.settings.secret, self.settings.old_secrets)
