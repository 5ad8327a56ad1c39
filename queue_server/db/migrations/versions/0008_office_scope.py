"""office scope: each person belongs to an office (devices already do); refusals to act outside one's offices

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-05 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queue_server.db.base import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing people keep office NULL, read as the config's first (root) office: no config is needed here.
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(sa.Column("office", sa.String(length=16), nullable=True))
    op.create_table(
        "access_refusal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_office", sa.String(length=16), nullable=True),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("route", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_refusal")),
    )
    with op.batch_alter_table("access_refusal") as batch_op:
        batch_op.create_index(batch_op.f("ix_access_refusal_at"), ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("access_refusal")
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("office")
