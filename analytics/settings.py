"""The analytics part of the config folder (analytics.toml); every key has a default."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analytics.kpi import PRODUCTIVITY_TARGETS, KpiTargets
from queue_server.config import ConfigError, SystemConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertsModel(_Strict):
    paused_too_long_minutes: float = Field(default=15, gt=0, le=24 * 60)
    check_every_seconds: float = Field(default=30, ge=1, le=3600)
    clear_below_share: float = Field(default=0.9, gt=0, le=1)
    office_over_target_minutes: float = Field(default=15, ge=0, le=24 * 60)  # the province page's rule


class KpiModel(_Strict):
    # Deprecated: the target comes from the office's level (offices.toml `level`, default procedures.toml
    # `[dossiers] office_class`); kept only so old files load, and refused when it disagrees (check_targets).
    productivity_class: Literal["province", "rural", "remote"] | None = None
    working_days_per_year: int = Field(default=250, ge=1, le=366)
    satisfaction_target: float = Field(default=0.95, ge=0, le=1)
    reuse_target: float = Field(default=0.80, ge=0, le=1)


class AnalyticsModel(_Strict):
    alerts: AlertsModel = AlertsModel()
    kpi: KpiModel = KpiModel()


@dataclass(frozen=True)
class AnalyticsSettings:
    alerts: AlertsModel
    kpi: KpiModel
    scenario_path: Path

    def targets(self, config: SystemConfig, office: str | None = None) -> KpiTargets:
        """The plan's targets; productivity (only used without cases) by the office's level."""
        level = config.offices[office].level if office in config.offices else ""
        return KpiTargets(
            wait_s=config.targets.wait.total_seconds(),
            handling_s=config.targets.handling.total_seconds(),
            satisfaction=self.kpi.satisfaction_target,
            reuse=self.kpi.reuse_target,
            productivity_class=level or self.kpi.productivity_class or "province",
            working_days_per_year=self.kpi.working_days_per_year,
        )


def load_analytics_settings(directory: Path) -> AnalyticsSettings:
    """Read `analytics.toml` beside the other config files; mistakes as `<file>: <key>: <problem>`."""
    path = directory / "analytics.toml"
    data: dict[str, object] = {}
    if path.exists():
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError([f"{path}: not valid TOML: {error}"]) from None
    try:
        model = AnalyticsModel.model_validate(data)
    except ValidationError as error:
        raise ConfigError(
            [
                f"{path}: {'.'.join(str(p) for p in item['loc'])}: {item['msg'].removeprefix('Value error, ')}"
                for item in error.errors()
            ]
        ) from None
    return AnalyticsSettings(model.alerts, model.kpi, directory / "simulation.toml")


def check_targets(
    settings: AnalyticsSettings, config: SystemConfig, target_for: Callable[[str], int] | None
) -> None:
    """The yearly cases-per-officer target has one source: the office's level. A leftover
    `[kpi] productivity_class` that gives another figure for some office is a config error."""
    legacy = settings.kpi.productivity_class
    if legacy is None:
        return
    problems = []
    for code, office in config.offices.items():
        target = (
            target_for(office.level) if target_for is not None else PRODUCTIVITY_TARGETS.get(office.level)
        )
        if target is not None and target != PRODUCTIVITY_TARGETS[legacy]:
            problems.append(
                f"analytics.toml: kpi.productivity_class: {legacy!r} ({PRODUCTIVITY_TARGETS[legacy]:,} a year) "
                f"disagrees with office {code}'s target {target:,} (offices.toml `level`, procedures.toml "
                "[dossiers] office_class / productivity_targets); remove productivity_class: it is deprecated"
            )
    if problems:
        raise ConfigError(problems)
