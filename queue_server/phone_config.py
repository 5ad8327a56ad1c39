"""`phone.toml`: per office, how citizens are messaged and whether they may take a number or book from
their phone; per queue, overrides of the remote-number rules. A missing file: no messages, no remote
numbers (booking follows the queues' appointment slots as before). Read by `phone` and by `messages`, so
it sits below both."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from queue_server.config import ConfigError, describe_errors


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MessagesModel(_Strict):
    notify_ahead: int = Field(default=3, ge=1, le=50, description="'sắp đến lượt' with this many ahead")
    max_attempts: int = Field(default=8, ge=1, le=50)
    backoff_first_s: float = Field(default=5, gt=0)
    backoff_cap_s: float = Field(default=600, gt=0)
    claim_lease_s: float = Field(default=120, gt=0, description="a 'sending' row older than this was cut off")
    batch: int = Field(default=50, ge=1, le=1000)
    poll_s: float = Field(default=1.0, gt=0)


class RemoteRules(_Strict):
    remote_tickets: bool = False
    remote_from_minutes_before_open: int = Field(default=60, ge=0, le=600)
    remote_daily_cap: int | None = Field(default=None, ge=1)
    remote_min_wait_minutes: int = Field(default=0, ge=0, le=600)


class OfficePhoneModel(RemoteRules):
    code: str
    sender: str = Field(default="", description="smpp://, zns://, smtp:// or fake:// URL; empty: no messages")
    unaccented: bool = Field(default=False, description="send text without diacritics (GSM-only gateways)")
    confirm: Literal["code", "hall_qr"] = "code"
    hall_qr_period_s: int = Field(default=300, ge=2, le=3600, description="the board's QR changes this often")
    zns_templates: dict[str, str] = {}
    zns_app_id: str = Field(
        default="", max_length=32, description="the Zalo app whose webhook reports ZNS delivery"
    )
    zns_oa_secret_key: str = Field(
        default="", max_length=128, description="the OA secret key Zalo signs its webhook calls with"
    )
    booking: bool = True
    booking_days_ahead: int = Field(default=14, ge=1, le=90)

    @model_validator(mode="after")
    def _webhook_keys_together(self) -> OfficePhoneModel:
        if bool(self.zns_app_id) != bool(self.zns_oa_secret_key):
            raise ValueError("zns_app_id and zns_oa_secret_key go together (both or neither)")
        if self.zns_oa_secret_key and len(self.zns_oa_secret_key) < 8:
            raise ValueError("zns_oa_secret_key is too short to be Zalo's OA secret key")
        return self


class QueuePhoneModel(_Strict):
    office: str
    code: str
    remote_tickets: bool | None = None
    remote_daily_cap: int | None = Field(default=None, ge=1)
    remote_min_wait_minutes: int | None = Field(default=None, ge=0, le=600)


class RateLimitModel(_Strict):
    per_address_per_minute: int = Field(default=10, ge=1)
    codes_per_phone_per_hour: int = Field(default=5, ge=1)
    code_attempts: int = Field(default=5, ge=1, le=20)


class PhoneFileModel(_Strict):
    messages: MessagesModel = MessagesModel()
    limits: RateLimitModel = RateLimitModel()
    office: list[OfficePhoneModel] = []
    queue: list[QueuePhoneModel] = []


@dataclass(frozen=True)
class PhoneConfig:
    messages: MessagesModel
    limits: RateLimitModel
    offices: dict[str, OfficePhoneModel]
    queues: dict[tuple[str, str], QueuePhoneModel]

    def office(self, code: str) -> OfficePhoneModel:
        return self.offices.get(code) or OfficePhoneModel(code=code)

    def remote_rules(self, office: str, queue: str) -> RemoteRules:
        """The office's rules with the queue's overrides on top."""
        base = self.office(office)
        override = self.queues.get((office, queue))
        if override is None:
            return RemoteRules(**{k: getattr(base, k) for k in RemoteRules.model_fields})
        values = {k: getattr(base, k) for k in RemoteRules.model_fields}
        values.update({k: v for k, v in override.model_dump().items() if k in values and v is not None})
        return RemoteRules(**values)


@lru_cache(maxsize=8)
def load_phone_config(directory: Path) -> PhoneConfig:
    path = directory / "phone.toml"
    data: dict[str, object] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError([f"{path}: not valid TOML: {error}"]) from None
    try:
        model = PhoneFileModel.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_errors(path, error)) from None
    return PhoneConfig(
        messages=model.messages,
        limits=model.limits,
        offices={office.code: office for office in model.office},
        queues={(queue.office, queue.code): queue for queue in model.queue},
    )
