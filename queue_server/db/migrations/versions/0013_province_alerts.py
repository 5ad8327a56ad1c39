"""open alerts in the database, one row per condition (office, kind, key): with several server processes
each alert is raised once and cleared once, whichever process sees it first

Revision ID: 0013_province_alerts
Revises: 0012_console
Create Date: 2026-12-05 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_province_alerts"
down_revision: str | None = "0012_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open_alert",
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("office", "kind", "key", name=op.f("pk_open_alert")),
    )


def downgrade() -> None:
    op.drop_table("open_alert")
