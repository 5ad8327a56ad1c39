"""What every use case needs, built once by a program's composition root."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from queue_server.citizens.crypto import IdVault
from queue_server.clock import Clock
from queue_server.config import SystemConfig
from queue_server.db.engine import Database
from queue_server.events.hub import EventHub
from queue_server.settings import ServerSettings


@dataclass
class ServerContext:
    db: Database
    config: SystemConfig
    clock: Clock
    hub: EventHub
    settings: ServerSettings

    @cached_property
    def ids(self) -> IdVault:
        """Hashes and seals ID numbers and paper codes with keys derived from the secret."""
        return IdVault(self.settings.secret, self.settings.old_secrets)
