"""What the OpenAPI document says of every answer that is not a success: one error body for all 4xx
answers (api/errors.py writes it), described once and referenced by every operation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

ERROR_DESCRIPTION = (
    "Không thực hiện được: dữ liệu sai, thiếu hoặc sai thông tin đăng nhập, không có quyền, không tìm thấy, "
    "xung đột hoặc gửi quá nhiều — `error.code` nói lý do. / Refused: bad input, missing or wrong "
    "credentials, not allowed, not found, a conflict or too many requests; `error.code` says which."
)


class ErrorDetail(BaseModel):
    code: str = Field(description="what went wrong, for programs, e.g. 'ticket_not_found'")
    message_vi: str = Field(description="for people, in Vietnamese")
    message_en: str = Field(description="for people, in English")
    details: dict[str, Any] = Field(
        default_factory=dict, description="e.g. {'fields': [{'field', 'problem'}]} for invalid input"
    )


class ErrorBody(BaseModel):
    """Every 4xx answer of the API."""

    error: ErrorDetail
    code: str = Field(description="a copy of error.code, for clients that read only the top level")
    message: str = Field(description="a copy of error.message_vi")
    message_en: str = Field(description="a copy of error.message_en")


def describe_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation answers 4XX with ErrorBody (validation errors included: api/errors.py rewrites
    them into it, so FastAPI's own 422 description would be wrong)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components["ErrorBody"] = body
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    answer = {
        "description": ERROR_DESCRIPTION,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.pop("422", None)
            responses["4XX"] = answer
    return schema


def file_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route that answers a file (a page image, a PDF, a QR): its media types, as bytes."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": {media: binary for media in media_types}}}


STORAGE_FULL: dict[int | str, dict[str, Any]] = {
    507: {
        "description": "Hết chỗ lưu giấy tờ; không có gì được lưu. / No room left for documents; nothing stored.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
}


# A submitted dossier's code opens its reads; its ticket's id, the ticket's actions. Declared (OpenAPI links)
# so clients and the stateful schemathesis run (tests/security) chain them.
_DOSSIER_CODE = {"code": "$response.body#/dossier/code"}
_DOSSIER_TICKET = {"ticket_id": "$response.body#/ticket/id"}
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("/api/v1/dossiers", "post", "201"): {
        "GetDossier": ("/api/v1/dossiers/{code}", _DOSSIER_CODE),
        "GetReceipt": ("/api/v1/dossiers/{code}/receipt", _DOSSIER_CODE),
        "GetTicket": ("/api/v1/tickets/{ticket_id}", _DOSSIER_TICKET),
    },
}


def describe_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds LINKS to the success answers they start from (by operationId, which FastAPI generates)."""
    paths = schema.get("paths", {})
    for (path, method, status), links in LINKS.items():
        answer = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if answer is None:
            continue
        answer["links"] = {
            name: {"operationId": paths[target]["get"]["operationId"], "parameters": parameters}
            for name, (target, parameters) in links.items()
            if "get" in paths.get(target, {})
        }
    return schema
