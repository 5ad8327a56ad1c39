"""One-time challenges for chip reads. A device asks for a nonce just before it reads a card; the chip signs
it (active authentication) and the server checks that signature against the card's DG15. A read captured
earlier carries a signature over an old nonce, so it cannot pass as a card laid on the reader now."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from devices.chip.active_auth import CHALLENGE_BYTES
from queue_server.auth.principal import Principal
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.errors import InvalidInput
from queue_server.tables.citizens import ChipChallenge

LIFETIME = timedelta(seconds=120)  # typing the CAN comes first; a read then takes a few seconds
KEEP_EXPIRED = timedelta(minutes=10)  # old rows are swept when new challenges are given


def issue(ctx: ServerContext, actor: Principal) -> tuple[str, int]:
    """A fresh nonce for this device (hex) and its lifetime in seconds."""
    nonce = secrets.token_hex(CHALLENGE_BYTES)
    with UnitOfWork(ctx) as tx:
        tx.session.execute(delete(ChipChallenge).where(ChipChallenge.expires_at < tx.now - KEEP_EXPIRED))
        tx.session.add(
            ChipChallenge(
                nonce=nonce, device=actor.label[:64], created_at=tx.now, expires_at=tx.now + LIFETIME
            )
        )
    return nonce, int(LIFETIME.total_seconds())


def consume(ctx: ServerContext, nonce: str, actor: Principal) -> bytes:
    """Use the nonce up: it must be this device's, unused and unexpired; else 422 saying which."""
    with UnitOfWork(ctx) as tx:
        taken = cast(
            CursorResult[Any],
            tx.session.execute(
                update(ChipChallenge)
                .where(
                    ChipChallenge.nonce == nonce,
                    ChipChallenge.device == actor.label[:64],
                    ChipChallenge.used_at.is_(None),
                    ChipChallenge.expires_at > tx.now,
                )
                .values(used_at=tx.now)
            ),
        ).rowcount
        if taken == 1:
            return bytes.fromhex(nonce)
        row = tx.session.scalars(select(ChipChallenge).where(ChipChallenge.nonce == nonce)).one_or_none()
    if row is None or row.device != actor.label[:64]:
        why = "this server did not give that challenge to this device"
    elif row.used_at is not None:
        why = "the challenge was already used (each read needs a new one)"
    else:
        why = "the challenge expired"
    raise InvalidInput(
        "chip_challenge_invalid",
        "Phiên đọc thẻ không còn hiệu lực; mời Ông/Bà đặt thẻ lên đầu đọc lại.",
        f"The chip read's challenge is not valid: {why}. Ask for a new one and read the card again.",
    )
