"""Who is asking: a signed-in person or a device, with its role."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    STAFF = "staff"
    KIOSK = "kiosk"
    DISPLAY = "display"


PEOPLE = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.STAFF})
DEVICES = frozenset({Role.KIOSK, Role.DISPLAY})
MANAGERS = frozenset({Role.ADMIN, Role.SUPERVISOR})


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" or "device"
    id: int
    name: str
    role: Role
    office: str | None = None
    route: str | None = None  # the API route asking (e.g. "GET /api/v1/dossiers"): the why of a data read

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGERS
