"""credential audit: who disabled, reset or rotated which account or key

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-05 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queue_server.db.base import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credential_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_audit")),
    )
    op.create_index(op.f("ix_credential_audit_at"), "credential_audit", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_credential_audit_at"), table_name="credential_audit")
    op.drop_table("credential_audit")
