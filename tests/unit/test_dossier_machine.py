"""The dossier status machine: every status × action pair, reasons, codes."""

from __future__ import annotations

from datetime import date

import pytest

from queue_server.domain.dossiers import (
    DossierAction,
    DossierSnapshot,
    DossierStatus,
    allowed_actions,
    apply_dossier_action,
    format_dossier_code,
    parse_dossier_code,
)
from queue_server.domain.errors import DomainError, InvalidInput

S, A = DossierStatus, DossierAction

# The whole table, written out by hand from the national list and docs/cases.md: (status, action) → the
# status it leads to. Missing pairs are illegal. It holds whether or not the dossier was received before,
# except for the three actions that depend on that (below).
TABLE: dict[tuple[DossierStatus, DossierAction], DossierStatus] = {
    (S.NEW, A.REQUEST_PAPERS): S.PAPERS_REQUESTED,
    (S.NEW, A.WITHDRAW): S.WITHDRAWN,
    (S.RECEIVED, A.REQUEST_PAPERS): S.PAPERS_REQUESTED,
    (S.RECEIVED, A.PROCESS): S.IN_PROCESS,
    (S.RECEIVED, A.REQUEST_FEE): S.FEE_REQUESTED,
    (S.RECEIVED, A.FINISH): S.DONE,
    (S.RECEIVED, A.WITHDRAW): S.WITHDRAWN,
    (S.RECEIVED, A.STOP): S.STOPPED,
    (S.IN_PROCESS, A.REQUEST_PAPERS): S.PAPERS_REQUESTED,
    (S.IN_PROCESS, A.REQUEST_FEE): S.FEE_REQUESTED,
    (S.IN_PROCESS, A.FINISH): S.DONE,
    (S.IN_PROCESS, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_PROCESS, A.STOP): S.STOPPED,
    (S.PAPERS_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.PAPERS_REQUESTED, A.STOP): S.STOPPED,
    (S.FEE_REQUESTED, A.PAY): S.IN_PROCESS,
    (S.FEE_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.FEE_REQUESTED, A.STOP): S.STOPPED,
    (S.DONE, A.RETURN): S.RETURNED,
    # late handling (Mẫu 04) keeps the status and only moves the due date
    (S.RECEIVED, A.EXTEND): S.RECEIVED,
    (S.IN_PROCESS, A.EXTEND): S.IN_PROCESS,
    (S.PAPERS_REQUESTED, A.EXTEND): S.PAPERS_REQUESTED,
    (S.FEE_REQUESTED, A.EXTEND): S.FEE_REQUESTED,
}
# Forwarding to the competent office keeps the status, and only procedures accepted anywhere may go.
ANYWHERE: dict[tuple[DossierStatus, DossierAction], DossierStatus] = {
    (S.NEW, A.FORWARD): S.NEW,
    (S.RECEIVED, A.FORWARD): S.RECEIVED,
}
# Reception happens once: receive/refuse only before it; supplied papers lead back to where it was.
BEFORE_RECEPTION: dict[tuple[DossierStatus, DossierAction], DossierStatus] = {
    (S.NEW, A.RECEIVE): S.RECEIVED,
    (S.NEW, A.REFUSE): S.NOT_RECEIVED,
    (S.PAPERS_REQUESTED, A.RECEIVE): S.RECEIVED,
    (S.PAPERS_REQUESTED, A.REFUSE): S.NOT_RECEIVED,
    (S.PAPERS_REQUESTED, A.SUPPLY): S.NEW,
}
AFTER_RECEPTION: dict[tuple[DossierStatus, DossierAction], DossierStatus] = {
    (S.PAPERS_REQUESTED, A.SUPPLY): S.IN_PROCESS,
}


def expected_target(
    status: DossierStatus, action: DossierAction, received: bool, anywhere: bool = False
) -> DossierStatus | None:
    special = AFTER_RECEPTION if received else BEFORE_RECEPTION
    found = TABLE.get((status, action)) or special.get((status, action))
    return found or (ANYWHERE.get((status, action)) if anywhere else None)


