"""Booking a time from the phone (or by staff for a citizen): procedure → its queue's slots → name and
phone → a code and a QR to check in at the kiosk or the counter, and a secret link to see, move or cancel.

Slots fill atomically through `AppointmentService.reserve`, the one booking step the kiosk and staff
use too: the capacity is counted and the booking written under a lock on that one slot.
"""

from __future__ import annotations

import io
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.appointments.service import AppointmentService, lock_slot
from queue_server.auth.secrets import keyed_hash
from queue_server.config import OfficeConfig, QueueConfig
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import DomainError, InvalidInput, NotFound
from queue_server.messages.contacts import add_contact, normalise_phone
from queue_server.phone_config import PhoneConfig, load_phone_config
from queue_server.procedures.catalogue import Catalogue
from queue_server.tables.appointments import Appointment


class BookingService:
    def __init__(self, ctx: ServerContext, appointments: AppointmentService, catalogue: Catalogue) -> None:
        self.ctx = ctx
        self.appointments = appointments
        self.tickets = appointments.tickets
        self.catalogue = catalogue

    @property
    def config(self) -> PhoneConfig:
        return load_phone_config(self.ctx.settings.config_dir.resolve())

    def procedures(self, office: str) -> dict[str, Any]:
        office_cfg = self._bookable_office(office)
        days = self._days(office_cfg)
        items = [
            {"code": p.code, "name_vi": p.name_vi, "name_en": p.name_en, "queue": p.queue}
            for p in self.catalogue.procedures.values()
            if (not p.offices or office_cfg.code in p.offices)
            and p.queue in office_cfg.queues
            and office_cfg.queues[p.queue].appointment_slot_capacity > 0
        ]
        return {
            "office": office_cfg.code,
            "name_vi": office_cfg.name_vi,
            "days": [d.isoformat() for d in days],
            "procedures": items,
        }

    def slots(self, *, office: str, procedure: str, day: date) -> list[dict[str, Any]]:
        office_cfg = self._bookable_office(office)
        queue = self._queue_of(office_cfg, procedure)
        if day not in self._days(office_cfg):
            raise InvalidInput(
                "day_not_bookable",
                "Ngày này không nhận đặt lịch qua mạng.",
                "This day cannot be booked online.",
            )
        return self.appointments.slots(queue=queue.code, day=day, office=office_cfg.code)

    def book(
        self,
        *,
        office: str,
        procedure: str,
        slot_start: datetime,
        name: str,
        phone: str,
        consent: bool,
        booked_by: str = "phone",
    ) -> dict[str, Any]:
        office_cfg = self._bookable_office(office)
        queue = self._queue_of(office_cfg, procedure)
        name = " ".join(name.split())
        if not 2 <= len(name) <= 80:
            raise InvalidInput(
                "bad_name", "Ông/Bà vui lòng nhập họ tên (2–80 ký tự).", "A name of 2–80 characters."
            )
        number = normalise_phone(phone)
        slot = self.appointments._check_slot(office_cfg, queue, slot_start)
        self._check_in_window(office_cfg, slot)
        with UnitOfWork(self.ctx) as tx:
            appointment = self.appointments.reserve(
                tx,
                office=office_cfg,
                queue=queue,
                slot=slot,
                citizen_hash=keyed_hash(self.ctx.settings.secret, f"phone:{office_cfg.code}:{number}"),
                last4=number[-4:],
                booked_by=booked_by,
                duplicate_vi="Số điện thoại này đã có một lịch hẹn cho dịch vụ này.",
                name=name,
                manage_token=secrets.token_urlsafe(18),
            )
            if consent:
                add_contact(
                    tx.session,
                    office=office_cfg.code,
                    appointment_id=appointment.id,
                    address=number,
                    kind="phone",
                    notify_ahead=self.config.messages.notify_ahead,
                    now=tx.now,
                )
            return self._view(appointment, office_cfg, queue, with_token=True)

    def show(self, token: str) -> dict[str, Any]:
        with self.ctx.db.read() as session:
            appointment = self._by_token(session, token)
            office = self.tickets.office(appointment.office)
            return self._view(
                appointment, office, self.tickets.queue(office, appointment.queue), with_token=True
            )

    def cancel(self, token: str) -> dict[str, Any]:
        now = self.ctx.clock()
        with UnitOfWork(self.ctx) as tx:
            session, outbox = tx.session, tx.outbox
            appointment = self._by_token(session, token, for_update=True)
            self._check_changeable(appointment)
            appointment.status = "cancelled"
            outbox.add(
                type="appointment.cancelled",
                office=appointment.office,
                at=now,
                data={"queue": appointment.queue, "slot_start": appointment.slot_start.isoformat()},
            )
            office = self.tickets.office(appointment.office)
            return self._view(
                appointment, office, self.tickets.queue(office, appointment.queue), with_token=True
            )

    def move(self, token: str, *, slot_start: datetime) -> dict[str, Any]:
        now = self.ctx.clock()
        with UnitOfWork(self.ctx) as tx:
            session, outbox = tx.session, tx.outbox
            appointment = self._by_token(session, token, for_update=True)
            self._check_changeable(appointment)
            office = self.tickets.office(appointment.office)
            queue = self.tickets.queue(office, appointment.queue)
            slot = self.appointments._check_slot(office, queue, slot_start)
            self._check_in_window(office, slot)
            lock_slot(session, office.code, queue.code, slot)
            if slot != appointment.slot_start:
                self.appointments.check_free(session, office, queue, slot)
            appointment.slot_start = slot
            outbox.add(
                type="appointment.moved",
                office=office.code,
                at=now,
                data={"queue": queue.code, "slot_start": slot.isoformat(), "code": appointment.code},
            )
            return self._view(appointment, office, queue, with_token=True)

    def qr_png(self, token: str) -> bytes:
        """The check-in QR: the appointment's code, which the kiosk's scanner and the counter read."""
        import qrcode

        with self.ctx.db.read() as session:
            code = self._by_token(session, token).code
        image = qrcode.make(code, box_size=8, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    # ---- internals -----------------------------------------------------------------------------

    def _bookable_office(self, office: str) -> OfficeConfig:
        office_cfg = self.tickets.office(office)
        if not self.config.office(office_cfg.code).booking:
            raise DomainError(
                "no_booking",
                "Đơn vị này chưa nhận đặt lịch qua mạng.",
                "This office takes no online bookings.",
            )
        return office_cfg

    def _queue_of(self, office: OfficeConfig, procedure: str) -> QueueConfig:
        found = self.catalogue.procedures.get(procedure.strip())
        if found is None or found.queue not in office.queues:
            raise NotFound(
                "unknown_procedure", f"Không có thủ tục '{procedure}'.", f"Unknown procedure '{procedure}'."
            )
        return self.appointments._queue_with_slots(office, found.queue)

    def _days(self, office: OfficeConfig) -> list[date]:
        today = business_day(self.ctx.clock(), office.zone)
        ahead = self.config.office(office.code).booking_days_ahead
        return [today + timedelta(days=n) for n in range(ahead + 1)]

    def _check_in_window(self, office: OfficeConfig, slot: datetime) -> None:
        if business_day(slot, office.zone) not in self._days(office):
            raise InvalidInput("day_not_bookable", "Ngày này không nhận đặt lịch qua mạng.", "Not bookable.")

    def _by_token(self, session: Session, token: str, for_update: bool = False) -> Appointment:
        query = select(Appointment).where(Appointment.manage_token == token)
        if for_update:
            query = query.with_for_update()
        appointment = session.scalar(query)
        if appointment is None:
            raise NotFound("appointment_not_found", "Không tìm thấy lịch hẹn.", "No such appointment.")
        return appointment

    def _check_changeable(self, appointment: Appointment) -> None:
        if appointment.status != "booked":
            raise DomainError(
                "appointment_used",
                "Lịch hẹn này đã được sử dụng hoặc đã hủy.",
                "This appointment was used or cancelled.",
            )

    def _view(
        self, appointment: Appointment, office: OfficeConfig, queue: QueueConfig, *, with_token: bool
    ) -> dict[str, Any]:
        local = appointment.slot_start.astimezone(office.zone)
        return {
            "code": appointment.code,
            "office": office.code,
            "office_name_vi": office.name_vi,
            "queue": queue.code,
            "queue_name_vi": queue.name_vi,
            "slot_start": appointment.slot_start.isoformat(),
            "local_time": local.strftime("%H:%M"),
            "local_date": local.strftime("%d/%m/%Y"),
            "status": appointment.status,
            "phone_last4": appointment.citizen_last4,
            "manage_token": appointment.manage_token if with_token else None,
        }
