"""The case (hồ sơ): its code, the national status list, guarded status changes and the due date.

Standard library only. One function, `apply_dossier_action`, decides every status change.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from queue_server.domain.calendar import OpeningHours, add_working_days, is_working_day
from queue_server.domain.errors import DomainError, InvalidInput


class DossierStatus(enum.StrEnum):
    """The national public-service portal's list, in its order (1 … 10)."""

    NEW = "new"
    RECEIVED = "received"
    NOT_RECEIVED = "not_received"
    IN_PROCESS = "in_process"
    PAPERS_REQUESTED = "papers_requested"
    FEE_REQUESTED = "fee_requested"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    DONE = "done"
    RETURNED = "returned"

    @property
    def number(self) -> int:
        return list(DossierStatus).index(self) + 1


STATUS_NAMES: dict[DossierStatus, tuple[str, str]] = {
    DossierStatus.NEW: ("Mới", "New"),
    DossierStatus.RECEIVED: ("Đã tiếp nhận", "Received"),
    DossierStatus.NOT_RECEIVED: ("Không tiếp nhận", "Not received"),
    DossierStatus.IN_PROCESS: ("Đang xử lý", "In process"),
    DossierStatus.PAPERS_REQUESTED: ("Yêu cầu bổ sung giấy tờ", "Papers requested"),
    DossierStatus.FEE_REQUESTED: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Fee requested"),
    DossierStatus.WITHDRAWN: ("Công dân rút hồ sơ", "Withdrawn"),
    DossierStatus.STOPPED: ("Dừng xử lý", "Stopped"),
    DossierStatus.DONE: ("Đã có kết quả", "Done"),
    DossierStatus.RETURNED: ("Đã trả kết quả", "Result returned"),
}

FINAL_STATUSES = frozenset(
    {
        DossierStatus.NOT_RECEIVED,
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
        DossierStatus.RETURNED,
    }
)


class DossierAction(enum.StrEnum):
    RECEIVE = "receive"
    REFUSE = "refuse"
    REQUEST_PAPERS = "request-papers"
    SUPPLY = "supply"
    PROCESS = "process"
    REQUEST_FEE = "request-fee"
    PAY = "pay"
    FINISH = "finish"
    RETURN = "return"
    WITHDRAW = "withdraw"
    STOP = "stop"
    EXTEND = "extend"  # late handling (Mẫu 04): a new due date, the status stays
    FORWARD = "forward"  # to the competent office; only procedures accepted regardless of residence


S = DossierStatus
A = DossierAction

# action → the statuses it may start from. RECEIVE/REFUSE also need "not received yet" (see _guard).
_FROM: dict[DossierAction, frozenset[DossierStatus]] = {
    A.RECEIVE: frozenset({S.NEW, S.PAPERS_REQUESTED}),
    A.REFUSE: frozenset({S.NEW, S.PAPERS_REQUESTED}),
    A.REQUEST_PAPERS: frozenset({S.NEW, S.RECEIVED, S.IN_PROCESS}),
    A.SUPPLY: frozenset({S.PAPERS_REQUESTED}),
    A.PROCESS: frozenset({S.RECEIVED}),
    A.REQUEST_FEE: frozenset({S.RECEIVED, S.IN_PROCESS}),
    A.PAY: frozenset({S.FEE_REQUESTED}),
    A.FINISH: frozenset({S.RECEIVED, S.IN_PROCESS}),
    A.RETURN: frozenset({S.DONE}),
    A.WITHDRAW: frozenset({S.NEW, S.RECEIVED, S.IN_PROCESS, S.PAPERS_REQUESTED, S.FEE_REQUESTED}),
    A.STOP: frozenset({S.RECEIVED, S.IN_PROCESS, S.PAPERS_REQUESTED, S.FEE_REQUESTED}),
    A.EXTEND: frozenset({S.RECEIVED, S.IN_PROCESS, S.PAPERS_REQUESTED, S.FEE_REQUESTED}),
    A.FORWARD: frozenset({S.NEW, S.RECEIVED}),
}
_TO: dict[DossierAction, DossierStatus] = {
    A.RECEIVE: S.RECEIVED,
    A.REFUSE: S.NOT_RECEIVED,
    A.REQUEST_PAPERS: S.PAPERS_REQUESTED,
    A.PROCESS: S.IN_PROCESS,
    A.REQUEST_FEE: S.FEE_REQUESTED,
    A.PAY: S.IN_PROCESS,
    A.FINISH: S.DONE,
    A.RETURN: S.RETURNED,
    A.WITHDRAW: S.WITHDRAWN,
    A.STOP: S.STOPPED,
}
REASON_REQUIRED = frozenset({A.REFUSE, A.REQUEST_PAPERS, A.STOP, A.EXTEND})
_STAYS = frozenset({A.EXTEND, A.FORWARD})  # actions that keep the status
_ACTION_NAMES: dict[DossierAction, tuple[str, str]] = {
    A.RECEIVE: ("tiếp nhận", "receive"),
    A.REFUSE: ("từ chối tiếp nhận", "refuse"),
    A.REQUEST_PAPERS: ("yêu cầu bổ sung giấy tờ", "request papers"),
    A.SUPPLY: ("ghi nhận đã bổ sung", "record papers supplied"),
    A.PROCESS: ("chuyển xử lý", "start processing"),
    A.REQUEST_FEE: ("yêu cầu nộp phí", "request the fee"),
    A.PAY: ("ghi nhận đã nộp phí", "record the fee paid"),
    A.FINISH: ("ghi nhận có kết quả", "record the result"),
    A.RETURN: ("trả kết quả", "return the result"),
    A.WITHDRAW: ("rút hồ sơ", "withdraw"),
    A.STOP: ("dừng xử lý", "stop"),
    A.EXTEND: ("gia hạn (xin lỗi, hẹn lại)", "extend (apologise, new date)"),
    A.FORWARD: ("chuyển đơn vị có thẩm quyền", "forward to the competent office"),
}


