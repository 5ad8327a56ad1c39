"""Staffing advice: the next hour with the desks open now, and with the one more that helps most."""

from __future__ import annotations

from analytics.advice import DeskNow, LineNow, WaitingNow, advise
from analytics.scenario import ServiceModel
from queue_server.domain.calling import FairnessRule

A = LineNow("A", "Cư trú", arrivals_per_hour=6.0, service=ServiceModel(480.0, 0.3))
B = LineNow("B", "Căn cước", arrivals_per_hour=2.0, service=ServiceModel(300.0, 0.3))


def desks(**status: str) -> list[DeskNow]:
    weights = {1: {"A": 1.0}, 2: {"A": 1.0}, 3: {"B": 1.0}}
    return [DeskNow(n, weights[n], status.get(f"d{n}", "closed")) for n in (1, 2, 3)]


def crowd(count: int, queue: str = "A") -> list[WaitingNow]:
    return [WaitingNow(queue, 600.0 - 30 * i) for i in range(count)]


def run(**kwargs: object) -> object:
    values: dict[str, object] = {"lines": [A, B], "rule": FairnessRule(), "target_s": 900.0, "seed": 3}
    values.update(kwargs)
    return advise(**values)  # type: ignore[arg-type]


def test_names_the_desk_that_brings_the_line_under_the_target() -> None:
    advice = run(desks=desks(d1="open", d3="open"), waiting=crowd(6))
    assert advice.over_target == ["A"]  # type: ignore[attr-defined]
    assert advice.suggested_counter == 2  # type: ignore[attr-defined]
    assert advice.message_vi == "Hàng Cư trú sẽ vượt 15 phút nếu không mở thêm quầy thứ 3 (quầy số 2)."  # type: ignore[attr-defined]
    assert advice.with_suggestion_s["A"] <= 900 < advice.projected_wait_s["A"]  # type: ignore[attr-defined]


def test_a_paused_desk_is_to_be_resumed() -> None:
    advice = run(desks=desks(d1="open", d2="paused", d3="open"), waiting=crowd(6))
    assert "nếu không mở lại quầy thứ 3 (quầy số 2)" in advice.message_vi  # type: ignore[attr-defined]


def test_all_lines_fine() -> None:
    advice = run(desks=desks(d1="open", d2="open", d3="open"), waiting=crowd(1))
    assert advice.over_target == []  # type: ignore[attr-defined]
    assert advice.message_vi == "Với 3 quầy đang mở, các hàng dự kiến chờ dưới 15 phút trong giờ tới."  # type: ignore[attr-defined]


def test_no_desk_left_to_open() -> None:
    advice = run(desks=desks(d1="open", d2="open", d3="open"), waiting=crowd(30))
    assert advice.suggested_counter is None  # type: ignore[attr-defined]
    assert "mọi quầy phục vụ hàng này đều đang mở" in advice.message_vi  # type: ignore[attr-defined]


def test_one_more_desk_is_not_enough() -> None:
    advice = run(desks=desks(d1="open", d3="open"), waiting=crowd(40))
    assert advice.suggested_counter == 2  # type: ignore[attr-defined]
    assert "kể cả khi mở thêm một quầy" in advice.message_vi  # type: ignore[attr-defined]


def test_a_line_without_an_open_desk_gets_no_figure_but_a_desk_to_open() -> None:
    advice = run(desks=desks(d3="open"), waiting=crowd(4), now_waits={"A": 2400.0, "B": 0.0})
    assert advice.projected_wait_s["A"] is None  # type: ignore[attr-defined]
    assert (
        advice.message_vi
        == "Hàng Cư trú chưa có quầy nào đang mở phục vụ (4 người đang chờ): cần mở quầy số 1."
    )  # type: ignore[attr-defined]


def test_the_advice_quotes_the_cards_wait_not_its_own() -> None:
    advice = run(desks=desks(d1="open", d2="open", d3="open"), waiting=crowd(30), now_waits={"A": 1500.0})
    assert "người lấy số bây giờ dự kiến chờ 25 phút" in advice.message_vi  # type: ignore[attr-defined]


def test_nothing_is_recommended_when_the_day_is_over() -> None:
    advice = run(desks=desks(d1="open"), waiting=crowd(30), time_left_s=0.0)
    assert advice.suggested_counter is None  # type: ignore[attr-defined]
    assert advice.message_vi == "Đã hết giờ làm việc hôm nay: không gợi ý mở thêm quầy."  # type: ignore[attr-defined]
