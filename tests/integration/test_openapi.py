"""The OpenAPI document: every 4xx answer is the one error body, and the routes answer typed models."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support import KIOSK

FILES = {"string"}  # a file answer (page image, PDF, QR, report) is bytes of its declared media types


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
        for code, other in op["responses"].items():  # any other failure it names (507) is the same body
            if not code.startswith("2") and code != "4XX":
                assert other["content"] == {"application/json": {"schema": answer}}, (method, path, code)
        assert "422" not in op["responses"], (method, path)


def test_every_operation_declares_a_typed_success_answer(client: TestClient) -> None:
    """Every operation of the document: a 2xx answer whose body is a named model (or a list of them), a
    file of named media types, or no body at all (204) — never a bare object, `Any` or nothing said."""
    document = client.get("/openapi.json").json()
    untyped = []
    for method, path, op in operations(document):
        successes = {code: answer for code, answer in op["responses"].items() if code.startswith("2")}
        if not successes or not all(typed(code, answer) for code, answer in successes.items()):
            untyped.append(f"{method.upper()} {path}")
    assert len(operations(document)) > 80
    assert untyped == []


def typed(code: str, answer: dict[str, Any]) -> bool:
    content = answer.get("content")
    if content is None:
        return code == "204"
    for media_type, body in content.items():
        schema = body.get("schema", {})
        if media_type == "application/json":
            if not named(schema):
                return False
        elif schema.get("type") not in FILES or schema.get("format") != "binary":
            return False
    return True


def named(schema: dict[str, Any]) -> bool:
    """A reference to a model, a list of them, or one of several models."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return named(schema.get("items", {}))
    options = schema.get("anyOf") or schema.get("oneOf")
    return bool(options) and all(named(option) for option in options)


def test_the_walk_finds_an_untyped_answer() -> None:
    assert not typed("200", {"content": {"application/json": {"schema": {"type": "object"}}}})
    assert not typed("200", {"content": {"application/json": {"schema": {}}}})
    assert not typed("200", {"content": {"image/png": {}}})
    assert not typed("200", {"description": "ok"})
    assert typed("200", {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}})
    assert typed("204", {"description": "nothing waiting"})


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


def test_every_declared_link_leads_to_a_served_operation_and_fills_its_path(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    by_id = {op["operationId"]: (path, op) for _, path, op in operations(document)}
    links = [
        (path, link)
        for _, path, op in operations(document)
        for answer in op["responses"].values()
        for link in answer.get("links", {}).values()
    ]
    assert any(path == "/api/v1/dossiers" for path, _ in links)  # a submitted dossier leads to its reads
    for source, link in links:
        target, op = by_id[link["operationId"]]
        in_path = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert set(link["parameters"]) == in_path, (source, target)
