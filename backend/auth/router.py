"""POST /auth/token (coordinator login) and POST /auth/logout."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from backend import security
from backend.auth import service as auth_service
from backend.auth.dependencies import CoordinatorToken, CurrentCoordinator
from backend.auth.schemas import TokenPublic
from backend.auth.service import InvalidEmail
from backend.db import SessionDep
from backend.errors import ServerBusy, TooManyRequests, Unauthorized
from backend.openapi import raises

router = APIRouter(prefix="/auth", tags=["auth"])


@raises(ServerBusy)
async def login_slot() -> AsyncIterator[None]:
    """Runs in the event loop, so a login refused for load costs no thread (security.py)."""
    with security.login_slot():
        yield


@router.post("/token", response_model=TokenPublic)
@raises(Unauthorized, InvalidEmail, TooManyRequests, ServerBusy)
def login(
    _: Annotated[None, Depends(login_slot)],
    session: SessionDep,
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenPublic:
    coordinator = auth_service.authenticate(
        session=session,
        email=form.username,
        password=form.password,
        client=request.client.host if request.client else "unknown",
    )
    return TokenPublic(
        access_token=auth_service.issue_token(session=session, coordinator=coordinator)
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(session: SessionDep, _: CurrentCoordinator, token: CoordinatorToken) -> None:
    assert token is not None
    auth_service.revoke_token(session=session, token=token)
