"""Dependencies: the services (from app.state) and who is asking (bearer token or device key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request, WebSocket

from queue_server.auth.principal import PEOPLE, Principal, Role
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


async def current_principal(request: Request) -> Principal | None:
    """Who asks: `Authorization: Bearer …`, `X-Device-Key: …` or `?key=…` (see SECURITY_SCHEMES).

    Async on purpose: a cached lookup needs no worker thread; a miss is one indexed query.
    """
    return principal_of(request)


def principal_of(request: Request) -> Principal | None:
    # Read straight from the request, not through Header/Query dependencies: every call pays for those.
    headers = request.headers
    return resolve_principal(
        request.app.state.services,
        headers.get("authorization"),
        headers.get("x-device-key") or request.query_params.get("key"),
    )


OptionalPrincipal = Annotated[Principal | None, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that lets only these roles through."""
    allowed = frozenset(roles)

    async def check(request: Request) -> Principal:
        principal = principal_of(request)
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
        if principal.role in PEOPLE:  # their reads of personal data are audited with the route
            route = request.scope.get("route")
            path = getattr(route, "path", None) or request.url.path
            return replace(principal, route=f"{request.method} {path}"[:120])
        return principal

    return check


R = Role
People = Annotated[Principal, Depends(require(R.STAFF, R.SUPERVISOR, R.ADMIN))]
Managers = Annotated[Principal, Depends(require(R.SUPERVISOR, R.ADMIN))]
Issuers = Annotated[Principal, Depends(require(R.KIOSK, R.STAFF, R.SUPERVISOR, R.ADMIN))]
Kiosks = Annotated[Principal, Depends(require(R.KIOSK))]
Readers = Annotated[Principal, Depends(require(R.KIOSK, R.DISPLAY, R.STAFF, R.SUPERVISOR, R.ADMIN))]
Displays = Annotated[Principal, Depends(require(R.DISPLAY, R.ADMIN))]


def websocket_principal(websocket: WebSocket, services: Services) -> Principal | None:
    headers = websocket.headers
    params = websocket.query_params
    return resolve_principal(
        services,
        headers.get("authorization"),
        headers.get("x-device-key") or params.get("key"),
        params.get("token"),
    )


# How /docs and /openapi.json describe the credentials current_principal reads.
SECURITY_SCHEMES = {
    "staff": {
        "type": "http",
        "scheme": "bearer",
        "description": "Staff: the access_token of POST /api/v1/auth/login.",
    },
    "device": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Device-Key",
        "description": "Kiosks and displays: the key printed by `motcua device add`.",
    },
    "device_query": {
        "type": "apiKey",
        "in": "query",
        "name": "key",
        "description": "The device key where a header cannot be set (the board page, WebSocket).",
    },
}
