"""What the API says about citizens: a kiosk's claim, the officer-checked person, their papers."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from queue_server.answers import Answer, Timestamp


class ClaimWarning(Answer):
    code: str
    message_vi: str
    message_en: str


class ClaimAnswer(Answer):
    """A kiosk's claim: a token for the case it is about to submit, never a person's record."""

    claim: str
    source: str
    personal_id_masked: str
    full_name: str | None
    birth_date: date | None
    sex: str | None
    address: str | None
    papers_on_file: bool
    person_updated: bool
    warnings: list[ClaimWarning]
    chip_check: list[str] | None = None  # read from the chip: what its checks found
    chip_live: bool | None = Field(default=None, description="the chip signed the server's challenge")


class CitizenView(Answer):
    personal_id: str
    personal_id_masked: str
    full_name: str | None
    birth_date: date | None
    sex: str | None
    address: str | None
    verified: bool
    verified_at: Timestamp | None
    verified_by: str | None


class VerifiedCitizen(CitizenView):
    changed: list[str]


class CitizenDossier(Answer):
    code: str
    procedure: str
    status: str
    submitted_at: Timestamp


class CitizenWithDossiers(CitizenView):
    dossiers: list[CitizenDossier]


# Papers on file (photographed or scanned documents): the documents router shows one, the citizens router
# lists them and checks them against a procedure.
class PageView(Answer):
    number: int
    sha256: str
    media_type: str
    size: int


class DocumentView(Answer):
    id: int
    code: str = Field(description="masked: the full code is for the case view")
    type: str
    type_name_vi: str
    type_name_en: str
    personal_id_masked: str
    issued_on: date | None
    valid_until: date | None
    source: str
    on_file: bool
    created_at: Timestamp
    pages: list[PageView]


class HeldPaper(Answer):
    id: int
    valid_until: date | None
    pages: int


class ChecklistPaper(Answer):
    type: str
    name_vi: str
    name_en: str
    originals: int
    copies: int
    optional: bool
    note_vi: str
    note_en: str
    status: str
    document: HeldPaper | None
    needed: bool


class PaperChecklist(Answer):
    """For one procedure: each paper it asks for, whether one on file can be used, what is still needed."""

    procedure: str
    personal_id_masked: str
    papers_on_file: bool
    papers: list[ChecklistPaper]
    needed: list[str]


class CitizenDocuments(Answer):
    documents: list[DocumentView]
