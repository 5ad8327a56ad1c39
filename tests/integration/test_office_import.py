"""`motcua office import|export`: the communes of a province from a sheet, their desks and queues from a template."""

from __future__ import annotations

import shutil
from pathlib import Path

from queue_server.config import load_config
from tests.conftest import FIXTURES
from tests.integration.test_cli import motcua


def province_copy(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    shutil.copytree(FIXTURES / "config" / "province", config)
    return config


def run(*args: str, config: Path, sqlite_url: str) -> tuple[int, str, str]:
    done = motcua("office", *args, "--config-dir", str(config), database_url=sqlite_url)
    return done.returncode, done.stdout, done.stderr


def test_import_adds_communes_from_a_template(tmp_path: Path, sqlite_url: str) -> None:
    config = province_copy(tmp_path)
    sheet = tmp_path / "xa.csv"
    sheet.write_text(
        "code,name_vi,name_en,parent,template,counters\n"
        "CAHUYEN,Công an huyện Thử Nghiệm,Test District Police,CATTN,CATTN,1\n"
        "CAXHD,Công an xã Hòa Đông,Hoa Dong Commune Police,CAHUYEN,CAXAB,3\n"
        "CAXTL,Công an xã Tân Lập,,CAHUYEN,CAXHD,\n",
        encoding="utf-8",
    )
    code, out, err = run("import", str(sheet), config=config, sqlite_url=sqlite_url)
    assert code == 0, err
    assert "imported 3 office(s), 3 queue(s), 7 counter(s)" in out
    loaded = load_config(config)
    assert loaded.ancestors("CAXTL") == ["CAXTL", "CAHUYEN", "CATTN"]  # a district level in between
    assert loaded.offices["CAXHD"].name_vi == "Công an xã Hòa Đông"
    assert sorted(loaded.offices["CAXHD"].counters) == [1, 2, 3] and list(loaded.offices["CAXHD"].queues) == [
        "A"
    ]
    assert sorted(loaded.offices["CAXTL"].counters) == [1, 2, 3]  # as many as its template
    assert loaded.offices["CAXHD"].hours == loaded.offices["CAXAB"].hours
    assert "CAXHD" in loaded.subtree("CATTN")

    exported = tmp_path / "out.csv"
    code, out, _ = run("export", str(exported), config=config, sqlite_url=sqlite_url)
    assert code == 0 and "exported 6 office(s)" in out
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code,name_vi,name_en,parent,template,counters"
    assert "CAXHD,Công an xã Hòa Đông,Hoa Dong Commune Police,CAHUYEN,,3" in lines


def test_every_problem_is_listed_by_line_and_nothing_is_written(tmp_path: Path, sqlite_url: str) -> None:
    config = province_copy(tmp_path)
    before = {p.name: p.read_text(encoding="utf-8") for p in config.iterdir()}
    sheet = tmp_path / "sai.csv"
    sheet.write_text(
        "code,name_vi,name_en,parent,template,counters\n"
        "CAXMOI,Công an xã Mới,,CATTN,CAXAB,2\n"
        "CAXAB,Trùng mã,,CATTN,CAXAB,1\n"
        "x,,,NOWHERE,CAXAB,zero\n"
        "CAXKHAC,Công an xã Khác,,CATTN,MISSING,1\n",
        encoding="utf-8",
    )
    code, out, err = run("import", str(sheet), config=config, sqlite_url=sqlite_url)
    assert code == 1 and "imported" not in out
    assert f"{sheet}:3: office CAXAB exists already" in err
    assert f"{sheet}:4: code 'x'" in err and f"{sheet}:4: name_vi is empty" in err
    assert f"{sheet}:4: parent NOWHERE" in err and f"{sheet}:4: counters 'zero'" in err
    assert f"{sheet}:5: template MISSING" in err
    assert f"{sheet}:2:" not in err  # the good line is not blamed
    assert "nothing imported (6 problem(s))" in err
    assert {p.name: p.read_text(encoding="utf-8") for p in config.iterdir()} == before


def test_a_sheet_without_the_columns_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    config = province_copy(tmp_path)
    sheet = tmp_path / "cot.csv"
    sheet.write_text("ma,ten\nCAXMOI,Mới\n", encoding="utf-8")
    code, _, err = run("import", str(sheet), config=config, sqlite_url=sqlite_url)
    assert code == 1 and f"{sheet}:1: missing column(s) code, name_vi, template" in err
