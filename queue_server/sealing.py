"""Personal ID numbers at rest: a keyed hash to find them, authenticated encryption to read them back.

Keys come from MOTCUA_SECRET through HKDF (one key per purpose), so the secret itself never touches a row.
Each ciphertext is stored beside the id of the key that sealed it; MOTCUA_OLD_SECRETS keeps earlier keys
readable (and their hashes findable) until `motcua keys rotate` has re-sealed every row under the new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PERSONAL_ID = "citizen.personal_id"
PAPER_CODE = "document.code"
DECLARATION = "dossier.form"
MIN_SECRET_BYTES = 32
NONCE_BYTES = 12


class UnknownKey(Exception):
    """A row was sealed under a key that is neither MOTCUA_SECRET nor one of MOTCUA_OLD_SECRETS."""


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"motcua-v1", info=info).derive(secret.encode())


@dataclass(frozen=True)
class _Key:
    id: str
    seal: AESGCM
    mac: bytes

    @classmethod
    def from_secret(cls, secret: str) -> _Key:
        key_id = _derive(secret, b"key id").hex()[:12]
        return cls(key_id, AESGCM(_derive(secret, b"aes-gcm")), _derive(secret, b"hmac-sha256 lookup"))

    def hash(self, value: str, purpose: str) -> str:
        return hmac.new(self.mac, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Sealed:
    ciphertext: str  # base64 of nonce + AES-GCM output
    key_id: str
    lookup: str  # HMAC-SHA256 under the same key, hex


class IdVault:
    """Seals, opens and hashes personal data; the first secret is current, the others only read."""

    def __init__(self, secret: str, old_secrets: Sequence[str] = ()) -> None:
        keys = [_Key.from_secret(s) for s in dict.fromkeys((secret, *old_secrets)) if s]
        if not keys:
            raise ValueError("an empty secret cannot key personal data")
        self.current = keys[0]
        self._keys = {key.id: key for key in keys}

    @property
    def key_id(self) -> str:
        return self.current.id

    def lookup_hashes(self, value: str, purpose: str) -> list[str]:
        """The value's hash under every readable key, current first (rows not yet rotated still match)."""
        return [key.hash(value, purpose) for key in self._keys.values()]

    def seal(self, value: str, purpose: str) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        data = self.current.seal.encrypt(nonce, value.encode(), purpose.encode())
        return Sealed(
            base64.b64encode(nonce + data).decode(), self.current.id, self.current.hash(value, purpose)
        )

    def open(self, ciphertext: str, key_id: str, purpose: str) -> str:
        key = self._keys.get(key_id)
        if key is None:
            raise UnknownKey(key_id)
        raw = base64.b64decode(ciphertext)
        try:
            return key.seal.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
        except InvalidTag:
            raise UnknownKey(key_id) from None


def seal_json(vault: IdVault, value: dict[str, Any] | None, purpose: str) -> dict[str, str] | None:
    """A declaration (names, ID numbers, phone) as one sealed value inside a JSON column."""
    if value is None:
        return None
    sealed = vault.seal(json.dumps(value, ensure_ascii=False, default=str), purpose)
    return {"sealed": sealed.ciphertext, "key": sealed.key_id}


def open_json(vault: IdVault, stored: dict[str, Any] | None, purpose: str) -> dict[str, Any] | None:
    if stored is None:
        return None
    opened: dict[str, Any] = json.loads(vault.open(stored["sealed"], stored["key"], purpose))
    return opened
