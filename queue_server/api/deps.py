"""Dependencies: the services (from app.state) and who is asking (bearer token or device key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Query, Request, WebSocket

from queue_server.auth.principal import Principal, Role
from queue_server.auth.service import Unauthorized
from queue_server.domain.errors import Forbidden
from queue_server.services import Services


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def resolve_principal(
    services: Services, authorization: str | None, device_key: str | None, token: str | None = None
) -> Principal | None:
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    if token:
        principal = services.auth.principal_for_token(token)
        if principal is None:
            raise Unauthorized(
                "bad_token",
                "Phiên đăng nhập đã hết hạn hoặc không hợp lệ.",
                "The token is invalid or expired.",
            )
        return principal
    if device_key:
        principal = services.auth.principal_for_device_key(device_key)
        if principal is None:
            raise Unauthorized(
                "bad_device_key", "Khóa thiết bị không hợp lệ.", "The device key is not valid."
            )
        return principal
    return None


async def current_principal(
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
    x_device_key: Annotated[str | None, Header()] = None,
    key: Annotated[str | None, Query(description="device key, where a header cannot be set")] = None,
) -> Principal | None:
    # Async on purpose: a cached lookup needs no worker thread; a miss is one indexed query.
    return resolve_principal(services, authorization, x_device_key or key)


OptionalPrincipal = Annotated[Principal | None, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Principal | None], Awaitable[Principal]]:
    """A dependency that lets only these roles through."""
    allowed = frozenset(roles)

    async def check(principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise Unauthorized(
                "unauthorized",
                "Cần đăng nhập (Bearer) hoặc khóa thiết bị (X-Device-Key).",
                "A bearer token or an X-Device-Key is needed.",
            )
        if principal.role not in allowed:
            raise Forbidden(
                "role_forbidden",
                f"Vai trò '{principal.role.value}' không được làm việc này.",
                f"The role '{principal.role.value}' may not do this.",
            )
        return principal

    return check


R = Role
People = Annotated[Principal, Depends(require(R.STAFF, R.SUPERVISOR, R.ADMIN))]
Managers = Annotated[Principal, Depends(require(R.SUPERVISOR, R.ADMIN))]
Issuers = Annotated[Principal, Depends(require(R.KIOSK, R.STAFF, R.SUPERVISOR, R.ADMIN))]
Readers = Annotated[Principal, Depends(require(R.KIOSK, R.DISPLAY, R.STAFF, R.SUPERVISOR, R.ADMIN))]


def websocket_principal(websocket: WebSocket, services: Services) -> Principal | None:
    headers = websocket.headers
    params = websocket.query_params
    return resolve_principal(
        services,
        headers.get("authorization"),
        headers.get("x-device-key") or params.get("key"),
        params.get("token"),
    )
