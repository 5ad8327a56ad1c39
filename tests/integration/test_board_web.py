"""display_board.web over HTTP and WebSocket (real SQLite, real config files): pages, board config and
its errors, announcements, voice clips, the console's waiting list and the phone's live view."""

from __future__ import annotations

import shutil
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from display_board.board_config import BoardConfigError, load_board_settings
from queue_server.clock import ManualClock
from tests.conftest import DEMO_CONFIG, T0
from tests.support import DISPLAY, KIOSK, Server, client_for, make_server


def config_with(tmp_path: Path, board_toml: str | None) -> Path:
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    (config / "board.toml").unlink(missing_ok=True)
    if board_toml is not None:
        (config / "board.toml").write_text(board_toml, encoding="utf-8")
    return config


def write_clip(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(b"\x00\x00" * 2205)


@pytest.fixture
def voice_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "voice"
    write_clip(folder / "chime.wav")
    return folder


@pytest.fixture
def server(tmp_path: Path, voice_dir: Path) -> Server:
    board = f'notice = "Giữ trật tự"\nhighlight_count = 3\nvoice_dir = "{voice_dir}"\n[voice]\nrepeat = 2\n'
    return make_server(f"sqlite:///{tmp_path / 'web.sqlite3'}", ManualClock(T0), config_with(tmp_path, board))


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def issue(client: TestClient, queue: str = "A", **extra: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/tickets", json={"queue": queue, **extra}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


# ---- board.toml ----------------------------------------------------------------------------------


def test_board_toml_is_optional_and_validated(tmp_path: Path) -> None:
    assert load_board_settings(config_with(tmp_path / "none", None)).highlight_count == 5
    demo = load_board_settings(DEMO_CONFIG)
    assert demo.voice.recall_repeat == 2 and demo.notice and "căn cước" in demo.notice

    bad = config_with(tmp_path / "bad", 'highlight_count = 40\ncolour = "red"\n[voice]\nrepeat = 9\n')
    with pytest.raises(BoardConfigError) as caught:
        load_board_settings(bad)
    problems = caught.value.problems
    assert len(problems) == 3
    assert all(p.startswith(str(bad / "board.toml") + ": ") for p in problems)
    assert any("highlight_count:" in p and "less than or equal to 10" in p for p in problems)
    assert any("colour: unknown key (known: " in p and "notice" in p for p in problems)
    assert any("voice.repeat:" in p for p in problems)

    broken = config_with(tmp_path / "toml", "notice = 'unterminated\n")
    with pytest.raises(BoardConfigError, match="not valid TOML"):
        load_board_settings(broken)


def test_a_bad_board_toml_keeps_the_server_up_and_shows_the_problem(tmp_path: Path) -> None:
    config = config_with(tmp_path, "flash_seconds = -1\n")
    server = make_server(f"sqlite:///{tmp_path / 'bad.sqlite3'}", ManualClock(T0), config)
    with client_for(server) as client:
        issue(client)  # the kiosks keep working
        answer = client.get("/api/v1/board/config")
        assert answer.status_code == 503
        error = answer.json()["error"]
        assert error["code"] == "board_config_invalid"
        assert "board.toml" in error["message_vi"] and "flash_seconds" in error["message_vi"]


# ---- pages and board API -------------------------------------------------------------------------


def test_pages_are_served(client: TestClient) -> None:
    for path, marker in (("/board", "Bảng số thứ tự"), ("/counter", "Đăng nhập cán bộ")):
        page = client.get(path)
        assert page.status_code == 200 and marker in page.text
        assert page.headers["content-type"].startswith("text/html")
    for name in ("board.js", "counter.js", "phone.js", "live.js", "voice.js", "board.css"):
        assert client.get(f"/static/board/{name}").status_code == 200
    ticket = issue(client)
    phone = client.get(f"/t/{ticket['public_code']}")
    assert phone.status_code == 200 and "Số thứ tự của Ông/Bà" in phone.text
    missing = client.get("/t/KhongCoSoNayDau123")
    assert missing.status_code == 404 and "Không tìm thấy số thứ tự" in missing.text
    assert missing.headers["content-type"].startswith("text/html")


def test_board_config(client: TestClient) -> None:
    issue(client)
    config = client.get("/api/v1/board/config").json()
    assert config["office"] == {
        "code": "CAXTP",
        "name_vi": "Công an xã Tân Phú",
        "time_zone": "Asia/Ho_Chi_Minh",
    }
    assert config["title"] == "Công an xã Tân Phú"
    assert config["notice"] == "Giữ trật tự"
    assert config["highlight_count"] == 3
    assert config["voice"]["queue_limit"] == 6
    events = client.get("/api/v1/events", headers=DISPLAY).json()
    assert config["last_seq"] == events[-1]["seq"]
    assert client.get("/api/v1/board/config?office=NOPE").status_code == 404


def test_announcement(client: TestClient) -> None:
    first = client.get("/api/v1/board/announcement", params={"number": "A023", "counter": 3}).json()
    assert first["text"] == "Xin mời công dân có số thứ tự A không hai ba đến quầy số ba"
    assert first["clips"][:2] == ["chime", "phrase_xin_moi_cong_dan_co_so_thu_tu"]
    assert first["repeat"] == 2  # board.toml [voice] repeat
    recall = client.get("/api/v1/board/announcement", params={"number": "B7", "counter": 12, "recall": 1})
    assert recall.json()["text"].endswith("B bảy đến quầy số mười hai")
    bad = client.get("/api/v1/board/announcement", params={"number": "A-23", "counter": 3})
    assert bad.status_code == 422 and bad.json()["error"]["message_vi"].startswith("Số thứ tự không hợp lệ")
    assert client.get("/api/v1/board/announcement", params={"number": "A1", "counter": 0}).status_code == 422


def test_voice_clips(client: TestClient) -> None:
    clip = client.get("/voice/chime.wav")
    assert clip.status_code == 200 and clip.headers["content-type"] == "audio/wav"
    assert clip.content[:4] == b"RIFF"
    missing = client.get("/voice/num_3.wav")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "clip_not_found"
    for name in ("..%2Fboard", "CHIME", "a.b", "%2Fetc%2Fpasswd"):
        assert client.get(f"/voice/{name}.wav").status_code == 404


# ---- the console's waiting list ------------------------------------------------------------------


def test_waiting_list(server: Server, client: TestClient) -> None:
    normal = [issue(client, "A"), issue(client, "B")]
    elderly = issue(client, "A", priority="elderly")
    issue(client, "C")  # counter 1 does not serve C
    staff = server.login(client, "canbo1")
    assert client.get("/api/v1/counters/1/waiting", headers=staff).status_code == 403  # not seated
    assert client.get("/api/v1/counters/1/waiting").status_code == 401
    assert client.get("/api/v1/counters/1/waiting", headers=DISPLAY).status_code == 403
    client.post("/api/v1/counters/1/open", headers=staff)

    listing = client.get("/api/v1/counters/1/waiting", headers=staff).json()
    assert listing["queues"] == ["A", "B"] and listing["total"] == 3
    assert [row["number"] for row in listing["waiting"]] == ["A001", "B001", "A002"]
    assert [row["next"] for row in listing["waiting"]] == [False, False, True]  # priority goes first
    assert [row["position"] for row in listing["waiting"]] == [1, 1, 2]
    assert listing["waiting"][2]["priority_name_vi"] == "Người cao tuổi (từ 60 tuổi)"
    assert listing["waiting"][0]["queue_name_vi"] == "Cư trú"
    called = client.post("/api/v1/counters/1/call-next", headers=staff).json()
    assert called["id"] == elderly["id"]  # the marked one is what call-next takes

    client.post(f"/api/v1/tickets/{called['id']}/hold", headers=staff, json={"reason": "photo"})
    listing = client.get("/api/v1/counters/1/waiting", headers=staff).json()
    assert [row["number"] for row in listing["on_hold"]] == ["A002"]
    assert listing["on_hold"][0]["status"] == "on_hold" and listing["on_hold"][0]["position"] is None
    assert {row["id"] for row in listing["waiting"]} == {t["id"] for t in normal}
    assert len(client.get("/api/v1/counters/1/waiting?limit=1", headers=staff).json()["waiting"]) == 1

    other = server.login(client, "canbo2")
    client.post("/api/v1/counters/2/open", headers=other)
    assert client.get("/api/v1/counters/1/waiting", headers=other).status_code == 403
    supervisor = server.login(client, "giamsat")
    assert client.get("/api/v1/counters/1/waiting", headers=supervisor).status_code == 200
    assert client.get("/api/v1/counters/9/waiting", headers=supervisor).status_code == 404


# ---- the phone's live view -----------------------------------------------------------------------


def test_phone_stream_sends_only_its_ticket(server: Server, client: TestClient) -> None:
    ahead = issue(client, "A")
    mine = issue(client, "A")
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    with client.websocket_connect(f"/api/v1/public/tickets/{mine['public_code']}/events") as socket:
        first = socket.receive_json()
        assert first["type"] == "ticket"
        view = first["ticket"]
        assert (view["number"], view["status"], view["people_ahead"]) == (mine["number"], "waiting", 1)
        assert not {"id", "public_code", "office", "staff"} & set(view)

        client.post("/api/v1/counters/1/call-next", headers=staff)  # calls the one ahead of mine
        moved = socket.receive_json()["ticket"]
        assert moved["people_ahead"] == 0 and moved["status"] == "waiting"

        client.post(f"/api/v1/counters/1/call/{mine['id']}", headers=staff)
        called = socket.receive_json()["ticket"]
        assert (called["status"], called["counter"]) == ("called", 1)
    assert ahead["number"] != mine["number"]


def test_phone_stream_refuses_unknown_codes(client: TestClient) -> None:
    for code in ("KhongCoSoNayDau123", "short", "bad!code!here"):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect(f"/api/v1/public/tickets/{code}/events") as socket,
        ):
            socket.receive_json()
        assert closed.value.code == 4404


def test_board_stream_gets_every_event_of_one_commit_in_order(server: Server, client: TestClient) -> None:
    """call-next at a busy counter commits two events at once (no-show, then the call): both reach the board."""
    first, second = issue(client), issue(client)
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    client.post("/api/v1/counters/1/call-next", headers=staff)
    with client.websocket_connect("/api/v1/events?key=" + DISPLAY["X-Device-Key"]) as socket:
        client.post("/api/v1/counters/1/call-next", headers=staff)
        events = [socket.receive_json() for _ in range(2)]
    assert [e["type"] for e in events] == ["ticket.no_show", "ticket.called"]
    assert [e["data"]["ticket"]["id"] for e in events] == [first["id"], second["id"]]
    assert events[1]["seq"] == events[0]["seq"] + 1


def test_a_board_that_leaves_is_forgotten(server: Server, client: TestClient) -> None:
    """The sender of a board that disconnects is woken and its subscription dropped (no leak over weeks)."""
    with client.websocket_connect("/api/v1/events?key=" + DISPLAY["X-Device-Key"]):
        assert server.ctx.hub.client_count == 1
    for _ in range(200):  # the server notices the close on its own loop
        if server.ctx.hub.client_count == 0:
            break
        client.get("/api/v1/health")
    assert server.ctx.hub.client_count == 0
    issue(client)  # publishing to nobody is fine


def test_waiting_list_and_current_ticket_carry_the_dossier_code(server: Server, client: TestClient) -> None:
    from tests.fixtures.dossiers.helpers import register, submit, upload

    register(client)
    document = upload(client, "GTCMCHO")
    assert document.status_code == 201, document.text
    answer = submit(client, "board-web-dossier-0001", [int(document.json()["id"])])
    assert answer.status_code == 201, answer.text
    code, ticket = answer.json()["dossier"]["code"], answer.json()["ticket"]
    walk_in = issue(client, ticket["queue"])
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    rows = client.get("/api/v1/counters/1/waiting", headers=staff).json()["waiting"]
    by_id = {row["id"]: row for row in rows}
    assert by_id[ticket["id"]]["dossier_code"] == code
    assert by_id[walk_in["id"]]["dossier_code"] is None
