"""Kiosk pieces without a window or a server: config, idle countdown, identity, form answers, screen texts."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")

import pytest

from devices.scanners.cccd import CccdCard, format_cccd
from kiosk.api import ApiError
from kiosk.config import KEY_ENV, KioskConfigError, load_kiosk_config, parse_kiosk_config
from kiosk.presenters.base import Session
from kiosk.presenters.care import IdleWatch
from kiosk.presenters.case import PreparePresenter, money
from kiosk.presenters.identify import IdentifyPresenter, age_on
from kiosk.presenters.lookup import LookupPresenter, RatingPresenter
from kiosk.text import T, Text, minutes, say
from kiosk.ui import views

CARD = CccdCard(
    "001199004567",
    "",
    "Nguyễn Thị Hồng Nhung",
    date(1999, 2, 1),
    "Nữ",
    "Thôn 3, xã Tân Phú",
    date(2021, 8, 15),
)


# --- config ------------------------------------------------------------------------------------------


def test_overrides_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    config = parse_kiosk_config(
        '[kiosk]\ndevice_key = "k-1"\n', overrides={"server": "http://10.0.0.1:8000/"}
    )
    assert config.server == "http://10.0.0.1:8000" and config.device_key == "k-1"
    assert config.ticket_page_base == "http://10.0.0.1:8000" and config.language == "vi"


def test_key_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "key-from-env-123")
    assert load_kiosk_config(None).device_key == "key-from-env-123"


def test_config_errors_name_every_key() -> None:
    text = '[kiosk]\nserver = "ftp://x"\nidle_seconds = -1\nmaintenance_pin = "12"\ncolour = "red"\n'
    with pytest.raises(KioskConfigError) as caught:
        parse_kiosk_config(text, "kiosk.toml")
    message = str(caught.value)
    for key in ("kiosk.server", "kiosk.idle_seconds", "kiosk.maintenance_pin", "kiosk.colour"):
        assert f"kiosk.toml: {key}" in message
    assert "4 to 8 digits" in message and "http://" in message


def test_config_rejects_bad_toml_and_other_tables() -> None:
    with pytest.raises(KioskConfigError, match="not valid TOML"):
        parse_kiosk_config("[kiosk\n")
    with pytest.raises(KioskConfigError, match=r"only \[kiosk\]"):
        parse_kiosk_config("[printer]\nurl = 'x'\n")


# --- idle --------------------------------------------------------------------------------------------


def test_idle_watch_counts_down_and_a_touch_cancels() -> None:
    watch = IdleWatch(idle_s=60, countdown_s=15)
    assert watch.tick(10_000) is False  # no session: never idle
    watch.begin(100)
    assert watch.tick(159) is False and not watch.asking
    assert watch.tick(161) is False and watch.asking and watch.seconds_left == 14
    watch.touch(162)
    assert watch.tick(163) is False and not watch.asking
    assert watch.tick(162 + 75) is True


# --- identity ----------------------------------------------------------------------------------------


def test_card_fills_in_and_masks() -> None:
    identify = IdentifyPresenter()
    assert identify.handle_scan(format_cccd(CARD))
    assert identify.full_name == CARD.full_name and identify.birth_text == "01/02/1999"
    assert identify.id_masked == "001******567" and identify.warnings == []
    assert identify.age(date(2059, 2, 1)) == 60 and identify.age(date(2059, 1, 31)) == 59
    assert identify.registration() == {"qr": format_cccd(CARD)}
    identify.reset()
    assert identify.snapshot()["id_number"] == "" and identify.qr_text == "" and not identify.identified


def test_a_wrong_card_says_what_to_do() -> None:
    identify = IdentifyPresenter()
    assert not identify.handle_scan("001199004567||Tên|32132020|Nữ|Địa chỉ|01012021")
    assert "ngày sinh" in identify.error.vi and "nhập số căn cước" in identify.error.vi
    assert "001199004567" not in identify.error.vi + identify.error.en


def test_keypad_takes_twelve_digits() -> None:
    identify = IdentifyPresenter()
    for digit in "0011990045678":  # one too many: ignored
        identify.press_digit(digit)
    identify.press_digit("x")
    assert identify.typed == "001199004567"
    identify.backspace()
    assert not identify.submit_typed() and identify.error == T["identify.bad_typed"]
    identify.press_digit("7")
    assert identify.submit_typed() and identify.id_number == "001199004567" and identify.full_name == ""
    assert identify.registration({"full_name": "An", "sex": ""}) == {
        "personal_id": "001199004567",
        "full_name": "An",
    }


def test_age_on_birthdays() -> None:
    assert age_on(date(1966, 3, 10), date(2026, 3, 10)) == 60
    assert age_on(date(1966, 3, 11), date(2026, 3, 10)) == 59


def test_each_session_has_its_own_idempotency_keys() -> None:
    first, second = Session(), Session()
    assert first.idempotency_key("ticket") == first.idempotency_key("ticket")
    assert first.idempotency_key("ticket") != second.idempotency_key("ticket")
    assert 8 <= len(first.idempotency_key("dossier")) <= 128


# --- the form ----------------------------------------------------------------------------------------

FORM = [
    {
        "name": "full_name",
        "type": "text",
        "required": True,
        "max_length": 20,
        "prefill": "citizen.full_name",
        "label_vi": "Họ và tên",
        "label_en": "Full name",
    },
    {
        "name": "birth_date",
        "type": "date",
        "required": True,
        "prefill": "citizen.birth_date",
        "label_vi": "Ngày sinh",
        "label_en": "Birth date",
    },
    {"name": "children", "type": "integer", "label_vi": "Số con", "label_en": "Children"},
    {"name": "phone", "type": "phone", "label_vi": "Điện thoại", "label_en": "Phone"},
]


def prepared() -> PreparePresenter:
    identify = IdentifyPresenter()
    identify.handle_scan(format_cccd(CARD))
    prepare = PreparePresenter(api=None, identify=identify)  # type: ignore[arg-type]
    prepare.form_fields = FORM
    prepare.values = {f["name"]: prepare._prefill(f) for f in FORM}
    return prepare


def test_form_prefills_from_the_card_and_types_telex() -> None:
    prepare = prepared()
    assert prepare.values["full_name"] == CARD.full_name and prepare.values["birth_date"] == "01/02/1999"
    prepare.focus("full_name")
    for _ in range(len(CARD.full_name)):
        prepare.backspace()
    for key in "Traanf Vawn Ans":
        prepare.press(key)
    assert prepare.values["full_name"] == "Trần Văn Án"
    prepare.focus("phone")  # not a text field: no Telex ("dd" stays)
    for key in "0912dd":
        prepare.press(key)
    assert prepare.values["phone"] == "0912dd"
    assert prepare.next_field() is False


def test_form_keeps_to_the_length_limit() -> None:
    prepare = prepared()
    prepare.focus("full_name")
    for key in "aaaaaaaaaaaaaaaa":
        prepare.press(key)
    assert len(prepare.values["full_name"]) == 20


def test_form_payload_converts_and_names_local_problems() -> None:
    prepare = prepared()
    prepare.values = {**prepare.values, "children": "2", "birth_date": "1/2/1999"}
    payload = prepare.form_payload()
    assert payload["birth_date"] == "1999-02-01" and payload["children"] == 2 and "phone" not in payload
    prepare.values = {**prepare.values, "birth_date": "31/02/1999", "children": "hai"}
    prepare.form_payload()
    assert set(prepare.field_errors) == {"birth_date", "children"}
    assert prepare.field_errors["birth_date"][0] == "Ngày này không có thật."


def test_server_field_errors_go_to_their_fields() -> None:
    prepare = prepared()
    error = ApiError(
        422,
        "form_invalid",
        "Tờ khai chưa đúng",
        "Form invalid",
        {"fields": [{"field": "phone", "message_vi": "Số điện thoại không đúng", "message_en": "Bad phone"}]},
    )
    prepare.show_server_errors(error)
    assert prepare.field_errors == {"phone": ["Số điện thoại không đúng", "Bad phone"]}
    assert prepare.active == "phone" and "Điện thoại" in prepare.error.vi
    prepare.focus("phone")
    prepare.press("0")
    assert "phone" not in prepare.field_errors  # typing clears the field's message


# --- lookup and rating -------------------------------------------------------------------------------


def test_lookup_takes_the_receipt_and_the_card() -> None:
    lookup = LookupPresenter(api=None)  # type: ignore[arg-type]
    assert lookup.handle_scan("hello") == "" and lookup.error is not None
    assert lookup.handle_scan("caxtp-260310-0001") == "code" and lookup.code == "CAXTP-260310-0001"
    assert lookup.active == "last4" and lookup.error is None
    # The receipt's QR is the lookup page's address with the code in it.
    assert lookup.handle_scan("http://mc.local:8123/tra-cuu?ma=CAXTP-260311-0042") == "code"
    assert lookup.code == "CAXTP-260311-0042"
    assert lookup.handle_scan(format_cccd(CARD)) == "card" and lookup.last4 == ""  # its cases, by the flow
    assert lookup.handle_scan("001099004567|x|broken") == "" and "QR CCCD" in lookup.error.vi
    assert lookup.handle_scan("http://mc.local/tra-cuu?ma=NOT-A-CODE") == ""


def test_lookup_says_what_is_wrong_with_what_was_typed() -> None:
    lookup = LookupPresenter(api=None)  # type: ignore[arg-type]
    for key in "CAXTP-2603":
        lookup.press(key)
    assert not lookup.ready() and lookup.error.vi.startswith("Mã hồ sơ in trên giấy tiếp nhận")
    for key in "10-0001":
        lookup.press(key)
    assert not lookup.ready() and lookup.error is None and lookup.active == "last4"  # on to the digits
    lookup.press("A")
    assert lookup.last4 == "" and "chỉ nhận chữ số" in lookup.error.vi
    for key in "456":
        lookup.press(key)
    assert not lookup.ready() and "4 số cuối" in lookup.error.vi
    lookup.press("7")
    lookup.press("8")  # a fifth digit is not taken
    assert lookup.ready() and lookup.last4 == "4567" and lookup.error is None
    lookup.again()
    assert (lookup.code, lookup.last4, lookup.active, list(lookup.cases)) == ("", "", "code", [])


def test_a_case_is_said_in_plain_words_with_what_to_do_and_where() -> None:
    from kiosk.ui.views import lookup_text

    case = {
        "code": "CAXTP-260310-0001",
        "status": "papers_requested",
        "status_name_vi": "Yêu cầu bổ sung giấy tờ",
        "procedure_name_vi": "Đăng ký thường trú",
        "procedure_name_en": "Permanent residence registration",
        "office_name_vi": "Công an xã Tân Phú",
        "office_name_en": "Tan Phu commune police",
        "due_date": "2026-03-19",
        "missing": [
            {"type": "GTCMCHO", "name_vi": "Giấy tờ chỗ ở hợp pháp", "name_en": "Proof of residence"}
        ],
        "missing_reason": "Cần bản sao sổ đỏ",
    }
    shown = lookup_text([case, {**case, "status": "done", "missing": [], "missing_reason": None}], "vi")
    first, second = shown.split("\n\n")
    assert "Cần bổ sung giấy tờ" in first and "19/03/2026" in first and "Giấy tờ chỗ ở hợp pháp" in first
    assert "Cần bản sao sổ đỏ" in first and "Bộ phận Một cửa, Công an xã Tân Phú" in first
    assert "Đã có kết quả" in second and "nhận kết quả" in second and "Giấy tờ cần bổ sung" not in second
    assert "Ông/Bà" in shown and "papers_requested" not in shown and "Trạng thái" not in shown
    english = lookup_text([case], "en")
    assert "More papers needed" in english and "Tan Phu commune police" in english


def test_rating_reads_the_ticket_url_and_asks_reasons_when_unhappy() -> None:
    rating = RatingPresenter(api=None)  # type: ignore[arg-type]
    assert not rating.handle_scan(format_cccd(CARD)) and rating.error is None
    assert rating.handle_scan("http://kiosk.local:8000/t/AbC123xyz")
    assert rating.ticket_code == "AbC123xyz"
    rating.choose_face(2)
    assert rating.needs_reasons
    rating.toggle_reason("wait")
    rating.toggle_reason("attitude")
    rating.toggle_reason("wait")
    assert rating.chosen == ["attitude"]
    rating.choose_face(5)
    assert not rating.needs_reasons and rating.chosen == []


# --- texts -------------------------------------------------------------------------------------------


def test_texts_and_numbers() -> None:
    assert say(T["start.ticket"], "vi") == "Lấy số thứ tự" and say(T["start.ticket"], "en") == "Take a number"
    assert say(["một", "one"], "en") == "one" and say("start.lookup", "vi") == "Tra cứu hồ sơ"
    assert say(None, "vi") == "" and Text("a", "b")("en") == "b"
    assert minutes(None) is None and minutes(0) == 1 and minutes(20) == 1 and minutes(200) == 3
    assert money(20000) == "20.000 đ" and money(None) == ""


def test_every_text_has_both_languages() -> None:
    for key, text in T.items():
        assert text.vi.strip() and text.en.strip(), key


def test_queue_and_checklist_views() -> None:
    queues = [
        {"code": "A", "name": Text("Cư trú", "Residence"), "open": True, "waiting": 3, "wait_minutes": 12},
        {"code": "B", "name": Text("Căn cước", "ID"), "open": False, "waiting": 0, "wait_minutes": None},
    ]
    items = views.queue_items(queues, "vi")
    assert items[0]["sub"] == "3 người đang chờ · Chờ khoảng 12 phút" and not items[0]["disabled"]
    assert items[1]["sub"] == "Đang đóng" and items[1]["disabled"]
    papers: list[dict[str, Any]] = [
        {"type": "A", "name_vi": "Giấy A", "name_en": "Paper A", "status": "on_file", "needed": False},
        {"type": "B", "name_vi": "Giấy B", "name_en": "Paper B", "status": "missing", "needed": True},
    ]
    text = views.checklist_text(papers, "vi")
    assert "Giấy A" in text and "đã có, không cần nộp lại" in text and "cần nộp" in text
    review = views.review_text({"name_vi": "Đăng ký"}, papers, {}, "001******567", "vi")
    assert "001******567" in review and T["submit.missing"].vi in review


def test_a_look_under_way_when_the_papers_are_sent_neither_breaks_nor_joins_the_upload() -> None:
    """The last "Tiếp tục" starts the upload while the camera's look at the next frame is still under
    way: that look ends during the upload. It used to add a paper to the dict being sent (the upload
    died half way, silently, and the kiosk stayed on the scan screen)."""
    import asyncio

    from kiosk.demo_frames import page_photo
    from kiosk.presenters.scan import ScanPresenter

    class SlowServer:
        def __init__(self) -> None:
            self.sent: list[str] = []
            self.first_arrived = asyncio.Event()
            self.go_on = asyncio.Event()

        async def upload_document(self, _id: str, kind: str, _files: Any) -> dict[str, int]:
            self.sent.append(kind)
            self.first_arrived.set()
            await self.go_on.wait()
            return {"id": len(self.sent)}

    async def scenario() -> tuple[Any, ...]:
        server = SlowServer()
        frame = page_photo()
        scan = ScanPresenter(server, IdentifyPresenter(), lambda: frame)  # type: ignore[arg-type]
        scan.start([{"type": t, "name_vi": t} for t in ("A", "B", "C")])
        assert await scan.look(force=True)
        scan.next_paper()
        assert await scan.look(force=True)
        scan.next_paper()  # on "C", nothing taken yet
        upload = asyncio.ensure_future(scan.upload())
        await server.first_arrived.wait()
        late = await scan.look(force=True)  # the look that was under way ends now
        server.go_on.set()
        return await upload, late, server.sent, dict(scan.page_counts)

    uploaded, late, sent, counts = asyncio.run(scenario())
    assert uploaded == {"A": 1, "B": 2} and sent == ["A", "B"]
    assert late is False and "C" not in counts


def test_the_last_papers_sheet_still_on_the_desk_is_not_taken_for_the_next_paper() -> None:
    """After "Tiếp tục" the sheet just photographed usually still lies under the camera: it must not be taken
    again as the next paper's page; the next page is taken once the desk has been seen clear."""
    import asyncio

    from kiosk.demo_frames import desk, page_photo
    from kiosk.presenters.scan import STEADY_FINDS, ScanPresenter

    sheet, empty = page_photo(seed=7), desk(seed=3)
    shown = {"frame": sheet}

    async def scenario() -> tuple[dict[str, int], dict[str, int]]:
        scan = ScanPresenter(None, IdentifyPresenter(), lambda: shown["frame"])  # type: ignore[arg-type]
        scan.start([{"type": t, "name_vi": t} for t in ("A", "B")])
        for _ in range(STEADY_FINDS):
            await scan.look()
        scan.next_paper()
        for _ in range(STEADY_FINDS + 3):  # the same sheet, still there
            await scan.look()
        still_there = dict(scan.page_counts)
        shown["frame"] = empty
        await scan.look()  # the desk is clear
        shown["frame"] = page_photo(seed=11)  # the next paper's sheet
        for _ in range(STEADY_FINDS):
            await scan.look()
        return still_there, dict(scan.page_counts)

    still_there, after = asyncio.run(scenario())
    assert still_there == {"A": 1}
    assert after == {"A": 1, "B": 1}


def test_a_look_that_ends_after_the_citizen_moved_on_adds_no_page_to_the_paper_left() -> None:
    import asyncio

    import devices.scanners.document_photo as document_photo
    from kiosk.demo_frames import page_photo
    from kiosk.presenters.scan import ScanPresenter

    frame = page_photo(seed=7)
    scan = ScanPresenter(None, IdentifyPresenter(), lambda: frame)  # type: ignore[arg-type]
    scan.start([{"type": t, "name_vi": t} for t in ("A", "B")])
    real_find = document_photo.find_page

    def find_while_the_citizen_taps_on(image: Any) -> Any:
        scan.next_paper()  # "Tiếp tục" lands while this look is under way
        return real_find(image)

    document_photo.find_page = find_while_the_citizen_taps_on  # type: ignore[assignment]
    try:
        taken = asyncio.run(scan.look(force=True))
    finally:
        document_photo.find_page = real_find  # type: ignore[assignment]
    assert taken is False and scan.page_counts.get("A", 0) == 0 and scan.current["type"] == "B"