WITH_REASON = {A.REFUSE, A.REQUEST_PAPERS, A.STOP, A.EXTEND}
PAIRS = [
    (s, a, r, w) for s in DossierStatus for a in DossierAction for r in (False, True) for w in (False, True)
]


@pytest.mark.parametrize(("status", "action", "received", "anywhere"), PAIRS)
def test_every_status_action_pair(
    status: DossierStatus, action: DossierAction, received: bool, anywhere: bool
) -> None:
    snapshot = DossierSnapshot(status, received, anywhere)
    expected = expected_target(status, action, received, anywhere)
    reason = "thiếu giấy tờ" if action in WITH_REASON else None
    if expected is None:
        with pytest.raises(DomainError) as caught:
            apply_dossier_action(snapshot, action, reason=reason)
        assert caught.value.code == "illegal_transition"
        assert caught.value.details == {"status": status.value, "action": action.value}
        assert action not in allowed_actions(snapshot)
    else:
        change = apply_dossier_action(snapshot, action, reason=reason)
        assert (change.from_status, change.to_status) == (status, expected)
        assert change.marks_received == (action is A.RECEIVE)
        assert action in allowed_actions(snapshot)


def test_the_table_covers_a_path_to_every_status() -> None:
    reached = {S.NEW, *TABLE.values(), *BEFORE_RECEPTION.values(), *AFTER_RECEPTION.values()}
    assert reached == set(DossierStatus)


@pytest.mark.parametrize("action", sorted(WITH_REASON))
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_refusing_requesting_and_stopping_need_a_reason(action: DossierAction, reason: str | None) -> None:
    later = action in (A.STOP, A.EXTEND)
    status = S.IN_PROCESS if later else S.NEW
    with pytest.raises(InvalidInput) as caught:
        apply_dossier_action(DossierSnapshot(status, later), action, reason=reason)
    assert caught.value.code == "reason_required"
    assert "lý do" in caught.value.message_vi


def test_final_statuses_allow_nothing() -> None:
    for status in (S.NOT_RECEIVED, S.WITHDRAWN, S.STOPPED, S.RETURNED):
        for received in (False, True):
            assert allowed_actions(DossierSnapshot(status, received)) == []


def test_status_numbers_follow_the_national_list() -> None:
    numbers = {status.value: status.number for status in DossierStatus}
    assert numbers == {
        "new": 1,
        "received": 2,
        "not_received": 3,
        "in_process": 4,
        "papers_requested": 5,
        "fee_requested": 6,
        "withdrawn": 7,
        "stopped": 8,
        "done": 9,
        "returned": 10,
    }


def test_illegal_message_names_status_and_action_in_both_languages() -> None:
    with pytest.raises(DomainError) as caught:
        apply_dossier_action(DossierSnapshot(S.RETURNED, True), A.RECEIVE)
    assert "Đã trả kết quả" in caught.value.message_vi and "tiếp nhận" in caught.value.message_vi
    assert "Result returned" in caught.value.message_en and "receive" in caught.value.message_en


def test_code_format_and_parse() -> None:
    code = format_dossier_code("CAXTP", date(2026, 3, 10), 7)
    assert code == "CAXTP-260310-0007"
    parsed = parse_dossier_code(" caxtp-260310-0007 ")
    assert parsed is not None and (parsed.office, parsed.day, parsed.sequence) == (
        "CAXTP",
        date(2026, 3, 10),
        7,
    )
    hyphenated = parse_dossier_code("CA-XTP-261231-9999")
    assert hyphenated is not None and hyphenated.office == "CA-XTP" and hyphenated.day == date(2026, 12, 31)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "CAXTP",
        "CAXTP-261310-0001",
        "CAXTP-260230-0001",
        "CAXTP-260310-01",
        "CAXTP_260310_0001",
        "X-260310-1",
    ],
)
def test_malformed_codes_do_not_parse(text: str) -> None:
    assert parse_dossier_code(text) is None


@pytest.mark.parametrize("sequence", [0, 10_000])
def test_sequence_out_of_range_is_refused(sequence: int) -> None:
    with pytest.raises(ValueError, match="daily sequence"):
        format_dossier_code("CAXTP", date(2026, 3, 10), sequence)
