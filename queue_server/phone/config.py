"""Moved to `queue_server.phone_config` (below both `phone` and `messages`, which read `phone.toml`); this
name stays for code written against it."""

from queue_server.phone_config import (
    MessagesModel,
    OfficePhoneModel,
    PhoneConfig,
    PhoneFileModel,
    QueuePhoneModel,
    RateLimitModel,
    RemoteRules,
    load_phone_config,
)

__all__ = [
    "MessagesModel",
    "OfficePhoneModel",
    "PhoneConfig",
    "PhoneFileModel",
    "QueuePhoneModel",
    "RateLimitModel",
    "RemoteRules",
    "load_phone_config",
]
