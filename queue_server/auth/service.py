"""Sign-in, tokens and device keys."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from queue_server.auth.principal import DEVICES, PEOPLE, Principal, Role
from queue_server.auth.secrets import digest, hash_password, new_token, verify_password
from queue_server.auth.throttle import LoginThrottle
from queue_server.clock import Clock
from queue_server.db.engine import Database
from queue_server.db.unit_of_work import StorageParts, UnitOfWork
from queue_server.domain.errors import DomainError, InvalidInput
from queue_server.tables.auth import AuthToken, Device, User

# How long a revoked device key, or a token revoked by another server process, may still work.
CREDENTIAL_CACHE = timedelta(seconds=10)
# Argon2 takes 64 MiB and tens of milliseconds per check: at most this many at once, whatever the load.
HASHING_AT_ONCE = 2
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@functools.cache
def _dummy_hash() -> str:
    """What an unknown username's password is checked against: hashed once per process, as it costs
    as much as a sign-in (the first sign-in of every server paid for it)."""
    return hash_password(new_token())


class Unauthorized(DomainError):
    status_code = 401


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    principal: Principal


class AuthService:
    def __init__(self, *, db: Database, clock: Clock, token_ttl: timedelta) -> None:
        self.db = db
        self.clock = clock
        self.token_ttl = token_ttl
        self._storage = StorageParts(db, clock)  # no events: nothing to publish
        self._device_cache: dict[str, tuple[Principal, datetime]] = {}
        self._token_cache: dict[str, tuple[Principal, datetime, datetime]] = {}
        self.throttle = LoginThrottle(clock)
        self._hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)

    def login(self, *, username: str, password: str, address: str = "unknown") -> IssuedToken:
        username = username.strip().lower()
        self.throttle.admit(username=username, address=address)
        # Check the password before the write transaction: argon2 takes tens of milliseconds on purpose,
        # and on SQLite every other write (kiosks issuing tickets) would wait for it.
        with self.db.read() as session:
            user = session.scalar(select(User).where(User.username == username))
        if not self._password_matches(user, password) or user is None or not user.active:
            self.throttle.failed(username=username, address=address)
            raise Unauthorized(
                "bad_credentials",
                "Sai tên đăng nhập hoặc mật khẩu.",
                "Wrong username or password.",
            )
        self.throttle.succeeded(username=username)
        with UnitOfWork(self._storage) as tx:
            session = tx.session
            token = new_token()
            now = self.clock()
            session.add(
                AuthToken(
                    token_hash=digest(token), user_id=user.id, created_at=now, expires_at=now + self.token_ttl
                )
            )
            return IssuedToken(token, int(self.token_ttl.total_seconds()), _user_principal(user))

    def _password_matches(self, user: User | None, password: str) -> bool:
        """The same argon2 work whether or not the user exists, so timing does not tell usernames."""
        stored = user.password_hash if user is not None else _dummy_hash()
        with self._hashing:
            matches = verify_password(stored, password)
        return matches and user is not None

    def logout(self, *, token: str) -> None:
        with UnitOfWork(self._storage) as tx:
            session = tx.session
            row = session.scalar(select(AuthToken).where(AuthToken.token_hash == digest(token)))
            if row is not None and row.revoked_at is None:
                row.revoked_at = self.clock()
        self._token_cache.pop(digest(token), None)

    def principal_for_token(self, token: str) -> Principal | None:
        """Staff send their token with every request; a valid one is remembered for a few seconds,
        but never past the moment it expires."""
        token_hash = digest(token)
        now = self.clock()
        cached = self._token_cache.get(token_hash)
        if cached is not None:
            principal, cached_at, expires_at = cached
            if timedelta(0) <= now - cached_at < CREDENTIAL_CACHE and now < expires_at:
                return principal
        found = self._lookup_token(token)
        if found is None:
            self._token_cache.pop(token_hash, None)
            return None
        self._token_cache[token_hash] = (found[0], now, found[1])
        return found[0]

    def _lookup_token(self, token: str) -> tuple[Principal, datetime] | None:
        with self.db.read() as session:
            row = session.execute(
                select(AuthToken, User)
                .join(User, User.id == AuthToken.user_id)
                .where(AuthToken.token_hash == digest(token))
            ).first()
        if row is None:
            return None
        token_row, user = row
        if token_row.revoked_at is not None or token_row.expires_at <= self.clock() or not user.active:
            return None
        return _user_principal(user), token_row.expires_at

    def forget(self, *, kind: str, id: int) -> None:
        """Drop remembered credentials of this user or device (after a disable, reset or revoke)."""
        caches: list[dict[str, Any]] = [self._token_cache if kind == "user" else self._device_cache]
        for cache in caches:
            for key, entry in list(cache.items()):
                if entry[0].id == id:
                    cache.pop(key, None)

    def principal_for_device_key(self, key: str) -> Principal | None:
        """Kiosks send their key with every request; a known key is remembered for a few seconds."""
        key_hash = digest(key)
        now = self.clock()
        cached = self._device_cache.get(key_hash)
        if cached is not None and timedelta(0) <= now - cached[1] < CREDENTIAL_CACHE:
            return cached[0]
        with self.db.read() as session:
            device = session.scalar(select(Device).where(Device.key_hash == key_hash))
        if device is None or device.revoked_at is not None:
            self._device_cache.pop(key_hash, None)
            return None
        principal = Principal("device", device.id, device.name, Role(device.role), device.office)
        self._device_cache[key_hash] = (principal, now)
        return principal

    def add_user(
        self,
        *,
        username: str,
        role: str,
        password: str,
        full_name: str = "",
        is_demo: bool = False,
        office: str | None = None,
    ) -> Principal:
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise InvalidInput(
                "bad_username",
                "Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_', '-' (2–64 ký tự).",
                "A username is 2–64 of a-z, 0-9, '.', '_', '-'.",
            )
        if role not in {r.value for r in PEOPLE}:
            raise InvalidInput(
                "bad_role", f"Vai trò không hợp lệ: {role}.", f"Unknown role for a person: {role}."
            )
        if len(password) < 8:
            raise InvalidInput(
                "weak_password", "Mật khẩu cần ít nhất 8 ký tự.", "A password needs 8 characters."
            )
        with UnitOfWork(self._storage) as tx:
            session = tx.session
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                raise DomainError("user_exists", f"Đã có người dùng {username}.", f"User {username} exists.")
            user = User(
                username=username,
                full_name=full_name,
                role=role,
                password_hash=hash_password(password),
                active=True,
                is_demo=is_demo,
                office=office,
                created_at=self.clock(),
            )
            session.add(user)
            session.flush()
            return _user_principal(user)

    def add_device(
        self,
        *,
        name: str,
        role: str,
        office: str | None = None,
        key: str | None = None,
        is_demo: bool = False,
    ) -> str:
        """Register a device and return its key (shown once; only the hash is kept)."""
        if role not in {r.value for r in DEVICES}:
            raise InvalidInput(
                "bad_role", f"Vai trò thiết bị không hợp lệ: {role}.", f"Unknown device role: {role}."
            )
        if not USERNAME.match(name.strip().lower()):
            raise InvalidInput(
                "bad_device_name",
                "Tên thiết bị chỉ gồm chữ thường không dấu, số, '.', '_', '-'.",
                "A device name is 2–64 of a-z, 0-9, '.', '_', '-'.",
            )
        key = key or new_token()
        with UnitOfWork(self._storage) as tx:
            session = tx.session
            if session.scalar(select(Device.id).where(Device.name == name.strip().lower())) is not None:
                raise DomainError("device_exists", f"Đã có thiết bị {name}.", f"Device {name} exists.")
            session.add(
                Device(
                    name=name.strip().lower(),
                    role=role,
                    office=office,
                    key_hash=digest(key),
                    is_demo=is_demo,
                    created_at=self.clock(),
                )
            )
        return key

    def has_demo_accounts(self) -> bool:
        with self.db.read() as session:
            user = session.scalar(
                select(User.id).where(User.is_demo.is_(True), User.active.is_(True)).limit(1)
            )
            device = session.scalar(
                select(Device.id).where(Device.is_demo.is_(True), Device.revoked_at.is_(None)).limit(1)
            )
        return user is not None or device is not None


def _user_principal(user: User) -> Principal:
    return Principal("user", user.id, user.username, Role(user.role), user.office)
