"""At a kiosk, a citizen looks up their cases by the ID card's QR: only the holder's cases, only the public
lookup's fields, and only when the card's name and birth date agree with what the office knows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.dossiers.helpers import BINH_ID, BINH_QR, NHUNG_QR, claim_typed, seated, submit
from tests.integration.test_lookup import ANSWER_KEYS
from tests.support import KIOSK, Server

BY_CARD = "/api/v1/dossiers/lookup-by-card"


def test_the_cards_holder_sees_their_cases_newest_first_with_the_public_fields_only(
    server: Server, client: TestClient
) -> None:
    first = submit(client, "kiosk-card-0001", []).json()["dossier"]["code"]
    second = submit(client, "kiosk-card-0002", []).json()["dossier"]["code"]
    submit(client, "kiosk-card-0003", [], personal_id=BINH_ID)  # another citizen's case
    staff = seated(server, client, "canbo1", 1)
    asked = client.post(
        f"/api/v1/dossiers/{first}/request-papers",
        json={"reason": "Cần bản sao sổ đỏ", "papers": ["GTCMCHO"]},
        headers=staff,
    )
    assert asked.status_code == 200, asked.text
    answer = client.post(BY_CARD, json={"qr": NHUNG_QR}, headers=KIOSK)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["personal_id_masked"] == "001******567"
    assert [c["code"] for c in found["cases"]] == [second, first]
    assert all(set(case) == ANSWER_KEYS for case in found["cases"])
    requested = found["cases"][1]
    assert requested["status"] == "papers_requested" and requested["missing_reason"] == "Cần bản sao sổ đỏ"
    assert [m["type"] for m in requested["missing"]] == ["GTCMCHO"]
    text = answer.text
    assert "Nhung" not in text and "001199004567" not in text and "Thôn 3" not in text


def test_a_card_whose_name_or_birth_date_disagree_shows_nothing(client: TestClient) -> None:
    submit(client, "kiosk-card-0004", [])
    forged = NHUNG_QR.replace("Nguyễn Thị Hồng Nhung", "Lê Văn Tám")
    other_day = NHUNG_QR.replace("|01021999|", "|02021999|")
    for qr in (forged, other_day):
        answer = client.post(BY_CARD, json={"qr": qr}, headers=KIOSK)
        assert answer.status_code == 200 and answer.json()["cases"] == []
    # The same name in another case and spacing is the same person.
    spaced = NHUNG_QR.replace("Nguyễn Thị Hồng Nhung", "nguyễn  thị hồng NHUNG")
    assert len(client.post(BY_CARD, json={"qr": spaced}, headers=KIOSK).json()["cases"]) == 1


def test_a_typed_case_is_found_by_the_card_when_the_declared_name_agrees(client: TestClient) -> None:
    claim = claim_typed(client, BINH_ID, full_name="Trần Văn Bình")
    typed = submit(client, "kiosk-card-0005", [], personal_id=BINH_ID, claim=claim).json()
    assert "dossier" in typed, typed
    answer = client.post(BY_CARD, json={"qr": BINH_QR}, headers=KIOSK).json()
    assert [c["code"] for c in answer["cases"]] == [typed["dossier"]["code"]]


def test_an_unknown_citizen_has_no_cases_and_nobody_is_created(server: Server, client: TestClient) -> None:
    unknown = "079185009999||Phạm Thị Lan|01011960|Nữ|Xã Tân Phú|01032022"
    answer = client.post(BY_CARD, json={"qr": unknown}, headers=KIOSK)
    assert answer.status_code == 200 and answer.json() == {"personal_id_masked": "079******999", "cases": []}
    staff = server.login(client, "admin")
    person = client.post("/api/v1/citizens/person", json={"personal_id": "079185009999"}, headers=staff)
    assert person.status_code == 404, person.text


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"qr": "CAXTP-260310-0001"}, 422, "bad_qr"),  # a receipt held up instead of the card
        ({"qr": "0011|x"}, 422, "invalid_request"),
        ({"qr": NHUNG_QR, "last4": "4567"}, 422, "invalid_request"),
    ],
)
def test_what_is_not_a_card_is_refused_clearly(
    client: TestClient, body: dict[str, str], status: int, code: str
) -> None:
    answer = client.post(BY_CARD, json=body, headers=KIOSK)
    assert answer.status_code == status and answer.json()["code"] == code, answer.text
    assert answer.json()["message"]


def test_only_a_kiosk_looks_up_by_card(server: Server, client: TestClient) -> None:
    assert client.post(BY_CARD, json={"qr": NHUNG_QR}).status_code == 401
    staff = server.login(client, "canbo1")
    assert client.post(BY_CARD, json={"qr": NHUNG_QR}, headers=staff).status_code == 403


def test_card_lookups_share_the_public_lookups_rate_limit(client: TestClient) -> None:
    answers = [client.post(BY_CARD, json={"qr": NHUNG_QR}, headers=KIOSK).status_code for _ in range(10)]
    assert answers == [200] * 10
    limited = client.post(BY_CARD, json={"qr": NHUNG_QR}, headers=KIOSK)
    assert limited.status_code == 429 and limited.json()["code"] == "too_many_lookups"
    assert int(limited.headers["Retry-After"]) <= 60 and "phút" in limited.json()["message"]
