"""identity: kiosk claims apart from the person, officers' card checks, ID numbers and paper codes sealed

Existing citizens' facts came from kiosks, never from a checked card: they move to one claim per citizen
(source 'legacy', linked to the citizen's cases so receipts keep their names) and the person starts
unverified. Clear ID numbers and paper codes are sealed with the key derived from MOTCUA_SECRET.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 04:40:00
"""

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import queue_server.db.base
from queue_server.sealing import DECLARATION, PAPER_CODE, PERSONAL_ID, IdVault, open_json, seal_json

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UtcDateTime = queue_server.db.base.UtcDateTime


def _vault() -> IdVault:
    config = op.get_context().config
    vault = config.attributes.get("id_vault") if config is not None else None
    if isinstance(vault, IdVault):
        return vault
    from queue_server.settings import get_settings

    settings = get_settings()
    return IdVault(settings.secret, settings.old_secrets)


def upgrade() -> None:
    op.create_table(
        "citizen_claim",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizen.id"], name=op.f("fk_citizen_claim_citizen_id_citizen")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_claim")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_citizen_claim_token_hash")),
    )
    with op.batch_alter_table("citizen_claim") as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_claim_citizen_id"), ["citizen_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citizen_claim_created_at"), ["created_at"], unique=False)
    op.create_table(
        "citizen_verification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=True),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.Column("card_check", sa.String(length=16), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_verification")),
    )
    with op.batch_alter_table("citizen_verification") as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_verification_citizen_id"), ["citizen_id"], unique=False)
    with op.batch_alter_table("personal_data_access") as batch_op:
        batch_op.add_column(sa.Column("route", sa.String(length=120), nullable=True))

    with op.batch_alter_table("citizen") as batch_op:
        batch_op.add_column(sa.Column("personal_id_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("personal_id_enc", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("personal_id_key", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("verified_at", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verified_by", sa.String(length=64), nullable=True))
        batch_op.alter_column("full_name", existing_type=sa.String(length=120), nullable=True)
    with op.batch_alter_table("document") as batch_op:
        batch_op.add_column(sa.Column("code_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("code_enc", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("code_key", sa.String(length=16), nullable=True))
    with op.batch_alter_table("dossier") as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dossier_claim_id"), ["claim_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_dossier_claim_id_citizen_claim"), "citizen_claim", ["claim_id"], ["id"]
        )

    _seal_existing_rows(_vault())

    with op.batch_alter_table("citizen") as batch_op:
        batch_op.drop_constraint("uq_citizen_personal_id", type_="unique")
        batch_op.drop_column("personal_id")
        batch_op.alter_column("personal_id_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("personal_id_enc", existing_type=sa.String(length=160), nullable=False)
        batch_op.alter_column("personal_id_key", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_citizen_personal_id_hash"), ["personal_id_hash"])
    with op.batch_alter_table("document") as batch_op:
        batch_op.drop_column("code")
        batch_op.alter_column("code_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("code_enc", existing_type=sa.String(length=160), nullable=False)
        batch_op.alter_column("code_key", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index(batch_op.f("ix_document_code_hash"), ["code_hash"], unique=False)


def _seal_existing_rows(vault: IdVault) -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)  # a migration has no injected clock; this only stamps the legacy claims
    citizens = connection.execute(
        sa.text("SELECT id, personal_id, full_name, birth_date, sex, address FROM citizen")
    ).all()
    for row in citizens:
        sealed = vault.seal(row.personal_id, PERSONAL_ID)
        connection.execute(
            sa.text(
                "UPDATE citizen SET personal_id_hash = :h, personal_id_enc = :e, personal_id_key = :k, "
                "full_name = NULL, birth_date = NULL, sex = NULL, address = NULL WHERE id = :id"
            ),
            {"h": sealed.lookup, "e": sealed.ciphertext, "k": sealed.key_id, "id": row.id},
        )
        token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()  # nobody holds this token
        claim_id = connection.execute(
            sa.text(
                "INSERT INTO citizen_claim (token_hash, citizen_id, source, full_name, birth_date, sex, "
                "address, created_by, created_at) VALUES (:t, :c, 'legacy', :n, :b, :s, :a, 'migration', :at) "
                "RETURNING id"
            ),
            {
                "t": token_hash,
                "c": row.id,
                "n": row.full_name,
                "b": row.birth_date,
                "s": row.sex,
                "a": row.address,
                "at": now,
            },
        ).scalar_one()
        connection.execute(
            sa.text("UPDATE dossier SET claim_id = :claim WHERE citizen_id = :c"),
            {"claim": claim_id, "c": row.id},
        )
    forms = sa.text("UPDATE dossier SET form_data = :f WHERE id = :id").bindparams(
        sa.bindparam("f", type_=sa.JSON)
    )
    for row in connection.execute(
        sa.text("SELECT id, form_data FROM dossier WHERE form_data IS NOT NULL")
    ).all():
        value = json.loads(row.form_data) if isinstance(row.form_data, str) else row.form_data
        if isinstance(value, dict) and "sealed" not in value:
            connection.execute(forms, {"f": seal_json(vault, value, DECLARATION), "id": row.id})
    for row in connection.execute(sa.text("SELECT id, code FROM document")).all():
        sealed = vault.seal(row.code, PAPER_CODE)
        connection.execute(
            sa.text("UPDATE document SET code_hash = :h, code_enc = :e, code_key = :k WHERE id = :id"),
            {"h": sealed.lookup, "e": sealed.ciphertext, "k": sealed.key_id, "id": row.id},
        )


def downgrade() -> None:
    vault = _vault()
    connection = op.get_bind()
    with op.batch_alter_table("citizen") as batch_op:
        batch_op.add_column(sa.Column("personal_id", sa.String(length=12), nullable=True))
    with op.batch_alter_table("document") as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=48), nullable=True))
    for row in connection.execute(sa.text("SELECT id, personal_id_enc, personal_id_key FROM citizen")).all():
        clear = vault.open(row.personal_id_enc, row.personal_id_key, PERSONAL_ID)
        connection.execute(
            sa.text("UPDATE citizen SET personal_id = :p WHERE id = :id"), {"p": clear, "id": row.id}
        )
    for row in connection.execute(sa.text("SELECT id, code_enc, code_key FROM document")).all():
        clear = vault.open(row.code_enc, row.code_key, PAPER_CODE)
        connection.execute(
            sa.text("UPDATE document SET code = :c WHERE id = :id"), {"c": clear, "id": row.id}
        )
    forms = sa.text("UPDATE dossier SET form_data = :f WHERE id = :id").bindparams(
        sa.bindparam("f", type_=sa.JSON)
    )
    for row in connection.execute(
        sa.text("SELECT id, form_data FROM dossier WHERE form_data IS NOT NULL")
    ).all():
        value = json.loads(row.form_data) if isinstance(row.form_data, str) else row.form_data
        if isinstance(value, dict) and "sealed" in value:
            connection.execute(forms, {"f": open_json(vault, value, DECLARATION), "id": row.id})
    connection.execute(
        sa.text(
            "UPDATE citizen SET full_name = (SELECT c.full_name FROM citizen_claim c WHERE c.citizen_id = "
            "citizen.id ORDER BY c.id DESC LIMIT 1) WHERE full_name IS NULL"
        )
    )
    connection.execute(sa.text("UPDATE citizen SET full_name = '' WHERE full_name IS NULL"))
    with op.batch_alter_table("dossier") as batch_op:
        batch_op.drop_constraint("fk_dossier_claim_id_citizen_claim", type_="foreignkey")
        batch_op.drop_index("ix_dossier_claim_id")
        batch_op.drop_column("claim_id")
    with op.batch_alter_table("document") as batch_op:
        batch_op.drop_index("ix_document_code_hash")
        batch_op.drop_column("code_hash")
        batch_op.drop_column("code_enc")
        batch_op.drop_column("code_key")
        batch_op.alter_column("code", existing_type=sa.String(length=48), nullable=False)
    with op.batch_alter_table("citizen") as batch_op:
        batch_op.drop_constraint("uq_citizen_personal_id_hash", type_="unique")
        for column in (
            "personal_id_hash",
            "personal_id_enc",
            "personal_id_key",
            "verified_at",
            "verified_by",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column("personal_id", existing_type=sa.String(length=12), nullable=False)
        batch_op.alter_column("full_name", existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint("uq_citizen_personal_id", ["personal_id"])
    with op.batch_alter_table("personal_data_access") as batch_op:
        batch_op.drop_column("route")
    op.drop_table("citizen_verification")
    op.drop_table("citizen_claim")
