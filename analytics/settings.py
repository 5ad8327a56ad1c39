"""The analytics part of the config folder (analytics.toml); every key has a default."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analytics.kpi import KpiTargets
from queue_server.config import ConfigError, SystemConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertsModel(_Strict):
    paused_too_long_minutes: float = Field(default=15, gt=0, le=24 * 60)
    check_every_seconds: float = Field(default=30, ge=1, le=3600)
    clear_below_share: float = Field(default=0.9, gt=0, le=1)
    office_over_target_minutes: float = Field(default=15, ge=0, le=24 * 60)  # the province page's rule


class KpiModel(_Strict):
    productivity_class: Literal["province", "rural", "remote"] = "province"
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

    def targets(self, config: SystemConfig) -> KpiTargets:
        return KpiTargets(
            wait_s=config.targets.wait.total_seconds(),
            handling_s=config.targets.handling.total_seconds(),
            satisfaction=self.kpi.satisfaction_target,
            reuse=self.kpi.reuse_target,
            productivity_class=self.kpi.productivity_class,
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
