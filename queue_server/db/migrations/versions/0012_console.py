"""transfers to a counter: a ticket remembers the counter it was sent to and the counter that sent it away
(until it is called); a counter remembers when its console was last connected (auto-pause "mất kết nối")

Revision ID: 0012_console
Revises: 0011_kioskhelp (merged from main)
Create Date: 2026-12-05 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_console"
down_revision: str | None = "0011_kioskhelp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("for_counter", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("from_counter", sa.Integer(), nullable=True))
    with op.batch_alter_table("counter_state") as batch:
        batch.add_column(sa.Column("console_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counter_state") as batch:
        batch.drop_column("console_seen_at")
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("from_counter")
        batch.drop_column("for_counter")
