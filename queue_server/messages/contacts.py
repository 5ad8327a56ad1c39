"""Phone numbers and e-mail addresses given with the citizen's consent, for one ticket or appointment."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from queue_server.domain.errors import InvalidInput
from queue_server.tables.messages import MessageContact

# Vietnamese mobile numbers: 0 + 9 digits (03x, 05x, 07x, 08x, 09x), or the same after +84 / 84.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$")


def normalise_phone(text: str) -> str:
    """'+84 912 345 678', '0912.345.678' → '0912345678'; a clear error for anything else."""
    digits = re.sub(r"[\s.\-()]", "", text or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _MOBILE.match(digits):
        raise InvalidInput(
            "bad_phone",
            "Số điện thoại di động không hợp lệ (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
            "Not a Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or 09).",
        )
    return digits


def normalise_email(text: str) -> str:
    address = (text or "").strip()
    if not _EMAIL.match(address):
        raise InvalidInput("bad_email", "Địa chỉ thư điện tử không hợp lệ.", "Not an e-mail address.")
    return address


def require_consent(consent: bool) -> None:
    if not consent:
        raise InvalidInput(
            "consent_required",
            "Cần Ông/Bà đồng ý để lưu số điện thoại và nhận tin nhắn.",
            "The citizen's consent is needed to keep the number and send messages.",
        )


def add_contact(
    session: Session,
    *,
    office: str,
    address: str,
    kind: str,
    notify_ahead: int,
    now: datetime,
    ticket_id: int | None = None,
    appointment_id: int | None = None,
) -> MessageContact:
    contact = MessageContact(
        office=office,
        ticket_id=ticket_id,
        appointment_id=appointment_id,
        kind=kind,
        address=address,
        notify_ahead=notify_ahead,
        consent_at=now,
    )
    session.add(contact)
    session.flush()
    return contact


def link_appointment_contact(session: Session, *, appointment_id: int, ticket_id: int) -> None:
    """At check-in the booking's contact follows the ticket (its call, its case)."""
    session.execute(
        update(MessageContact)
        .where(MessageContact.appointment_id == appointment_id, MessageContact.ticket_id.is_(None))
        .values(ticket_id=ticket_id)
    )


def masked(address: str | None) -> str:
    """What staff see of a contact: the kind and the last digits, never the whole number."""
    if not address:
        return "(đã xóa)"
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}…@{domain}"
    return f"…{address[-3:]}"


def ticket_contact(session: Session, ticket_id: int) -> MessageContact | None:
    return session.scalar(
        select(MessageContact)
        .where(MessageContact.ticket_id == ticket_id, MessageContact.purged_at.is_(None))
        .order_by(MessageContact.id.desc())
        .limit(1)
    )
