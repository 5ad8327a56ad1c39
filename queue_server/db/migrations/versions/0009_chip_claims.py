"""chip claims: a claim's source names the chip's verdict (chip-genuine, chip-not-verifiable), and keeps the
chip's face photo for the officer

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("citizen_claim") as batch:
        batch.alter_column("source", existing_type=sa.String(8), type_=sa.String(24), existing_nullable=False)
        batch.add_column(sa.Column("face_image", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("face_format", sa.String(12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("citizen_claim") as batch:
        batch.drop_column("face_format")
        batch.drop_column("face_image")
        batch.alter_column("source", existing_type=sa.String(24), type_=sa.String(8), existing_nullable=False)
