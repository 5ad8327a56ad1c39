"""The OpenAPI document: every 4xx answer is the one error body, and the routes answer typed models."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support import KIOSK

TYPED_TAGS = {
    "queues",
    "stats",
    "appointments",
    "ratings",
    "events",
    "procedures",
    "auth",
    "analytics",
    "board",
}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_every_operation_describes_its_errors_with_the_error_body(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    error = document["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"error", "code", "message", "message_en"}
    assert "HTTPValidationError" not in document["components"]["schemas"]  # 422 is the error body too
    for method, path, op in operations(document):
        answer = op["responses"]["4XX"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
        assert "422" not in op["responses"], (method, path)


def test_the_routes_of_these_parts_answer_typed_models(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    untyped = []
    for method, path, op in operations(document):
        if not TYPED_TAGS & set(op.get("tags", [])):
            continue
        for code, answer in op["responses"].items():
            schema = answer.get("content", {}).get("application/json", {}).get("schema")
            if code.startswith("2") and schema is not None and "$ref" not in str(schema):
                untyped.append((method, path, code))
    assert untyped == []


def test_an_error_answer_matches_what_the_document_says(client: TestClient) -> None:
    answer = client.get("/api/v1/procedures/9.999999", headers=KIOSK)
    assert answer.status_code == 404
    body = answer.json()
    assert set(body) == {"error", "code", "message", "message_en"}
    assert set(body["error"]) == {"code", "message_vi", "message_en", "details"}


def test_every_procedure_of_the_catalogue_fits_its_model(client: TestClient) -> None:
    summaries = client.get("/api/v1/procedures", headers=KIOSK).json()
    assert summaries
    for summary in summaries:
        detail = client.get(f"/api/v1/procedures/{summary['code']}", headers=KIOSK)
        assert detail.status_code == 200, detail.text
        assert {**detail.json(), **summary} == detail.json()  # the summary is part of the detail
