"""What the API says about papers on file (photographed or scanned documents)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from queue_server.answers import Answer, Timestamp


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
