"""Declaration forms: every field checked, every problem named in Vietnamese and English."""

from __future__ import annotations

from datetime import date

import pytest

from queue_server.domain.forms import Choice, FieldSpec, FormSpec, check_spec, validate_form

TODAY = date(2026, 3, 10)
SEX = (Choice("Nam", "Nam", "Male"), Choice("Nữ", "Nữ", "Female"))
FORM = FormSpec(
    "CT01",
    "Tờ khai CT01",
    "Form CT01",
    (
        FieldSpec("full_name", "Họ và tên", "Full name", required=True, min_length=2, max_length=20),
        FieldSpec("birth_date", "Ngày sinh", "Birth date", type="date", required=True, past=True),
        FieldSpec("sex", "Giới tính", "Sex", type="choice", required=True, choices=SEX),
        FieldSpec("personal_id", "Số định danh", "Personal ID", type="personal_id", required=True),
        FieldSpec("phone", "Điện thoại", "Phone", type="phone"),
        FieldSpec("email", "Email", "E-mail", type="email"),
        FieldSpec("members", "Số thành viên", "Members", type="integer", min=1, max=20),
        FieldSpec("agree", "Đồng ý", "Agree", type="boolean"),
        FieldSpec("postcode", "Mã bưu chính", "Postcode", pattern=r"\d{6}"),
        FieldSpec("request", "Nội dung", "Request", type="textarea", max_length=50),
    ),
)
GOOD = {
    "full_name": "  Nguyễn   Thị Hồng ",
    "birth_date": "01/02/1999",
    "sex": "Nữ",
    "personal_id": "0010 9900 4567",
    "phone": "091 234 5678",
    "email": "nhung@example.vn",
    "members": "3",
    "agree": True,
    "postcode": "700000",
    "request": "  Đăng ký\nthường trú  ",
}


def test_a_good_form_is_cleaned() -> None:
    result = validate_form(FORM, GOOD, today=TODAY)
    assert result.ok, result.errors
    assert result.values == {
        "full_name": "Nguyễn Thị Hồng",
        "birth_date": "1999-02-01",
        "sex": "Nữ",
        "personal_id": "001099004567",
        "phone": "0912345678",
        "email": "nhung@example.vn",
        "members": 3,
        "agree": True,
        "postcode": "700000",
        "request": "Đăng ký\nthường trú",
    }


def test_optional_fields_may_be_left_out_and_blank_counts_as_missing() -> None:
    minimal = {k: GOOD[k] for k in ("full_name", "birth_date", "sex", "personal_id")}
    assert validate_form(FORM, {**minimal, "email": "   ", "phone": None}, today=TODAY).ok
    result = validate_form(FORM, {**minimal, "full_name": "   "}, today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [("full_name", "required")]


def test_every_problem_is_reported_at_once_each_named() -> None:
    bad = {
        "full_name": "A",
        "birth_date": "2027-01-01",
        "sex": "nam",
        "personal_id": "12345",
        "phone": "12345",
        "email": "not-an-email",
        "members": 0,
        "agree": "yes",
        "postcode": "70000",
        "request": "x" * 51,
        "nickname": "Nhung",
    }
    result = validate_form(FORM, bad, today=TODAY)
    codes = {e.field: e.code for e in result.errors}
    assert codes == {
        "nickname": "unknown_field",
        "full_name": "too_short",
        "birth_date": "future_date",
        "sex": "bad_choice",
        "personal_id": "bad_personal_id",
        "phone": "bad_phone",
        "email": "bad_email",
        "members": "too_small",
        "agree": "not_boolean",
        "postcode": "bad_format",
        "request": "too_long",
    }
    for error in result.errors:
        assert error.message_vi and error.message_en and error.message_vi != error.message_en
    by_field = {e.field: e for e in result.errors}
    assert "'Giới tính'" in by_field["sex"].message_vi and "Nam, Nữ" in by_field["sex"].message_vi
    assert "'Phone'" in by_field["phone"].message_en


def test_missing_required_fields_are_all_named() -> None:
    result = validate_form(FORM, {}, today=TODAY)
    assert sorted(e.field for e in result.errors) == ["birth_date", "full_name", "personal_id", "sex"]
    assert all(e.code == "required" for e in result.errors)
    assert "chưa được điền" in result.errors[0].message_vi


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1999-02-30", "bad_date"),
        ("31/13/1999", "bad_date"),
        ("yesterday", "bad_date"),
        ("1899-12-31", "bad_date"),
    ],
)
def test_bad_dates(value: str, code: str) -> None:
    result = validate_form(FORM, {**GOOD, "birth_date": value}, today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [("birth_date", code)]


@pytest.mark.parametrize("value", ["0912345678", "+84912345678", "02438251234", "0312 345 678"])
def test_vietnamese_phone_numbers_pass(value: str) -> None:
    assert validate_form(FORM, {**GOOD, "phone": value}, today=TODAY).ok


@pytest.mark.parametrize("value", ["0112345678", "091234567", "09123456789", "+1 212 555 0100", "phone"])
def test_other_numbers_fail(value: str) -> None:
    result = validate_form(FORM, {**GOOD, "phone": value}, today=TODAY)
    assert [e.code for e in result.errors] == ["bad_phone"]


@pytest.mark.parametrize(
    ("value", "code"), [(True, "not_integer"), ("3.5", "not_integer"), (21, "too_large")]
)
def test_integers(value: object, code: str) -> None:
    result = validate_form(FORM, {**GOOD, "members": value}, today=TODAY)
    assert [e.code for e in result.errors] == [code]


def test_non_text_in_a_text_field_is_refused() -> None:
    result = validate_form(FORM, {**GOOD, "full_name": ["Nguyễn"]}, today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [("full_name", "not_text")]


def test_error_dicts_carry_field_code_and_both_messages() -> None:
    error = validate_form(FORM, {**GOOD, "sex": "X"}, today=TODAY).errors[0]
    assert set(error.as_dict()) == {"field", "code", "message_vi", "message_en", "problem"}


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (FieldSpec("a", "A", "A", type="colour"), "unknown type"),
        (FieldSpec("a", "A", "A", type="choice"), "at least one"),
        (FieldSpec("a", "A", "A", choices=SEX), "only applies"),
        (FieldSpec("a", "A", "A", pattern="(unclosed"), "regular expression"),
        (FieldSpec("a", "A", "A", prefill="citizen.shoe_size"), "unknown prefill"),
        (FieldSpec("a", "A", "A", min_length=5, max_length=2), "min_length"),
        (FieldSpec("a", "A", "A", type="integer", min=5, max=2), "min is greater"),
    ],
)
def test_bad_field_definitions_are_reported(spec: FieldSpec, problem: str) -> None:
    assert any(problem in text for text in check_spec(spec))


def test_good_field_definitions_have_no_problems() -> None:
    assert all(check_spec(spec) == [] for spec in FORM.fields)
