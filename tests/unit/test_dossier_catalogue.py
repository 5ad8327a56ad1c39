"""The procedure catalogue: the demo one loads; every mistake is named by file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config
from queue_server.procedures.catalogue import PROCEDURES_FILE, RATINGS_FILE, load_catalogue
from tests.conftest import DEMO_CONFIG

SEEDED = {
    "1.004222": ("Đăng ký thường trú", "CT01", 7),
    "1.004194": ("Đăng ký tạm trú", "CT01", 3),
    "XNCT": ("Xác nhận thông tin về cư trú", "CT01", 3),
    "2.000200": ("Cấp thẻ căn cước", "CC01", 7),
    "1.001456": ("Cấp hộ chiếu phổ thông ở trong nước", "TK01", 8),
}


def test_the_demo_catalogue_has_the_seeded_police_procedures() -> None:
    catalogue = load_catalogue(load_config(DEMO_CONFIG))
    seen = {
        code: (p.name_vi, p.form.code if p.form else None, p.legal_days)
        for code, p in catalogue.procedures.items()
    }
    assert seen == SEEDED
    assert catalogue.procedures["XNCT"].unconfirmed == ("code", "fee", "legal_days")
    assert [p.type.code for p in catalogue.procedures["1.001456"].papers] == ["ANH4X6", "GKS", "HCCU"]
    assert catalogue.document_types["ANH4X6"].valid_months == 6
    assert not catalogue.document_types["VBDONGY"].reusable
    assert catalogue.settings.count_from_next_day_after is not None
    assert "wait" in catalogue.ratings.reasons and catalogue.ratings.ask_reasons_at_or_below == 3


def _broken(tmp_path: Path, old: str, new: str, file: str = PROCEDURES_FILE) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {file}"
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    config = load_config(folder)
    with pytest.raises(ConfigError) as caught:
        load_catalogue(config)
    return caught.value.problems


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        (
            'field = "CU_TRU"\nname_vi = "Đăng ký thường trú"',
            'field = "CU_TRUU"\nname_vi = "Đăng ký thường trú"',
            "procedure[0].field",
            "unknown field 'CU_TRUU'",
        ),
        ('queue = "C"', 'queue = "Z"', "procedure[4].queue", "has no queue 'Z'"),
        (
            'type = "ANH4X6"',
            'type = "ANH3X4"',
            "procedure[4].paper[0].type",
            "unknown document type 'ANH3X4'",
        ),
        ('form = "TK01"', 'form = "TK02"', "procedure[4].form", "unknown form 'TK02'"),
        ('unconfirmed = ["level"]', 'unconfirmed = ["colour"]', "procedure[3].unconfirmed", "unknown part"),
        ("legal_days = 8", "legal_days = -1", "procedure[4].legal_days", "greater than or equal to 0"),
        ('level = "province"', 'level = "planet"', "procedure[4].level", "'central'"),
        ('code = "1.004194"', 'code = "1.004222"', "procedure", "code '1.004222' is used twice"),
        (
            'type = "phone"\nrequired = true\n\n[[form.field]]\nname = "email"',
            'type = "telephone"\nrequired = true\n\n[[form.field]]\nname = "email"',
            "form[0].field[4] (phone)",
            "unknown type 'telephone'",
        ),
        ('prefill = "citizen.sex"', 'prefill = "citizen.shoe"', "form[0].field[2] (sex)", "unknown prefill"),
        (
            'count_from_next_day_after = "15:00"',
            'count_from_next_day_after = "3pm"',
            "dossiers.count_from_next_day_after",
            "expected HH:MM",
        ),
        (
            "fee_vnd = 20000",
            "fee_vnd = 20000\nfees = 1",
            "procedure[0].fees",
            "Extra inputs are not permitted",
        ),
    ],
)
def test_mistakes_name_file_and_key(tmp_path: Path, old: str, new: str, key: str, words: str) -> None:
    folder = _broken(tmp_path, old, new)
    problems = _problems(folder)
    expected_prefix = f"{folder / PROCEDURES_FILE}: {key}"
    assert any(p.startswith(expected_prefix) and words in p for p in problems), problems


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    folder = _broken(tmp_path, 'queue = "C"', 'queue = "Z"')
    text = (folder / PROCEDURES_FILE).read_text(encoding="utf-8").replace('form = "CC01"', 'form = "CC99"')
    (folder / PROCEDURES_FILE).write_text(text, encoding="utf-8")
    problems = _problems(folder)
    assert len(problems) == 2 and any("CC99" in p for p in problems) and any("'Z'" in p for p in problems)


def test_bad_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "[[field]]", "[[field]")
    problems = _problems(folder)
    assert len(problems) == 1 and problems[0].startswith(f"{folder / PROCEDURES_FILE}: not valid TOML")


def test_rating_reasons_are_checked_too(tmp_path: Path) -> None:
    folder = _broken(tmp_path, 'code = "wait"', 'code = "Chờ lâu"', RATINGS_FILE)
    problems = _problems(folder)
    assert any(p.startswith(f"{folder / RATINGS_FILE}: reason[0].code") for p in problems), problems


def test_without_the_files_the_office_has_no_procedures(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, folder)
    (folder / PROCEDURES_FILE).unlink()
    (folder / RATINGS_FILE).unlink()
    catalogue = load_catalogue(load_config(folder))
    assert catalogue.procedures == {} and catalogue.search("dang ky") == []
    assert "wait" in catalogue.ratings.reasons
