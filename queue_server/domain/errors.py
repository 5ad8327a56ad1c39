"""Domain errors carry a machine code and a message in Vietnamese and English."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the office was broken; the HTTP layer turns it into a 4xx answer."""

    status_code = 409

    def __init__(self, code: str, message_vi: str, message_en: str, **details: object) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class InvalidInput(DomainError):
    status_code = 422
