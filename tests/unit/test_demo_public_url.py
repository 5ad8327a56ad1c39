"""The demo prints and encodes addresses with the port actually served (unless MOTCUA_PUBLIC_URL is set)."""

from __future__ import annotations

import pytest

from queue_server.cli import _with_served_public_url
from queue_server.settings import ServerSettings


def test_the_demo_public_url_follows_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_PUBLIC_URL", raising=False)
    served = _with_served_public_url(ServerSettings(port=8123, host="0.0.0.0"))
    assert served.public_url == "http://127.0.0.1:8123"
    local = _with_served_public_url(ServerSettings(port=9000, host="192.168.1.20"))
    assert local.public_url == "http://192.168.1.20:9000"


def test_an_explicit_public_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_PUBLIC_URL", "https://motcua.example.vn")
    settings = ServerSettings(port=8123)
    assert _with_served_public_url(settings).public_url == "https://motcua.example.vn"
