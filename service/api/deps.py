"""Dependencies, as `Annotated` aliases the routes declare in their signatures.

Authentication, the rate limit and the role check happen here, before any handler runs; a
handler only ever receives a `Database` bound to the caller's tenant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from salesbrain.brain import Brain
from salesbrain.db import Database
from salesbrain.security import AuthenticationError, KeyRole, Principal, authenticate
from service.core.brains import BrainSlot
from service.core.config import Settings
from service.core.state import ServiceState

_UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}
# Dependencies that do no I/O are async, so they run on the event loop rather than costing a
# thread-pool hop each; authentication reads the database and stays a plain function.


async def get_state(request: Request) -> ServiceState:
    return request.app.state.service  # type: ignore[no-any-return]


StateDep = Annotated[ServiceState, Depends(get_state)]


async def get_settings(state: StateDep) -> Settings:
    return state.settings


async def get_brain_slot(request: Request) -> BrainSlot:
    """The serving brain's slot; tests replace it through `app.dependency_overrides`."""
    return request.app.state.brains  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
BrainSlotDep = Annotated[BrainSlot, Depends(get_brain_slot)]


async def get_brain(slot: BrainSlotDep) -> Brain:
    # Read once: the request keeps this brain even if a promotion swaps the slot meanwhile.
    return slot.current


BrainDep = Annotated[Brain, Depends(get_brain)]


_bearer_scheme = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_principal(
    state: StateDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
    header_key: Annotated[str | None, Depends(_header_scheme)],
) -> Principal:
    secret = header_key or (bearer.credentials if bearer else None)
    if not secret:
        raise HTTPException(401, "authorization: send 'Authorization: Bearer <key>' or X-API-Key",
                            headers=_UNAUTHENTICATED)
    try:
        principal = authenticate(state.engine, secret)
    except AuthenticationError as error:
        raise HTTPException(401, f"authorization: {error}", headers=_UNAUTHENTICATED) from None
    wait_s = state.limiter.acquire(principal.key_id)
    if wait_s > 0:
        raise HTTPException(429, "rate limit exceeded for this API key",
                            headers={"Retry-After": str(max(1, round(wait_s)))})
    return principal


def require(*roles: KeyRole) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = frozenset(roles)

    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(403, f"this endpoint needs a key with role {names}")
        return principal

    return check


async def require_operator(
    state: StateDep, principal: Annotated[Principal, Depends(require(KeyRole.ADMIN))]
) -> Principal:
    if principal.tenant != state.settings.operator_tenant:
        raise HTTPException(403, "brains are managed by the operator tenant's admins")
    return principal


AnyKey = Annotated[Principal, Depends(require(KeyRole.GUIDE, KeyRole.MANAGER, KeyRole.ADMIN))]
ManagerKey = Annotated[Principal, Depends(require(KeyRole.MANAGER, KeyRole.ADMIN))]
AdminKey = Annotated[Principal, Depends(require(KeyRole.ADMIN))]
OperatorKey = Annotated[Principal, Depends(require_operator)]


async def tenant_store(
    state: StateDep, principal: Annotated[Principal, Depends(get_principal)]
) -> Database:
    return Database(state.engine, principal.tenant)


TenantStore = Annotated[Database, Depends(tenant_store)]
