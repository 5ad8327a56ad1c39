"""Appointments: book a slot of a queue, then check in at the kiosk to get a ticket served first.

Every booking — kiosk or staff (`book`), the citizen's phone and staff for a citizen (phone.booking) —
goes through `reserve`: the slot is locked, its bookings counted and the new one written in one
transaction, so no slot is ever over-booked whoever books it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal
from queue_server.auth.secrets import keyed_hash, short_code
from queue_server.config import OfficeConfig, QueueConfig
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import Transaction, UnitOfWork
from queue_server.domain.calendar import business_day, check_open
from queue_server.domain.errors import DomainError, InvalidInput, NotFound
from queue_server.messages.contacts import link_appointment_contact
from queue_server.tables.appointments import Appointment
from queue_server.tickets.schemas import TicketView
from queue_server.tickets.service import TicketService

BOOKING_HORIZON = timedelta(days=366)  # beyond it a date is a typing mistake (or 9999-12-31)
CITIZEN_ID = re.compile(r"^\d{12}$")
ACTIVE = ("booked",)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_slot(session: Session, office: str, queue: str, slot: datetime) -> None:
    """Serialise bookings of one slot until the transaction ends (PostgreSQL); SQLite already runs one
    writer at a time."""
    if session.connection().dialect.name == "postgresql":
        digest = hashlib.sha256(f"slot:{office}:{queue}:{slot.isoformat()}".encode()).digest()
        session.execute(_LOCK, {"key": int.from_bytes(digest[:8], "big", signed=True)})


class AppointmentService:
    def __init__(self, ctx: ServerContext, tickets: TicketService) -> None:
        self.ctx = ctx
        self.tickets = tickets

    def slots(self, *, queue: str, day: date, office: str | None = None) -> list[dict[str, Any]]:
        office_cfg = self.tickets.office(office)
        queue_cfg = self._queue_with_slots(office_cfg, queue)
        step = timedelta(minutes=queue_cfg.appointment_slot_minutes)
        start = datetime.combine(day, time(0, 0), office_cfg.zone)
        now = self.ctx.clock()
        with self.ctx.db.read() as session:
            taken = self._taken_by_slot(session, office_cfg, queue_cfg, start, start + timedelta(days=1))
        result = []
        moment = start
        while moment < start + timedelta(days=1):
            if moment > now and check_open(office_cfg.hours, moment, office_cfg.zone).open:
                used = taken.get(moment, 0)
                result.append(
                    {
                        "start": moment.isoformat(),
                        "end": (moment + step).isoformat(),
                        "free": max(queue_cfg.appointment_slot_capacity - used, 0),
                    }
                )
            moment += step
        return result

    def book(
        self,
        *,
        queue: str,
        citizen_id: str,
        slot_start: datetime,
        actor: Principal,
        office: str | None = None,
    ) -> dict[str, Any]:
        office_cfg = self.tickets.office(office or actor.office)
        queue_cfg = self._queue_with_slots(office_cfg, queue)
        citizen_id = citizen_id.strip()
        if not CITIZEN_ID.match(citizen_id):
            raise InvalidInput(
                "bad_citizen_id", "Số định danh cá nhân phải gồm 12 chữ số.", "A personal ID has 12 digits."
            )
        slot = self._check_slot(office_cfg, queue_cfg, slot_start)
        with UnitOfWork(self.ctx) as tx:
            appointment = self.reserve(
                tx,
                office=office_cfg,
                queue=queue_cfg,
                slot=slot,
                citizen_hash=keyed_hash(self.ctx.settings.secret, citizen_id),
                last4=citizen_id[-4:],
                booked_by=actor.label,
                duplicate_vi="Công dân đã có một lịch hẹn cho hàng này.",
            )
            return _view(appointment, queue_cfg)

    def reserve(
        self,
        tx: Transaction,
        *,
        office: OfficeConfig,
        queue: QueueConfig,
        slot: datetime,
        citizen_hash: str,
        last4: str,
        booked_by: str,
        duplicate_vi: str,
        name: str | None = None,
        manage_token: str | None = None,
    ) -> Appointment:
        """The one booking step: under the slot's lock, refuse a second active booking of the same
        citizen for this queue and a full slot, then write the booking and its event."""
        session, now = tx.session, tx.now
        lock_slot(session, office.code, queue.code, slot)
        if self._has_active(session, office, queue, citizen_hash, now):
            raise DomainError(
                "already_booked", duplicate_vi, "There already is an appointment for this queue."
            )
        self.check_free(session, office, queue, slot)
        appointment = Appointment(
            code=self._new_code(session),
            office=office.code,
            queue=queue.code,
            slot_start=slot,
            citizen_hash=citizen_hash,
            citizen_last4=last4,
            status="booked",
            created_at=now,
            citizen_name=name,
            manage_token=manage_token,
        )
        session.add(appointment)
        session.flush()
        tx.outbox.add(
            type="appointment.booked",
            office=office.code,
            at=now,
            data={
                "queue": queue.code,
                "slot_start": slot.isoformat(),
                "code": appointment.code,
                "by": booked_by,
            },
        )
        return appointment

    def check_free(self, session: Session, office: OfficeConfig, queue: QueueConfig, slot: datetime) -> None:
        """Call under `lock_slot`: otherwise two bookings may both see the last place free."""
        taken = self._taken_by_slot(session, office, queue, slot, slot + timedelta(seconds=1))
        if taken.get(slot, 0) >= queue.appointment_slot_capacity:
            raise DomainError(
                "slot_full",
                "Khung giờ này vừa hết chỗ; Ông/Bà vui lòng chọn giờ khác.",
                "This slot has just been filled; choose another.",
            )

    def check_in(self, *, code: str, actor: Principal) -> TicketView:
        with UnitOfWork(self.ctx) as tx:
            session, now = tx.session, tx.now
            appointment = session.scalar(
                select(Appointment).where(Appointment.code == code.strip().upper()).with_for_update()
            )
            if appointment is None:
                raise NotFound("appointment_not_found", "Không tìm thấy lịch hẹn.", "No such appointment.")
            if appointment.status != "booked":
                raise DomainError(
                    "appointment_used",
                    "Lịch hẹn này đã được sử dụng hoặc đã hủy.",
                    "This appointment was used or cancelled.",
                )
            office_cfg = self.tickets.office(appointment.office)
            queue_cfg = self.tickets.queue(office_cfg, appointment.queue)
            if business_day(appointment.slot_start, office_cfg.zone) != business_day(now, office_cfg.zone):
                raise DomainError(
                    "appointment_other_day",
                    "Lịch hẹn không phải hôm nay.",
                    "The appointment is not for today.",
                )
            window = self.ctx.config.appointment_window
            in_window = appointment.slot_start - window.early <= now <= appointment.slot_start + window.late
            ticket = self.tickets.issue_in(
                tx,
                actor=actor,
                office=office_cfg,
                queue=queue_cfg,
                priority=None,
                idempotency_key=f"appointment:{appointment.code}",
                appointment_at=appointment.slot_start if in_window else None,  # outside: a walk-in
            )
            appointment.status, appointment.ticket_id = "checked_in", ticket.id
            link_appointment_contact(tx.session, appointment_id=appointment.id, ticket_id=ticket.id)
            return self.tickets.view(tx, ticket)

    # ---- internals -----------------------------------------------------------------------------

    def _queue_with_slots(self, office: OfficeConfig, code: str) -> QueueConfig:
        queue = self.tickets.queue(office, code)
        if queue.appointment_slot_capacity <= 0:
            raise DomainError(
                "no_appointments", "Hàng này không nhận lịch hẹn.", "This queue takes no appointments."
            )
        return queue

    def _check_slot(self, office: OfficeConfig, queue: QueueConfig, slot_start: datetime) -> datetime:
        if slot_start.tzinfo is None:
            slot_start = slot_start.replace(tzinfo=office.zone)  # a local time at the office
        local = slot_start.astimezone(office.zone)
        minutes = local.hour * 60 + local.minute
        if local.second or local.microsecond or minutes % queue.appointment_slot_minutes:
            raise InvalidInput(
                "bad_slot",
                f"Giờ hẹn phải bắt đầu theo khung {queue.appointment_slot_minutes} phút.",
                f"Slots start every {queue.appointment_slot_minutes} minutes.",
            )
        if slot_start <= self.ctx.clock():
            raise InvalidInput("slot_past", "Giờ hẹn đã qua.", "The slot is in the past.")
        if slot_start - self.ctx.clock() > BOOKING_HORIZON:
            raise InvalidInput(
                "slot_too_far",
                f"Chỉ đặt lịch hẹn trong vòng {BOOKING_HORIZON.days} ngày tới.",
                f"Appointments are booked at most {BOOKING_HORIZON.days} days ahead.",
            )
        if not check_open(office.hours, slot_start, office.zone).open:
            raise DomainError(
                "slot_closed", "Giờ hẹn ngoài giờ làm việc.", "The slot is outside opening hours."
            )
        return slot_start.astimezone(self.ctx.clock().tzinfo)

    def _has_active(
        self, session: Session, office: OfficeConfig, queue: QueueConfig, citizen_hash: str, now: datetime
    ) -> bool:
        window = self.ctx.config.appointment_window
        found = session.scalar(
            select(Appointment.id).where(
                Appointment.office == office.code,
                Appointment.queue == queue.code,
                Appointment.citizen_hash == citizen_hash,
                Appointment.status.in_(ACTIVE),
                Appointment.slot_start >= now - window.late,
            )
        )
        return found is not None

    def _taken_by_slot(
        self, session: Session, office: OfficeConfig, queue: QueueConfig, start: datetime, end: datetime
    ) -> dict[datetime, int]:
        rows = session.execute(
            select(Appointment.slot_start, func.count(Appointment.id))
            .where(
                Appointment.office == office.code,
                Appointment.queue == queue.code,
                Appointment.status.in_(("booked", "checked_in")),
                Appointment.slot_start >= start,
                Appointment.slot_start < end,
            )
            .group_by(Appointment.slot_start)
        )
        return {slot: int(count) for slot, count in rows}

    def _new_code(self, session: Session) -> str:
        while True:
            code = short_code(6)
            if session.scalar(select(Appointment.id).where(Appointment.code == code)) is None:
                return code


def _view(appointment: Appointment, queue: QueueConfig) -> dict[str, Any]:
    return {
        "code": appointment.code,
        "queue": appointment.queue,
        "queue_name_vi": queue.name_vi,
        "slot_start": appointment.slot_start.isoformat(),
        "slot_end": (appointment.slot_start + timedelta(minutes=queue.appointment_slot_minutes)).isoformat(),
        "status": appointment.status,
        "citizen_id_last4": appointment.citizen_last4,
    }