@dataclass(frozen=True)
class DossierSnapshot:
    status: DossierStatus
    received: bool  # received at the counter at some point (the due date runs)
    anywhere: bool = False  # the procedure is accepted regardless of place of residence (may be forwarded)


@dataclass(frozen=True)
class DossierChange:
    from_status: DossierStatus
    to_status: DossierStatus
    marks_received: bool = False


def allowed_actions(snapshot: DossierSnapshot) -> list[DossierAction]:
    return [action for action in DossierAction if _permitted(snapshot, action)]


def apply_dossier_action(
    snapshot: DossierSnapshot, action: DossierAction, *, reason: str | None = None
) -> DossierChange:
    """The status change an action makes, or a DomainError saying why it may not happen."""
    if not _permitted(snapshot, action):
        raise illegal_transition(snapshot.status, action)
    if action in REASON_REQUIRED and not (reason or "").strip():
        vi, en = _ACTION_NAMES[action]
        raise InvalidInput(
            "reason_required",
            f"Cần ghi rõ lý do khi {vi} hồ sơ.",
            f"A reason is needed to {en} a dossier.",
        )
    return DossierChange(snapshot.status, _target(snapshot, action), marks_received=action is A.RECEIVE)


def _target(snapshot: DossierSnapshot, action: DossierAction) -> DossierStatus:
    if action is A.SUPPLY:  # back to where it was: waiting for reception, or in process
        return S.IN_PROCESS if snapshot.received else S.NEW
    if action in _STAYS:
        return snapshot.status
    return _TO[action]


def _permitted(snapshot: DossierSnapshot, action: DossierAction) -> bool:
    if snapshot.status not in _FROM[action]:
        return False
    if action in (A.RECEIVE, A.REFUSE):
        return not snapshot.received
    if action is A.FORWARD:
        return snapshot.anywhere
    return True


def illegal_transition(status: DossierStatus, action: DossierAction) -> DomainError:
    status_vi, status_en = STATUS_NAMES[status]
    action_vi, action_en = _ACTION_NAMES[action]
    return DomainError(
        "illegal_transition",
        f"Không thể {action_vi} hồ sơ đang ở trạng thái '{status_vi}'.",
        f"Cannot {action_en} a dossier whose status is '{status_en}'.",
        status=status.value,
        action=action.value,
    )


# ---- codes ---------------------------------------------------------------------------------------

_CODE = re.compile(r"^(?P<office>[A-Z0-9][A-Z0-9_-]{1,15})-(?P<day>\d{6})-(?P<seq>\d{4,})$")
MAX_DAILY_SEQUENCE = 9999


def format_dossier_code(office: str, day: date, sequence: int) -> str:
    """`<office code>-YYMMDD-NNNN`, e.g. CAXTP-260310-0001."""
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise ValueError(f"the daily sequence must be 1…{MAX_DAILY_SEQUENCE}, got {sequence}")
    return f"{office}-{day:%y%m%d}-{sequence:04d}"


@dataclass(frozen=True)
class DossierCode:
    office: str
    day: date
    sequence: int


def parse_dossier_code(text: str) -> DossierCode | None:
    """The parts of a well-formed code (case and spaces forgiven), or None."""
    match = _CODE.match(text.strip().upper())
    if match is None:
        return None
    digits = match.group("day")
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        return None
    return DossierCode(match.group("office"), day, int(match.group("seq")))


# ---- due date ------------------------------------------------------------------------------------


def counting_start(received_local: datetime, hours: OpeningHours, cutoff: time | None) -> date:
    """The day the legal time starts counting from.

    The day of reception when it is a working day and the case came in before the cut-off (a set time, or
    else the end of that day's last opening interval); otherwise the next working day.
    """
    day = received_local.date()
    if is_working_day(day, hours) and received_local.time() < _day_cutoff(day, hours, cutoff):
        return day
    return _next_working_day(day, hours)


def due_date(received_local: datetime, legal_days: int, hours: OpeningHours, cutoff: time | None) -> date:
    """Result due: the counting start + `legal_days` working days (weekends, holidays and Tết skipped)."""
    return add_working_days(counting_start(received_local, hours, cutoff), legal_days, hours)


def _day_cutoff(day: date, hours: OpeningHours, cutoff: time | None) -> time:
    if cutoff is not None:
        return cutoff
    intervals = hours.weekly.get(day.weekday(), ()) or hours.weekly.get(0, ())
    if not intervals:
        return time.max
    last_end = max(interval.end_minutes() for interval in intervals)
    return time.max if last_end >= 24 * 60 else time(last_end // 60, last_end % 60)


def _next_working_day(day: date, hours: OpeningHours) -> date:
    current = day + timedelta(days=1)
    while not is_working_day(current, hours):
        current += timedelta(days=1)
    return current
