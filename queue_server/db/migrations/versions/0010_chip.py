"""chip challenges: one-time nonces a device asks for before a chip read, signed by the chip (active
authentication) so that a captured read cannot be replayed

Revision ID: 0010_chip
Revises: 0009
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queue_server.db.base import UtcDateTime

revision: str = "0010_chip"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chip_challenge",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nonce", sa.String(length=16), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chip_challenge")),
        sa.UniqueConstraint("nonce", name=op.f("uq_chip_challenge_nonce")),
    )
    with op.batch_alter_table("chip_challenge") as batch_op:
        batch_op.create_index(batch_op.f("ix_chip_challenge_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chip_challenge") as batch_op:
        batch_op.drop_index(batch_op.f("ix_chip_challenge_expires_at"))
    op.drop_table("chip_challenge")
