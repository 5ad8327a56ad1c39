"""Satisfaction ratings: one per finished ticket; the prompt for the counter tablet; the day's shares."""

from __future__ import annotations

import hmac
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import DomainError, InvalidInput, NotFound
from queue_server.domain.tickets import TicketStatus
from queue_server.procedures.catalogue import RatingSettings
from queue_server.tables.auth import User
from queue_server.tables.dossiers import Dossier
from queue_server.tables.ratings import Rating
from queue_server.tables.tickets import Ticket

SATISFIED_FROM = 4
RATING_TOKEN = "rating token"  # the keyed hash's purpose
TOKEN_MAC_CHARS = 32  # 128 bits
_TICKET_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only, within PostgreSQL's INTEGER


def already_rated() -> DomainError:
    return DomainError(
        "already_rated", "Lượt phục vụ này đã được đánh giá. Xin cảm ơn!", "This visit was already rated."
    )


class RatingService:
    def __init__(self, ctx: ServerContext, settings: RatingSettings) -> None:
        self.ctx = ctx
        self.settings = settings

    def reasons(self) -> dict[str, Any]:
        return {
            "ask_reasons_at_or_below": self.settings.ask_reasons_at_or_below,
            "idle_seconds": self.settings.idle_seconds,
            "prompt_seconds": self.settings.prompt_seconds,
            "reasons": [
                {"code": r.code, "label_vi": r.label_vi, "label_en": r.label_en}
                for r in self.settings.reasons.values()
            ],
        }

    def token_for(self, ticket: Ticket) -> str:
        """The one-time rating token the counter's tablet gets with a finished visit: bound to that ticket
        by a keyed hash, so it rates that visit (once) and nothing else; it is not the ticket's public code."""
        return f"{ticket.id}.{self._mac(ticket.id, ticket.public_code)[0]}"

    def _mac(self, ticket_id: int, public_code: str) -> list[str]:
        hashes = self.ctx.ids.lookup_hashes(f"{ticket_id}|{public_code}", RATING_TOKEN)
        return [h[:TOKEN_MAC_CHARS] for h in hashes]

    def _ticket_of_token(self, session: Session, token: str) -> Ticket:
        ticket_id, _, mac = token.partition(".")
        ticket = session.get(Ticket, int(ticket_id)) if _TICKET_ID.fullmatch(ticket_id) else None
        if ticket is None or not any(
            hmac.compare_digest(mac, m) for m in self._mac(ticket.id, ticket.public_code)
        ):
            raise InvalidInput(
                "bad_rating_token",
                "Mã đánh giá không hợp lệ.",
                "The rating token is not valid: rate from the counter's tablet or the ticket itself.",
            )
        return ticket

    def rate(
        self,
        *,
        score: int,
        reasons: list[str],
        comment: str | None,
        public_code: str | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """By the ticket's public code (printed on it: the citizen holds it) or the tablet's token."""
        reasons = self._check(score, reasons)
        now = self.ctx.clock()
        try:
            with UnitOfWork(self.ctx) as tx:
                session = tx.session
                if token is not None:
                    ticket: Ticket | None = self._ticket_of_token(session, token)
                else:
                    ticket = session.scalar(select(Ticket).where(Ticket.public_code == public_code))
                if ticket is None:
                    raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự.", "No such ticket.")
                if ticket.status != TicketStatus.DONE.value:
                    raise DomainError(
                        "ticket_not_finished",
                        "Chỉ đánh giá được sau khi quầy đã phục vụ xong.",
                        "Only a finished visit can be rated.",
                    )
                if session.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id)) is not None:
                    raise already_rated()
                procedure = session.scalar(
                    select(Dossier.procedure_code).where(Dossier.ticket_id == ticket.id)
                )
                rating = Rating(
                    ticket_id=ticket.id,
                    office=ticket.office,
                    business_day=ticket.business_day,
                    score=score,
                    reasons=reasons,
                    comment=(comment or "").strip()[:500] or None,
                    counter=ticket.counter,
                    staff_id=ticket.staff_id,
                    procedure_code=procedure,
                    created_at=now,
                )
                session.add(rating)
                session.flush()
                return {
                    "id": rating.id,
                    "score": score,
                    "reasons": reasons,
                    "counter": rating.counter,
                    "procedure": procedure,
                    "created_at": now,
                }
        except IntegrityError:
            raise already_rated() from None  # two taps at once on PostgreSQL: the other one counted

    def _check(self, score: int, reasons: list[str]) -> list[str]:
        if not 1 <= score <= 5:
            raise InvalidInput("bad_score", "Điểm đánh giá phải từ 1 đến 5.", "The score must be 1 to 5.")
        unknown = [code for code in reasons if code not in self.settings.reasons]
        if unknown:
            known = ", ".join(self.settings.reasons)
            raise InvalidInput(
                "unknown_reason",
                f"Lý do không có trong danh sách: {', '.join(unknown)}.",
                f"Unknown reason(s) {', '.join(unknown)}; known: {known}.",
            )
        if score <= self.settings.ask_reasons_at_or_below and not reasons:
            raise InvalidInput(
                "reasons_required",
                "Xin cho biết ít nhất một lý do chưa hài lòng.",
                "Please give at least one reason for a low score.",
            )
        return list(dict.fromkeys(reasons))

    def prompt(self, *, counter: int, office: str | None = None) -> dict[str, Any] | None:
        """The ticket finished last at this counter, if recent and not rated yet."""
        office_cfg = self.ctx.config.office(office) if office else self.ctx.config.default_office
        if counter not in office_cfg.counters:
            raise NotFound("unknown_counter", f"Không có quầy số {counter}.", f"Unknown counter {counter}.")
        since = self.ctx.clock() - timedelta(seconds=self.settings.prompt_seconds)
        with self.ctx.db.read() as session:
            ticket = session.scalar(
                select(Ticket)
                .where(
                    Ticket.office == office_cfg.code,
                    Ticket.counter == counter,
                    Ticket.status == TicketStatus.DONE.value,
                    Ticket.ended_at >= since,
                )
                .order_by(Ticket.ended_at.desc(), Ticket.id.desc())  # the latest, also within one second
                .limit(1)
            )
            if ticket is None or session.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id)):
                return None
            return {
                "token": self.token_for(ticket),
                "number": ticket.number,
                "counter": counter,
                "finished_at": ticket.ended_at,
            }

    def stats(self, *, day: date | None = None, office: str | None = None) -> dict[str, Any]:
        office_cfg = self.ctx.config.office(office) if office else self.ctx.config.default_office
        day = day or business_day(self.ctx.clock(), office_cfg.zone)
        with self.ctx.db.read() as session:
            rows = list(
                session.scalars(
                    select(Rating).where(Rating.office == office_cfg.code, Rating.business_day == day)
                )
            )
            names = {row.id: row.username for row in session.execute(select(User.id, User.username))}
        scores = Counter(r.score for r in rows)
        reasons = Counter(code for r in rows for code in r.reasons)
        return {
            "day": day,
            "office": office_cfg.code,
            **_shares([r.score for r in rows]),
            "mean": round(sum(r.score for r in rows) / len(rows), 2) if rows else None,
            "by_score": {str(s): scores.get(s, 0) for s in range(1, 6)},
            "by_reason": dict(reasons),
            "by_counter": _grouped(rows, "counter", lambda r: r.counter),
            "by_procedure": _grouped(rows, "procedure", lambda r: r.procedure_code),
            "by_officer": _grouped(rows, "officer", lambda r: names.get(r.staff_id) if r.staff_id else None),
        }


def _shares(scores: list[int]) -> dict[str, Any]:
    satisfied = sum(1 for s in scores if s >= SATISFIED_FROM)
    return {
        "ratings": len(scores),
        "satisfied": satisfied,
        "share_satisfied": round(satisfied / len(scores), 4) if scores else None,
    }


def _grouped(rows: list[Rating], label: str, key: Any) -> list[dict[str, Any]]:
    groups: defaultdict[Any, list[int]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row.score)
    return [
        {label: name, **_shares(scores)} for name, scores in sorted(groups.items(), key=lambda g: str(g[0]))
    ]
