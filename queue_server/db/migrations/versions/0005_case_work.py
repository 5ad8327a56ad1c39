"""case work at the counter: the officer's checks, papers on file only once checked in a settled case,
the due date before a late-handling extension

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import queue_server.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dossier_check",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("checked_by", sa.String(length=64), nullable=False),
        sa.Column("checked_at", queue_server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_check_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_check")),
        sa.UniqueConstraint("dossier_id", "subject", name="uq_dossier_check_subject"),
    )
    with op.batch_alter_table("dossier_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_check_dossier_id"), ["dossier_id"], unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_file_at", queue_server.db.base.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_due_date", sa.Date(), nullable=True))
    # Papers the office issued were always on file; papers that merely served a case are not (the old rule
    # counted them from submission, even in refused cases), so they start off the file.
    op.execute("UPDATE document SET on_file_at = created_at WHERE source = 'issued'")


def downgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("original_due_date")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("on_file_at")
    with op.batch_alter_table("dossier_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_check_dossier_id"))
    op.drop_table("dossier_check")
