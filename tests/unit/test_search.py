"""Vietnamese search without diacritics or case."""

from __future__ import annotations

import pytest

from queue_server.procedures.search import SearchEntry, fold, search

ENTRIES = [
    SearchEntry("1.004222", "Đăng ký thường trú", ("Permanent residence", "Cư trú", "nhập hộ khẩu")),
    SearchEntry("1.004194", "Đăng ký tạm trú", ("Temporary residence", "Cư trú")),
    SearchEntry("XNCT", "Xác nhận thông tin về cư trú", ("Confirmation of residence", "Cư trú")),
    SearchEntry("2.000200", "Cấp thẻ căn cước", ("Identity card", "Căn cước")),
    SearchEntry("1.001456", "Cấp hộ chiếu phổ thông ở trong nước", ("Passport", "Xuất nhập cảnh")),
]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký thường trú", "dang ky thuong tru"),
        ("ĐĂNG KÝ  THƯỜNG   TRÚ", "dang ky thuong tru"),
        ("Cấp hộ chiếu", "cap ho chieu"),
        ("Ưu tiên người cao tuổi", "uu tien nguoi cao tuoi"),
        ("Đ đ", "d d"),
        ("Xác nhận\tcư trú", "xac nhan cu tru"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_decomposed_input_folds_like_composed() -> None:
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Đăng ký thường trú")) == "dang ky thuong tru"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dang ky thuong tru", "1.004222"),
        ("Đăng ký thường trú", "1.004222"),
        ("DANG KY TAM TRU", "1.004194"),
        ("ho chieu", "1.001456"),
        ("can cuoc", "2.000200"),
        ("passport", "1.001456"),
        ("nhap ho khau", "1.004222"),
        ("1.004194", "1.004194"),
    ],
)
def test_search_finds_the_procedure_first(query: str, first: str) -> None:
    assert search(ENTRIES, query)[0] == first


def test_every_word_must_match() -> None:
    assert search(ENTRIES, "dang ky") == ["1.004222", "1.004194"]
    assert search(ENTRIES, "dang ky ho chieu") == []
    assert search(ENTRIES, "xyz") == []


def test_names_rank_before_other_text() -> None:
    # "cư trú" is in the name of XNCT and only in the field name of the two registrations.
    assert search(ENTRIES, "cu tru")[0] == "XNCT"
    assert set(search(ENTRIES, "cu tru")) == {"XNCT", "1.004222", "1.004194"}


def test_an_empty_query_keeps_the_catalogue_order() -> None:
    assert search(ENTRIES, "   ") == [entry.key for entry in ENTRIES]
