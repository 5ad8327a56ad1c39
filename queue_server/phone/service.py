"""Taking a number from the phone: the same sequence and rules as the kiosk, plus the office's remote
rules (allowed or not, how early, how many a day, only while the wait is long) and abuse bounds (a
one-time code or the hall's rotating QR, one open ticket per phone per office, rate limits)."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal, Role
from queue_server.auth.secrets import keyed_hash
from queue_server.config import OfficeConfig, QueueConfig
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.calendar import business_day, check_open, check_open_early
from queue_server.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from queue_server.domain.tickets import TicketAction
from queue_server.messages.contacts import add_contact, normalise_phone
from queue_server.messages.planner import add_message
from queue_server.phone.limits import TooManyRequests
from queue_server.phone_config import PhoneConfig, load_phone_config
from queue_server.tables.messages import MessageContact
from queue_server.tables.phone import PhoneCode, RemoteTicket
from queue_server.tables.tickets import Ticket
from queue_server.tickets.schemas import TicketView
from queue_server.tickets.service import ActOptions, TicketService

CODE_TTL = timedelta(minutes=5)
OPEN_STATUSES = ("waiting", "called", "serving", "on_hold")
REMOTE = Principal("device", 0, "phone", Role.KIOSK)  # who issued it, in the audit: "phone"
CITIZEN = Principal("citizen", 0, "citizen-phone", Role.KIOSK)  # who cancelled, in the audit


class RemoteTicketService:
    def __init__(self, ctx: ServerContext, tickets: TicketService) -> None:
        self.ctx = ctx
        self.tickets = tickets

    @property
    def config(self) -> PhoneConfig:
        return load_phone_config(self.ctx.settings.config_dir.resolve())

    # ---- what the page shows -------------------------------------------------------------------

    def office_info(self, office: str) -> dict[str, Any]:
        office_cfg = self.tickets.office(office)
        phone_cfg = self.config.office(office_cfg.code)
        now = self.ctx.clock()
        queues = []
        with UnitOfWork(self.ctx, read_only=True) as tx:
            session = tx.session
            waiting = _waiting_by_queue(session, office_cfg, now)
            for queue in office_cfg.queues.values():
                rules = self.config.remote_rules(office_cfg.code, queue.code)
                ahead = waiting.get(queue.code, 0)
                estimate = self.tickets.queue_estimate(tx, office_cfg, queue.code, ahead)
                refusal = (
                    self._refusal(session, office_cfg, queue, now, estimate) if rules.remote_tickets else None
                )
                queues.append(
                    {
                        "code": queue.code,
                        "name_vi": queue.name_vi,
                        "name_en": queue.name_en,
                        "waiting": ahead,
                        "estimated_wait_s": estimate,
                        "remote": rules.remote_tickets,
                        "open": refusal is None and rules.remote_tickets,
                        "reason_vi": refusal.message_vi if refusal else None,
                        "reason_en": refusal.message_en if refusal else None,
                        "appointments": queue.appointment_slot_capacity > 0 and phone_cfg.booking,
                    }
                )
        return {
            "office": office_cfg.code,
            "name_vi": office_cfg.name_vi,
            "name_en": office_cfg.name_en,
            "confirm": phone_cfg.confirm,
            "messages": bool(phone_cfg.sender),
            "queues": queues,
        }

    # ---- the one-time code ---------------------------------------------------------------------

    def send_code(self, *, office: str, phone: str) -> dict[str, Any]:
        office_cfg = self.tickets.office(office)
        phone_cfg = self.config.office(office_cfg.code)
        if phone_cfg.confirm != "code" or not phone_cfg.sender:
            raise DomainError(
                "no_code_here",
                "Đơn vị này không gửi mã xác nhận; Ông/Bà hãy quét mã QR trên màn hình tại sảnh.",
                "This office sends no codes; scan the QR on the hall's board.",
            )
        number = normalise_phone(phone)
        phone_hash = self._phone_hash(office_cfg.code, number)
        now = self.ctx.clock()
        code = f"{secrets.randbelow(1_000_000):06d}"
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            recent = session.scalar(
                select(func.count(PhoneCode.id)).where(
                    PhoneCode.office == office_cfg.code,
                    PhoneCode.phone_hash == phone_hash,
                    PhoneCode.created_at > now - timedelta(hours=1),
                )
            )
            if int(recent or 0) >= self.config.limits.codes_per_phone_per_hour:
                raise TooManyRequests(3600)
            contact = add_contact(
                session, office=office_cfg.code, address=number, kind="phone", notify_ahead=0, now=now
            )
            row = PhoneCode(
                office=office_cfg.code,
                phone_hash=phone_hash,
                code_hash=self._code_hash(number, code),
                created_at=now,
                expires_at=now + CODE_TTL,
                attempts=0,
                contact_id=contact.id,
            )
            session.add(row)
            session.flush()
            add_message(
                session,
                key=f"code:{row.id}",
                office=office_cfg.code,
                kind="one_time_code",
                contact_id=contact.id,
                ticket_id=None,
                data={"code": code},
                at=now,
            )
        return {"sent": True, "expires_in_s": int(CODE_TTL.total_seconds())}

    # ---- taking the number ---------------------------------------------------------------------

    def take(
        self,
        *,
        office: str,
        queue: str,
        phone: str,
        code: str | None,
        hall_token: str | None,
        consent: bool,
    ) -> TicketView:
        office_cfg = self.tickets.office(office)
        queue_cfg = self.tickets.queue(office_cfg, queue)
        rules = self.config.remote_rules(office_cfg.code, queue_cfg.code)
        if not rules.remote_tickets:
            raise Forbidden(
                "remote_not_allowed",
                f"Hàng '{queue_cfg.name_vi}' không nhận lấy số từ xa; mời Ông/Bà lấy số tại ki-ốt.",
                f"Queue '{queue_cfg.name_en or queue_cfg.code}' takes no remote numbers.",
            )
        number = normalise_phone(phone)
        phone_hash = self._phone_hash(office_cfg.code, number)
        now = self.ctx.clock()
        code_id = self._prove(office_cfg, number, phone_hash, code, hall_token, now)
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            self._use_code(session, code_id, now)
            ticket = self.tickets.issue_in(
                tx,
                actor=REMOTE,
                office=office_cfg,
                queue=queue_cfg,
                priority=None,  # priority is granted at the counter, by someone who sees the citizen
                idempotency_key=None,
                appointment_at=None,
                early=timedelta(minutes=rules.remote_from_minutes_before_open),
            )
            # After issue_in took the queue's number (a row lock on PostgreSQL): these counts are exact.
            self._check_remote_rules(session, office_cfg, queue_cfg, ticket.estimated_wait_s, phone_hash, now)
            session.add(
                RemoteTicket(
                    ticket_id=ticket.id,
                    office=office_cfg.code,
                    queue=queue_cfg.code,
                    business_day=ticket.business_day,
                    phone_hash=phone_hash,
                    issued_at=now,
                )
            )
            if consent:
                add_contact(
                    session,
                    office=office_cfg.code,
                    ticket_id=ticket.id,
                    address=number,
                    kind="phone",
                    notify_ahead=self.config.messages.notify_ahead,
                    now=now,
                )
            return self.tickets.view(tx, ticket, newest=True)

    def ticket_office(self, public_code: str) -> dict[str, str]:
        with self.ctx.db.read() as session:
            office = session.scalar(select(Ticket.office).where(Ticket.public_code == public_code))
        if office is None:
            raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự.", "No such ticket.")
        office_cfg = self.tickets.office(office)
        return {"name_vi": office_cfg.name_vi, "time_zone": office_cfg.zone.key}

    def cancel_by_citizen(self, public_code: str) -> TicketView:
        """ "Tôi không đến được": the holder of the ticket's page gives up the place (waiting or called)."""
        with UnitOfWork(self.ctx) as tx:
            ticket = tx.session.scalar(
                select(Ticket).where(Ticket.public_code == public_code).with_for_update()
            )
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự.", "No such ticket.")
            if ticket.status not in ("waiting", "called"):
                raise DomainError(
                    "cannot_cancel",
                    "Số này đang được phục vụ hoặc đã kết thúc, không hủy được.",
                    "This ticket is being served or has ended; it cannot be cancelled.",
                )
            self.tickets.actions.change(  # the one choke point of ticket states, as every use case goes through
                tx,
                ticket,
                TicketAction.CANCEL,
                actor=CITIZEN,
                counter=None,
                options=ActOptions(reason="citizen cancelled from the phone page"),
            )
            return self.tickets.view(tx, ticket)

    def hall_token(self, office: str, at: datetime | None = None) -> str:
        code = self.tickets.office(office).code
        window = int((at or self.ctx.clock()).timestamp()) // self.hall_qr_period_s(code)
        return self._hall_token(code, window)

    def hall_qr_period_s(self, office: str) -> int:
        """How often the board's QR changes (phone.toml, 5 minutes by default); the previous one still works."""
        return self.config.office(office).hall_qr_period_s

    def poster(self, office: str) -> dict[str, Any]:
        """What the office's printed QR poster offers: taking a number (only where a one-time code
        confirms the phone: a hall-QR office takes numbers from the board's rotating QR) and booking."""
        office_cfg = self.tickets.office(office)
        rules = self.config.office(office_cfg.code)
        base = self.ctx.settings.public_url.rstrip("/")
        return {
            "name_vi": office_cfg.name_vi,
            "take": f"{base}/p/so/{office_cfg.code}"
            if rules.remote_tickets and rules.confirm == "code"
            else None,
            "hall_qr": rules.remote_tickets and rules.confirm == "hall_qr",
            "book": f"{base}/p/hen/{office_cfg.code}" if rules.booking else None,
        }

    def hall_qr_enabled(self, office: str) -> bool:
        """The board shows the QR only where citizens may take a number from the phone."""
        return self.config.office(office).remote_tickets

    # ---- internals -----------------------------------------------------------------------------

    def _prove(
        self,
        office: OfficeConfig,
        number: str,
        phone_hash: str,
        code: str | None,
        hall_token: str | None,
        now: datetime,
    ) -> int | None:
        """The phone is the citizen's (a one-time code: answers its row, used when the ticket is written),
        or the citizen stands in the hall (the board's rotating QR: answers None)."""
        if self.config.office(office.code).confirm == "hall_qr":
            window = int(now.timestamp()) // self.hall_qr_period_s(office.code)
            valid = {self._hall_token(office.code, w) for w in (window, window - 1)}
            if not hall_token or not any(hmac.compare_digest(hall_token, t) for t in valid):
                raise Forbidden(
                    "hall_qr_required",
                    "Mã QR đã hết hạn hoặc không đúng; mời Ông/Bà quét lại mã QR trên màn hình tại sảnh.",
                    "The hall QR is missing or expired; scan the QR on the board again.",
                )
            return None
        right: int | None = None
        with UnitOfWork(self.ctx) as tx:  # a wrong attempt is counted even though the request fails
            session = tx.session
            row = session.scalar(
                select(PhoneCode)
                .where(
                    PhoneCode.office == office.code,
                    PhoneCode.phone_hash == phone_hash,
                    PhoneCode.used_at.is_(None),
                )
                .order_by(PhoneCode.id.desc())
                .limit(1)
            )
            usable = (
                row is not None and row.expires_at > now and row.attempts < self.config.limits.code_attempts
            )
            if row is not None and usable:
                if code and hmac.compare_digest(row.code_hash, self._code_hash(number, code.strip())):
                    right = row.id
                else:
                    row.attempts += 1
        if right is None:
            raise _wrong_code()
        return right

    def _use_code(self, session: Session, code_id: int | None, now: datetime) -> None:
        if code_id is None:
            return
        row = session.get(PhoneCode, code_id, with_for_update=True)
        if row is None or row.used_at is not None:  # used by a request a moment earlier
            raise _wrong_code()
        row.used_at = now
        if row.contact_id is not None:  # the number was kept only to send the code
            contact = session.get(MessageContact, row.contact_id)
            if contact is not None:
                contact.address, contact.purged_at = None, now

    def _check_remote_rules(
        self,
        session: Session,
        office: OfficeConfig,
        queue: QueueConfig,
        estimated_wait_s: int | None,
        phone_hash: str,
        now: datetime,
    ) -> None:
        open_ticket = session.scalar(
            select(Ticket.number)
            .join(RemoteTicket, RemoteTicket.ticket_id == Ticket.id)
            .where(
                RemoteTicket.office == office.code,
                RemoteTicket.phone_hash == phone_hash,
                Ticket.status.in_(OPEN_STATUSES),
            )
            .limit(1)
        )
        if open_ticket is not None:
            raise DomainError(
                "phone_has_ticket",
                f"Số điện thoại này đang có số thứ tự {open_ticket} chưa xong tại đơn vị.",
                f"This phone already holds the open ticket {open_ticket} here.",
            )
        refusal = self._refusal(session, office, queue, now, estimated_wait_s)
        if refusal is not None:
            raise refusal

    def _refusal(
        self,
        session: Session,
        office: OfficeConfig,
        queue: QueueConfig,
        now: datetime,
        estimated_wait_s: int | None,
    ) -> DomainError | None:
        """Why a remote number cannot be taken now in this queue (None: it can)."""
        rules = self.config.remote_rules(office.code, queue.code)
        early = timedelta(minutes=rules.remote_from_minutes_before_open)
        opened = check_open_early(office.hours, now, office.zone, early)
        if not opened.open:
            return DomainError(f"office_{opened.reason}", opened.message_vi, opened.message_en)
        if rules.remote_daily_cap is not None:
            day = business_day(now, office.zone)
            count = int(
                session.scalar(
                    select(func.count(RemoteTicket.ticket_id)).where(
                        RemoteTicket.office == office.code,
                        RemoteTicket.queue == queue.code,
                        RemoteTicket.business_day == day,
                    )
                )
                or 0
            )
            if count >= rules.remote_daily_cap:  # this request's own row is not written yet
                return DomainError(
                    "remote_cap_reached",
                    f"Hôm nay đã hết số lấy từ xa của hàng '{queue.name_vi}'; mời Ông/Bà lấy số tại ki-ốt.",
                    f"No more remote numbers today for '{queue.name_en or queue.code}'.",
                )
        wait_floor_s = rules.remote_min_wait_minutes * 60
        if (
            wait_floor_s
            and check_open(office.hours, now, office.zone).open
            and (estimated_wait_s or 0) < wait_floor_s
        ):
            return DomainError(
                "wait_short",
                f"Hiện chờ dưới {rules.remote_min_wait_minutes} phút; mời Ông/Bà đến lấy số tại ki-ốt.",
                f"The wait is under {rules.remote_min_wait_minutes} minutes: take a number at the kiosk.",
            )
        return None

    def _phone_hash(self, office: str, number: str) -> str:
        return keyed_hash(self.ctx.settings.secret, f"phone:{office}:{number}")

    def _code_hash(self, number: str, code: str) -> str:
        return keyed_hash(self.ctx.settings.secret, f"code:{number}:{code}")

    def _hall_token(self, office: str, window: int) -> str:
        return keyed_hash(self.ctx.settings.secret, f"hall:{office}:{window}")[:20]


def _waiting_by_queue(session: Session, office: OfficeConfig, now: datetime) -> dict[str, int]:
    day = business_day(now, office.zone)
    rows = session.execute(
        select(Ticket.queue, func.count(Ticket.id))
        .where(Ticket.office == office.code, Ticket.business_day == day, Ticket.status == "waiting")
        .group_by(Ticket.queue)
    )
    return {queue: int(count) for queue, count in rows}


def _wrong_code() -> InvalidInput:
    return InvalidInput(
        "wrong_code",
        "Mã xác nhận không đúng hoặc đã hết hạn. Ông/Bà kiểm tra lại tin nhắn hoặc xin mã mới.",
        "The confirmation code is wrong or expired.",
    )
