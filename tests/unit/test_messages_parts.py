"""Message templates, phone numbers, sender URLs and the phone config: no I/O."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from queue_server.config import ConfigError
from queue_server.domain.errors import InvalidInput
from queue_server.messages.contacts import masked, normalise_phone
from queue_server.messages.smpp import international
from queue_server.messages.templates import TEMPLATES, render, unaccented
from queue_server.messages.urls import BadSenderUrl, sender_for_url
from queue_server.phone_config import load_phone_config

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_every_template_is_polite_and_renders_a_local_time() -> None:
    for kind, template in TEMPLATES.items():
        assert "Ông/Bà" in template, kind
    text = render(
        "appointment_reminder",
        {"queue": "Cư trú", "at": "2026-03-11T01:30:00+00:00", "code": "K7Q2XM"},
        office_name="UBND xã Tân Phú",
        zone=HCM,
    )
    assert (
        text
        == "UBND xã Tân Phú: nhắc Ông/Bà lịch hẹn Cư trú lúc 08:30 ngày mai 11/03/2026. Mã lịch hẹn K7Q2XM."
    )


def test_unaccented_text_is_plain_gsm() -> None:
    assert (
        unaccented("Mời Ông/Bà đến quầy 3 — Đăng ký thường trú")
        == "Moi Ong/Ba den quay 3 — Dang ky thuong tru"
    )
    assert unaccented("sắp đến lượt, hồ sơ được tiếp nhận").isascii()


@pytest.mark.parametrize(
    ("given", "national"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84987.654.321", "0987654321"),
        ("(035) 123-4567", "0351234567"),
    ],
)
def test_phone_numbers_are_normalised(given: str, national: str) -> None:
    assert normalise_phone(given) == national
    assert international(national) == "84" + national[1:]


@pytest.mark.parametrize("given", ["", "12345", "0212345678", "091234567", "09123456789", "abc"])
def test_not_a_mobile_number_is_refused_with_a_reason(given: str) -> None:
    with pytest.raises(InvalidInput) as error:
        normalise_phone(given)
    assert "Số điện thoại" in error.value.message_vi


def test_staff_see_only_the_last_digits() -> None:
    assert masked("0912345678") == "…678"
    assert masked("cong.dan@example.vn") == "c…@example.vn"
    assert masked(None) == "(đã xóa)"


@pytest.mark.parametrize(
    "url",
    [
        "smpp://127.0.0.1:2775",
        "zns://host/path",
        "smtp://host",
        "smtp://h?from=a@b.vn&security=ssl3",
        "sms://x",
    ],
)
def test_a_bad_sender_url_says_what_is_missing(url: str) -> None:
    with pytest.raises(BadSenderUrl):
        sender_for_url(url)


def test_sender_urls_pick_their_adapter() -> None:
    assert sender_for_url("smpp://u:p@127.0.0.1:2775?source=UBND").channel == "sms"
    assert sender_for_url("zns://business.openapi.zalo.me?token=t").channel == "zalo"
    assert sender_for_url("smtp://127.0.0.1:25?from=a@b.vn").channel == "email"
    assert sender_for_url("fake://").channel == "sms"


def test_phone_config_queue_overrides_and_errors(tmp_path: Path) -> None:
    (tmp_path / "phone.toml").write_text(
        """
[[office]]
code = "CAXTP"
remote_tickets = true
remote_daily_cap = 50
remote_min_wait_minutes = 20

[[queue]]
office = "CAXTP"
code = "B"
remote_daily_cap = 5
remote_min_wait_minutes = 0
""",
        encoding="utf-8",
    )
    config = load_phone_config(tmp_path)
    rules_a, rules_b = config.remote_rules("CAXTP", "A"), config.remote_rules("CAXTP", "B")
    assert (rules_a.remote_tickets, rules_a.remote_daily_cap, rules_a.remote_min_wait_minutes) == (
        True,
        50,
        20,
    )
    assert (rules_b.remote_tickets, rules_b.remote_daily_cap, rules_b.remote_min_wait_minutes) == (True, 5, 0)
    assert config.remote_rules("OTHER", "A").remote_tickets is False
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "phone.toml").write_text('[messages]\nnotify_ahead = 0\n[[office]]\ncode = "X"\nconfirm = "sms"\n')
    with pytest.raises(ConfigError) as error:
        load_phone_config(bad)
    text = str(error.value)
    assert "messages.notify_ahead" in text and "office[0].confirm" in text
