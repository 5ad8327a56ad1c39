"""the citizen's phone: message contacts and outbox, one-time codes, remote tickets, phone bookings

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import queue_server.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = queue_server.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_contact",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=True),
        sa.Column("notify_ahead", sa.Integer(), nullable=False),
        sa.Column("consent_at", UTC_TIME, nullable=False),
        sa.Column("purged_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_contact")),
    )
    op.create_index("ix_message_contact_open", "message_contact", ["office", "address", "purged_at"])
    op.create_index(op.f("ix_message_contact_ticket_id"), "message_contact", ["ticket_id"])
    op.create_index(op.f("ix_message_contact_appointment_id"), "message_contact", ["appointment_id"])
    op.create_table(
        "message_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("claimed_at", UTC_TIME, nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("text", sa.String(length=640), nullable=True),
        sa.Column("provider_id", sa.String(length=80), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("delivered_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_message_outbox_key")),
    )
    op.create_index("ix_message_outbox_due", "message_outbox", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_message_outbox_contact_id"), "message_outbox", ["contact_id"])
    op.create_index(op.f("ix_message_outbox_ticket_id"), "message_outbox", ["ticket_id"])
    op.create_index(op.f("ix_message_outbox_provider_id"), "message_outbox", ["provider_id"])
    op.create_table(
        "phone_code",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_code")),
    )
    op.create_index("ix_phone_code_phone", "phone_code", ["office", "phone_hash"])
    op.create_table(
        "remote_ticket",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("queue", sa.String(length=8), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_remote_ticket")),
    )
    op.create_index("ix_remote_ticket_phone", "remote_ticket", ["office", "phone_hash"])
    op.create_index("ix_remote_ticket_day", "remote_ticket", ["office", "queue", "business_day"])
    with op.batch_alter_table("appointment") as batch:
        batch.add_column(sa.Column("citizen_name", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("manage_token", sa.String(length=32), nullable=True))
        batch.create_unique_constraint(op.f("uq_appointment_manage_token"), ["manage_token"])


def downgrade() -> None:
    with op.batch_alter_table("appointment") as batch:
        batch.drop_constraint(op.f("uq_appointment_manage_token"), type_="unique")
        batch.drop_column("manage_token")
        batch.drop_column("citizen_name")
    op.drop_table("remote_ticket")
    op.drop_table("phone_code")
    op.drop_table("message_outbox")
    op.drop_table("message_contact")
