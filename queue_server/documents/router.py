"""Document upload (multipart, by the kiosk or the counter) and audited reads by staff."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Response, UploadFile, status

from queue_server.api.deps import Issuers, People, ServicesDep
from queue_server.api.openapi import STORAGE_FULL, file_answer
from queue_server.api.params import RowId
from queue_server.citizens.schemas import DocumentView
from queue_server.documents.service import UploadedFile

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])
READ_CHUNK = 1024 * 1024
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    """Read at most limit+1 bytes, so a huge upload is refused without holding all of it."""
    chunks, size = [], 0
    while size <= limit:
        chunk = await upload.read(READ_CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DocumentView, responses=STORAGE_FULL)
async def upload_document(
    services: ServicesDep,
    actor: Issuers,
    citizen_id: Annotated[str, Form(min_length=12, max_length=12)],
    type: Annotated[str, Form(min_length=1, max_length=32)],
    files: Annotated[list[UploadFile], File(description="the pages, in order")],
    issued_on: Annotated[date | None, Form()] = None,
    valid_until: Annotated[date | None, Form()] = None,
    source: Annotated[str, Form(max_length=16)] = "kiosk",
) -> dict[str, Any]:
    """One paper with its pages in order (JPEG, PNG or PDF, checked from the bytes)."""
    limit = services.cases.catalogue.settings.max_file_bytes
    uploads = [
        UploadedFile(name=f.filename or "", content_type=f.content_type, data=await _read_limited(f, limit))
        for f in files
    ]
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(
        lambda: services.cases.documents.upload(
            actor=actor,
            personal_id=citizen_id,
            type_code=type,
            files=uploads,
            issued_on=issued_on,
            valid_until=valid_until,
            source=source,
        )
    )


@router.get("/{document_id}", response_model=DocumentView)
def get_document(document_id: RowId, services: ServicesDep, actor: People) -> dict[str, Any]:
    return services.cases.documents.get(actor=actor, document_id=document_id)


@router.get(
    "/{document_id}/pages/{number}",
    response_class=Response,
    responses=file_answer("the page as stored", "image/jpeg", "image/png", "application/pdf"),
)
def get_page(
    document_id: RowId,
    number: Annotated[int, Path(ge=1, le=1000)],
    services: ServicesDep,
    actor: People,
) -> Response:
    data, media_type = services.cases.documents.page(actor=actor, document_id=document_id, number=number)
    # Images are shown in the console as rendered pictures; anything else (a PDF) is only downloaded, never
    # opened inside the server's own origin.
    shown_inline = media_type in INLINE_TYPES
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(media_type, "bin")
    disposition = "inline" if shown_inline else "attachment"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'{disposition}; filename="giay-to-{document_id}-trang-{number}.{extension}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
