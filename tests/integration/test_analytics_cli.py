"""`motcua simulate` as a person runs it, and the simulation file's checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.scenario import ScenarioError, load_scenario
from queue_server.config import load_config
from tests.conftest import DEMO_CONFIG, ROOT


def motcua(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_mmc_prints_one_json_object() -> None:
    done = motcua("simulate", "--mmc", "40", "6", "5", "--hours", "2000", "--seed", "7", "--json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    for key in (
        "tickets",
        "mean_wait_s",
        "p90_wait_s",
        "share_within_target",
        "utilisation",
        "erlang_c_mean_wait_s",
    ):
        assert key in result
    assert result["tickets"] == pytest.approx(80_000, rel=0.02)
    assert result["rho"] == pytest.approx(0.8)
    assert result["mean_wait_s"] == pytest.approx(result["erlang_c_mean_wait_s"], rel=0.15)  # 80k tickets
    again = json.loads(
        motcua("simulate", "--mmc", "40", "6", "5", "--hours", "2000", "--seed", "7", "--json").stdout
    )
    assert {k: v for k, v in again.items() if k != "runtime_s"} == {
        k: v for k, v in result.items() if k != "runtime_s"
    }


def test_mmc_text_and_unstable_warning() -> None:
    done = motcua("simulate", "--mmc", "30", "5", "2", "--hours", "50")
    assert done.returncode == 0
    assert "chờ TB / mean wait" in done.stdout and "Erlang C" in done.stdout
    overloaded = motcua("simulate", "--mmc", "30", "5", "2", "--hours", "50", "--json")
    assert (
        json.loads(overloaded.stdout)["stable"] is False
        and json.loads(overloaded.stdout)["erlang_c_mean_wait_s"] is None
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--mmc", "40", "6", "0"), "at least one counter is needed"),
        (("--mmc", "forty", "6", "2"), "ARRIVALS_PER_HOUR MEAN_SERVICE_MINUTES COUNTERS as numbers"),
        (("--mmc", "40", "-6", "2"), "mean service time must be greater than 0"),
        (("--days", "0"), "--days must be between 1 and 366"),
        (("--weekday", "sun"), "does not work on sun"),
        (("--from-history",), "--from-history needs --since and --until"),
    ],
)
def test_bad_input_says_what_is_wrong(args: tuple[str, ...], message: str) -> None:
    done = motcua("simulate", *args)
    assert done.returncode == 2
    assert message in done.stderr


def test_a_week_of_the_demo_office_with_staffing() -> None:
    done = motcua("simulate", "--days", "6", "--json", "--replications", "2")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["days"] == 6 and result["weekdays"][-1] == "Thứ Bảy"
    assert result["total"]["tickets"] == sum(q["tickets"] for q in result["queues"].values())
    assert set(result["queues"]) == {"A", "B", "C"}
    assert [h["hour"] for h in result["staffing"]["hours"]] == [
        "07",
        "08",
        "09",
        "10",
        "11",
        "13",
        "14",
        "15",
        "16",
    ]
    assert result["estimates"]["live_mae_min"] <= result["estimates"]["naive_mae_min"]
    text = motcua("simulate", "--no-staffing")
    assert text.returncode == 0 and "Cư trú" in text.stdout and "Số quầy ít nhất" not in text.stdout


def test_simulation_file_mistakes_are_listed(tmp_path: Path) -> None:
    config = load_config(DEMO_CONFIG)
    bad = tmp_path / "simulation.toml"
    bad.write_text(
        """
office = "CAXTP"
[[queue]]
code = "Z"
arrivals_per_hour = { "7" = 5 }
service_minutes = 5
[[queue]]
code = "A"
arrivals_per_hour = { "25" = 5 }
service_minutes = -1
""",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(bad, config)
    text = "\n".join(error.value.problems)
    assert "queue[1].arrivals_per_hour: Value error" not in text
    assert "hour keys are local hours 0-23, got '25'" in text
    assert "queue[1].service_minutes" in text
    bad.write_text(
        'office = "CAXTP"\n[[queue]]\ncode = "Z"\narrivals_per_hour = { "7" = 5 }\nservice_minutes = 5\n'
    )
    with pytest.raises(ScenarioError, match="office CAXTP has no queue 'Z'"):
        load_scenario(bad, config)
    bad.write_text(
        "[[counter]]\nnumber = 9\n[[queue]]\ncode = 'A'\narrivals_per_hour = {}\nservice_minutes = 5\n"
    )
    with pytest.raises(ScenarioError, match=r"counter 9: not in counters\.toml, so `queues` is required"):
        load_scenario(bad, config)
    with pytest.raises(ScenarioError, match="file is missing"):
        load_scenario(tmp_path / "none.toml", config)


def test_the_demo_file_loads() -> None:
    config = load_config(DEMO_CONFIG)
    scenario = load_scenario(DEMO_CONFIG / "simulation.toml", config)
    assert [q.code for q in scenario.queues] == ["A", "B", "C"]
    assert scenario.queue("A").name_vi == "Cư trú"
    assert scenario.order() == [4, 1, 2, 3]
    assert scenario.hours[5] == ((7.5 * 3600, 11.5 * 3600),) and scenario.hours[6] == ()
