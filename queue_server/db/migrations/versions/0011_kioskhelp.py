"""kiosk help: a kiosk's call for a staff member ("Gọi cán bộ hỗ trợ"), open until someone went

Revision ID: 0011_kioskhelp
Revises: 0010_chip
Create Date: 2026-12-05 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queue_server.db.base import UtcDateTime

revision: str = "0011_kioskhelp"
down_revision: str | None = "0010_chip"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "help_call",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("kiosk", sa.String(length=64), nullable=False),
        sa.Column("open_for", sa.Integer(), nullable=True),
        sa.Column("requested_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("alerted_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("presses", sa.Integer(), nullable=False),
        sa.Column("answered_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_by_name", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_call")),
        sa.UniqueConstraint("open_for", name=op.f("uq_help_call_open_for")),
    )
    with op.batch_alter_table("help_call") as batch_op:
        batch_op.create_index("ix_help_call_office", ["office", "answered_at"], unique=False)


def downgrade() -> None:
    op.drop_table("help_call")
