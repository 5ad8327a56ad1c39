"""Accounts and device keys over their life: list, disable, enable, change or reset a password (which ends
the person's sessions), revoke or rotate a device key. Every change leaves a `credential_audit` row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from queue_server.auth.secrets import digest, hash_password, new_token
from queue_server.auth.service import AuthService
from queue_server.db.unit_of_work import StorageParts, UnitOfWork
from queue_server.domain.errors import InvalidInput, NotFound
from queue_server.tables.auth import AuthToken, CredentialAudit, Device, User

MIN_PASSWORD = 8


class CredentialLifecycle:
    def __init__(self, auth: AuthService) -> None:
        self.auth = auth
        self.db = auth.db
        self.clock = auth.clock
        self.storage = StorageParts(auth.db, auth.clock)  # no events: nothing to publish

    # ---- people ---------------------------------------------------------------------------------

    def users(self) -> list[dict[str, Any]]:
        with self.db.read() as session:
            rows = session.scalars(select(User).order_by(User.username)).all()
        return [
            {
                "username": user.username,
                "full_name": user.full_name,
                "role": user.role,
                "active": user.active,
                "created_at": user.created_at.isoformat(),
            }
            for user in rows
        ]

    def set_active(self, *, username: str, active: bool, actor: str) -> None:
        with UnitOfWork(self.storage) as tx:
            session = tx.session
            user = _user(session, username)
            user.active = active
            if not active:
                self._end_sessions(session, user)
            self._audit(session, actor, "user.enable" if active else "user.disable", f"user:{user.username}")
        self.auth.forget(kind="user", id=user.id)

    def set_password(self, *, username: str, password: str, actor: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(
                "weak_password",
                f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.",
                f"A password needs {MIN_PASSWORD} characters.",
            )
        password_hash = hash_password(password)  # outside the write transaction: argon2 is slow on purpose
        with UnitOfWork(self.storage) as tx:
            session = tx.session
            user = _user(session, username)
            user.password_hash = password_hash
            self._end_sessions(session, user)
            self._audit(session, actor, "user.passwd", f"user:{user.username}")
        self.auth.forget(kind="user", id=user.id)

    def reset_password(self, *, username: str, actor: str) -> str:
        """A new random password, shown once to whoever hands it over; the old one and its sessions end."""
        password = new_token()[:16]
        self.set_password(username=username, password=password, actor=actor)
        return password

    # ---- devices --------------------------------------------------------------------------------

    def devices(self) -> list[dict[str, Any]]:
        with self.db.read() as session:
            rows = session.scalars(select(Device).order_by(Device.name)).all()
        return [
            {
                "name": device.name,
                "role": device.role,
                "office": device.office,
                "revoked": device.revoked_at is not None,
                "created_at": device.created_at.isoformat(),
            }
            for device in rows
        ]

    def revoke_device(self, *, name: str, actor: str) -> None:
        with UnitOfWork(self.storage) as tx:
            session = tx.session
            device = _device(session, name)
            if device.revoked_at is None:
                device.revoked_at = self.clock()
            self._audit(session, actor, "device.revoke", f"device:{device.name}")
        self.auth.forget(kind="device", id=device.id)

    def rotate_device(self, *, name: str, actor: str) -> str:
        """A new key for the device (shown once); the old key stops working now."""
        key = new_token()
        with UnitOfWork(self.storage) as tx:
            session = tx.session
            device = _device(session, name)
            device.key_hash = digest(key)
            device.revoked_at = None
            self._audit(session, actor, "device.rotate", f"device:{device.name}")
        self.auth.forget(kind="device", id=device.id)
        return key

    # ---- shared ---------------------------------------------------------------------------------

    def audit_trail(self, *, limit: int = 200) -> list[dict[str, Any]]:
        with self.db.read() as session:
            rows = session.scalars(
                select(CredentialAudit).order_by(CredentialAudit.id.desc()).limit(limit)
            ).all()
        return [
            {"at": row.at.isoformat(), "actor": row.actor, "action": row.action, "subject": row.subject}
            for row in rows
        ]

    def _end_sessions(self, session: Session, user: User) -> None:
        session.execute(
            update(AuthToken)
            .where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
            .values(revoked_at=self.clock())
        )

    def _audit(self, session: Session, actor: str, action: str, subject: str) -> None:
        session.add(CredentialAudit(at=self.clock(), actor=actor, action=action, subject=subject))


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound("unknown_user", f"Không có người dùng {username}.", f"No user {username}.")
    return user


def _device(session: Session, name: str) -> Device:
    device = session.scalar(select(Device).where(Device.name == name.strip().lower()))
    if device is None:
        raise NotFound("unknown_device", f"Không có thiết bị {name}.", f"No device {name}.")
    return device
