"""Sign-in for people; devices use keys from the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, status
from pydantic import BaseModel, Field

from queue_server.api.deps import People, ServicesDep

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
def login(body: LoginRequest, services: ServicesDep) -> LoginAnswer:
    issued = services.auth.login(username=body.username, password=body.password)
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
