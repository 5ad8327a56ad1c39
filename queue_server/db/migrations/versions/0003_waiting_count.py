"""waiting count per office, queue and business day, filled from the tickets waiting now

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_waiting_count",
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("queue", sa.String(length=8), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office", "queue", "business_day", name=op.f("pk_ticket_waiting_count")),
    )
    op.execute(
        "INSERT INTO ticket_waiting_count (office, queue, business_day, waiting) "
        "SELECT office, queue, business_day, count(*) FROM ticket WHERE status = 'waiting' "
        "GROUP BY office, queue, business_day"
    )


def downgrade() -> None:
    op.drop_table("ticket_waiting_count")
