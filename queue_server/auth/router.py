"""Sign-in for people; devices use keys from the CLI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, status
from pydantic import BaseModel, Field

from queue_server.api.deps import People, ServicesDep, require
from queue_server.auth.lifecycle import CredentialLifecycle
from queue_server.auth.principal import Principal, Role
from queue_server.services import Services

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class LoginAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    username: str


@router.post("/login", response_model=LoginAnswer)
def login(body: LoginRequest, services: ServicesDep, request: Request) -> LoginAnswer:
    address = request.client.host if request.client else "unknown"
    issued = services.auth.login(username=body.username, password=body.password, address=address)
    return LoginAnswer(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        role=issued.principal.role.value,
        username=issued.principal.name,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(services: ServicesDep, actor: People, authorization: Annotated[str, Header()]) -> None:
    services.auth.logout(token=authorization[7:].strip())


class Me(BaseModel):
    username: str
    role: str = Field(description="admin, supervisor, staff, kiosk or display")


@router.get("/me", response_model=Me)
def me(actor: People) -> Me:
    return Me(username=actor.name, role=actor.role.value)


# ---- credential lifecycle, for admins (every change is audited in credential_audit) -------------------

Admins = Annotated[Principal, Depends(require(Role.ADMIN))]
AccountName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class PasswordRequest(BaseModel):
    password: str = Field(min_length=8, max_length=200)


class IssuedSecret(BaseModel):
    """A new password or device key: shown this once, only its hash is kept."""

    name: str
    secret: str


class AccountView(BaseModel):
    username: str
    full_name: str | None = None
    role: str
    active: bool
    created_at: str


class DeviceView(BaseModel):
    name: str
    role: str
    office: str | None = None
    revoked: bool
    created_at: str


class CredentialChange(BaseModel):
    at: str
    actor: str
    action: str
    subject: str


def _lifecycle(services: Services) -> CredentialLifecycle:
    return CredentialLifecycle(services.auth)


@router.get("/users", response_model=list[AccountView])
def list_users(services: ServicesDep, actor: Admins) -> list[dict[str, Any]]:
    return _lifecycle(services).users()


@router.post("/users/{username}/disable", status_code=status.HTTP_204_NO_CONTENT)
def disable_user(username: AccountName, services: ServicesDep, actor: Admins) -> None:
    """The account can no longer sign in, and its open sessions end now."""
    _lifecycle(services).set_active(username=username, active=False, actor=actor.label)


@router.post("/users/{username}/enable", status_code=status.HTTP_204_NO_CONTENT)
def enable_user(username: AccountName, services: ServicesDep, actor: Admins) -> None:
    _lifecycle(services).set_active(username=username, active=True, actor=actor.label)


@router.post("/users/{username}/password", status_code=status.HTTP_204_NO_CONTENT)
def set_password(username: AccountName, body: PasswordRequest, services: ServicesDep, actor: Admins) -> None:
    """A new password chosen by the admin; the account's open sessions end."""
    _lifecycle(services).set_password(username=username, password=body.password, actor=actor.label)


@router.post("/users/{username}/reset", response_model=IssuedSecret)
def reset_password(username: AccountName, services: ServicesDep, actor: Admins) -> IssuedSecret:
    """A new random password, shown once; the account's open sessions end."""
    return IssuedSecret(
        name=username, secret=_lifecycle(services).reset_password(username=username, actor=actor.label)
    )


@router.get("/devices", response_model=list[DeviceView])
def list_devices(services: ServicesDep, actor: Admins) -> list[dict[str, Any]]:
    return _lifecycle(services).devices()


@router.post("/devices/{name}/revoke", status_code=status.HTTP_204_NO_CONTENT)
def revoke_device(name: AccountName, services: ServicesDep, actor: Admins) -> None:
    _lifecycle(services).revoke_device(name=name, actor=actor.label)


@router.post("/devices/{name}/rotate", response_model=IssuedSecret)
def rotate_device(name: AccountName, services: ServicesDep, actor: Admins) -> IssuedSecret:
    """A new key for the device, shown once; the old key stops working now."""
    return IssuedSecret(name=name, secret=_lifecycle(services).rotate_device(name=name, actor=actor.label))


@router.get("/credential-audit", response_model=list[CredentialChange])
def credential_audit(services: ServicesDep, actor: Admins) -> list[dict[str, Any]]:
    return _lifecycle(services).audit_trail()
