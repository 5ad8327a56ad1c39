"""kiosk help withdrawn: a call nobody answered closes when its citizen leaves the kiosk (when, and why)

Revision ID: 0013_kiosk_help_withdrawn
Revises: 0013_province_alerts
Create Date: 2026-12-05 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queue_server.db.base import UtcDateTime

revision: str = "0013_kiosk_help_withdrawn"
down_revision: str | None = "0013_province_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("help_call") as batch:
        batch.add_column(sa.Column("withdrawn_at", UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("help_call") as batch:
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn_at")
