"""Every 4xx answer is JSON: {"error": {"code", "message_vi", "message_en", "details"}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_server.domain.errors import DomainError


def error_body(code: str, message_vi: str, message_en: str, details: Any = None) -> dict[str, Any]:
    return {
        "error": {"code": code, "message_vi": message_vi, "message_en": message_en, "details": details or {}},
        # Flat copies for clients that read only the top level.
        "code": code,
        "message": message_vi,
        "message_en": message_en,
    }


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        body = error_body(error.code, error.message_vi, error.message_en, error.details)
        retry_after = getattr(error, "retry_after_s", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return JSONResponse(body, status_code=error.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"] if p != "body")
            problems.append({"field": where, "problem": item["msg"]})
        listing = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        body = error_body(
            "invalid_request",
            f"Dữ liệu gửi lên không hợp lệ — {listing}",
            f"The request is not valid — {listing}",
            {"fields": problems},
        )
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        messages = {
            401: ("unauthorized", "Cần đăng nhập hoặc khóa thiết bị.", "Sign-in or a device key is needed."),
            403: ("forbidden", "Bạn không có quyền làm việc này.", "You may not do this."),
            404: ("not_found", "Không tìm thấy địa chỉ này.", "Not found."),
            405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
        }
        code, vi, en = messages.get(error.status_code, ("http_error", str(error.detail), str(error.detail)))
        if isinstance(error.detail, dict):
            code, vi, en = error.detail["code"], error.detail["message_vi"], error.detail["message_en"]
        return JSONResponse(error_body(code, vi, en), status_code=error.status_code, headers=error.headers)
