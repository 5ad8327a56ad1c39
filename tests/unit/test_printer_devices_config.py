"""devices.toml: valid files load; every problem names the file and the key."""

from __future__ import annotations

import pytest

from devices.config import DevicesConfigError, parse_devices_config

GOOD = """
[printers.ticket]
url = "file://var/kiosk/ticket.bin"
paper = "58mm"

[printers.counter-3]
url = "tcp://192.168.1.50:9100"

[scanners.camera]
url = "camera+file://var/kiosk/camera"

[scanners.gun]
url = "serial:///dev/ttyACM0?baudrate=9600"

[scanners.test]
url = "loop://"
"""


def test_good_config_loads_with_defaults() -> None:
    config = parse_devices_config(GOOD, "kiosk.toml")
    assert config.printers["ticket"].paper == "58mm"
    assert config.printers["counter-3"].paper == "80mm"
    assert config.printers["counter-3"].url == "tcp://192.168.1.50:9100"
    assert sorted(config.scanners) == ["camera", "gun", "test"]


def test_empty_file_has_no_devices() -> None:
    config = parse_devices_config("", "empty.toml")
    assert config.printers == {} and config.scanners == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[printers.ticket]\nurl = "usb://04b8"\n', "kiosk.toml: printers.ticket.url: bad USB id '04b8'"),
        ('[printers.ticket]\nurl = "tcp://host"\n', "kiosk.toml: printers.ticket.url: missing port"),
        (
            '[printers.ticket]\nurl = "dummy://"\npaper = "76mm"\n',
            "kiosk.toml: printers.ticket.paper: Input should be '80mm' or '58mm'",
        ),
        ("[printers.ticket]\npaper = '80mm'\n", "kiosk.toml: printers.ticket.url: Field required"),
        (
            '[printers.ticket]\nurl = "dummy://"\nspeed = 3\n',
            "kiosk.toml: printers.ticket.speed: unknown key",
        ),
        (
            '[scanners.cam]\nurl = "webcam://0"\n',
            "kiosk.toml: scanners.cam.url: unknown scanner URL 'webcam://0'",
        ),
        ('[scanners.cam]\nurl = "camera://"\n', "kiosk.toml: scanners.cam.url: 'camera://' names no device"),
        ("[displays.board]\nurl = 'x'\n", "kiosk.toml: displays: unknown key"),
        (
            '[printers.Ticket]\nurl = "dummy://"\n',
            "kiosk.toml: printers: device name 'Ticket' must be lower case",
        ),
        ("[printers.ticket\n", "kiosk.toml: not valid TOML"),
    ],
)
def test_problems_name_file_and_key(text: str, expected: str) -> None:
    with pytest.raises(DevicesConfigError) as caught:
        parse_devices_config(text, "kiosk.toml")
    assert expected in str(caught.value)


def test_all_problems_are_reported_at_once() -> None:
    text = '[printers.a]\nurl = "ftp://x"\n[printers.b]\nurl = "serial://"\n[scanners.c]\nurl = "nope"\n'
    with pytest.raises(DevicesConfigError) as caught:
        parse_devices_config(text, "kiosk.toml")
    keys = [problem.split(":")[0] for problem in caught.value.problems]
    assert keys == ["printers.a.url", "printers.b.url", "scanners.c.url"]
