"""Key rotation: re-seal every ID number and paper code under the current MOTCUA_SECRET.

`motcua keys rotate --old-secret OLD` (MOTCUA_SECRET already the new one): rows sealed under any key the
vault can read are opened and sealed again, with new look-up hashes, one transaction per batch. Until it
has run, the server reads both (MOTCUA_OLD_SECRETS); afterwards the old secret can be forgotten. The command
line is in `citizens/cli.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from queue_server.db.unit_of_work import Storage, UnitOfWork
from queue_server.sealing import (
    DECLARATION,
    PAPER_CODE,
    PERSONAL_ID,
    IdVault,
    open_json,
    seal_json,
)
from queue_server.tables.citizens import Citizen
from queue_server.tables.documents import Document
from queue_server.tables.dossiers import Dossier

BATCH = 500


@dataclass(frozen=True)
class RotationReport:
    key_id: str
    citizens: int
    documents: int
    declarations: int


def rotate(storage: Storage, vault: IdVault) -> RotationReport:
    """Re-seal what is not under the current key; safe to run again (it then finds nothing)."""
    citizens = documents = 0
    while True:
        with UnitOfWork(storage) as tx:
            session = tx.session
            rows = list(
                session.scalars(select(Citizen).where(Citizen.personal_id_key != vault.key_id).limit(BATCH))
            )
            for citizen in rows:
                sealed = vault.seal(
                    vault.open(citizen.personal_id_enc, citizen.personal_id_key, PERSONAL_ID), PERSONAL_ID
                )
                citizen.personal_id_enc, citizen.personal_id_key = sealed.ciphertext, sealed.key_id
                citizen.personal_id_hash = sealed.lookup
        citizens += len(rows)
        if len(rows) < BATCH:
            break
    while True:
        with UnitOfWork(storage) as tx:
            session = tx.session
            papers = list(
                session.scalars(select(Document).where(Document.code_key != vault.key_id).limit(BATCH))
            )
            for document in papers:
                sealed = vault.seal(vault.open(document.code_enc, document.code_key, PAPER_CODE), PAPER_CODE)
                document.code_enc, document.code_key, document.code_hash = (
                    sealed.ciphertext,
                    sealed.key_id,
                    sealed.lookup,
                )
        documents += len(papers)
        if len(papers) < BATCH:
            break
    forms = _rotate_declarations(storage, vault)
    return RotationReport(vault.key_id, citizens, documents, forms)


def _rotate_declarations(storage: Storage, vault: IdVault) -> int:
    """Declarations sit sealed inside a JSON column: walk them by id and re-seal the ones not current."""
    resealed, after = 0, 0
    while True:
        with UnitOfWork(storage) as tx:
            session = tx.session
            rows = list(
                session.scalars(
                    select(Dossier)
                    .where(Dossier.id > after, Dossier.form_data.is_not(None))
                    .order_by(Dossier.id)
                    .limit(BATCH)
                )
            )
            for dossier in rows:
                stored = dossier.form_data
                if stored is not None and stored.get("key") != vault.key_id:
                    opened = open_json(vault, stored, DECLARATION)
                    dossier.form_data = seal_json(vault, opened, DECLARATION)
                    resealed += 1
        if len(rows) < BATCH:
            return resealed
        after = rows[-1].id
