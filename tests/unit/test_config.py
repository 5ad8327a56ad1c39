"""Config files are validated at start; every problem names the file, the key and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config
from tests.conftest import DEMO_CONFIG


def copy_demo(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, target)
    return target


def problems_after(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    config = copy_demo(tmp_path)
    path = config / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    return error.value.problems


def test_the_demo_config_loads() -> None:
    config = load_config(DEMO_CONFIG)
    office = config.default_office
    assert len(office.queues) == 3 and len(office.counters) == 4
    assert config.fairness.max_priority_in_row == 2
    assert office.queues["A"].format_number(23) == "A023"


def test_bad_prefix_names_file_and_key(tmp_path: Path) -> None:
    problems = problems_after(tmp_path, "queues.toml", 'prefix = "B"', 'prefix = "bb"')
    assert any("queues.toml: queue[1].prefix" in p and "'bb'" in p for p in problems), problems


def test_unknown_queue_at_a_counter(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path, "counters.toml", "queues = { B = 1, C = 2 }", "queues = { B = 1, Z = 2 }"
    )
    assert any("counters.toml: counter[2].queues: unknown queue 'Z'" in p for p in problems), problems


def test_bad_time_zone_and_hours(tmp_path: Path) -> None:
    config = copy_demo(tmp_path)
    path = config / "offices.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('time_zone = "Asia/Ho_Chi_Minh"', 'time_zone = "Asia/Hanoi_City"')
    text = text.replace('mon = ["00:00-24:00"]', 'mon = ["17:00-08:00"]')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    joined = "\n".join(error.value.problems)
    assert "offices.toml: office[0].time_zone: unknown time zone 'Asia/Hanoi_City'" in joined
    assert "offices.toml: office[0].hours" in joined and "17:00-08:00" in joined


def test_zero_weight_and_duplicate_counter(tmp_path: Path) -> None:
    config = copy_demo(tmp_path)
    path = config / "counters.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("queues = { A = 2, B = 1 }", "queues = { A = 0, B = 1 }").replace(
        "number = 2", "number = 1"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    joined = "\n".join(error.value.problems)
    assert "counter[0].queues: weight of queue 'A' must be greater than 0" in joined


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    config = copy_demo(tmp_path)
    (config / "queues.toml").write_text("[[queue]\ncode = ", encoding="utf-8")
    (config / "counters.toml").unlink()
    with pytest.raises(ConfigError) as error:
        load_config(config)
    joined = "\n".join(error.value.problems)
    assert "queues.toml: not valid TOML" in joined
    assert "counters.toml: file is missing" in joined


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    problems = problems_after(tmp_path, "queues.toml", "daily_cap = 600", "daily_cap = 600\ndaly_cap = 5")
    assert any("queue[0].daly_cap" in p for p in problems), problems
