"""API keys: one per tenant and role, shown once, stored only as a SHA-256 digest.

A secret looks like ``sbk_<key id>_<token>``: the key id (not secret) finds the row, the
digest of the whole secret is compared in constant time. The token carries 256 random bits,
so a fast digest is enough (there is nothing to brute-force, unlike a password) and
authentication stays cheap on the request path. Secrets never reach a log: only key ids do.

>>> from salesbrain.db import Database
>>> store = Database.open("sqlite://", tenant="acme")
>>> secret = create_api_key(store, "manager", store_ids=["s1"], label="华东店长")
>>> principal = authenticate(store.engine, secret)
>>> (principal.tenant, principal.role.value, principal.store_ids)
('acme', 'manager', ('s1',))
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine

from salesbrain.db import access
from salesbrain.db.database import Database

log = logging.getLogger(__name__)

_PREFIX = "sbk_"
_SECRET = re.compile(r"^sbk_(?P<key_id>[0-9a-f]{16})_(?P<token>[A-Za-z0-9_-]{43})$")


class KeyRole(StrEnum):
    """What a key may do: a guide sees her own chats, a manager his stores, an admin the tenant."""

    GUIDE = "guide"
    MANAGER = "manager"
    ADMIN = "admin"


class AuthenticationError(Exception):
    """The secret is malformed, unknown or revoked (the message never contains the secret)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the tenant and the scope of an authenticated key."""

    tenant: str
    role: KeyRole
    guide_id: str | None
    store_ids: tuple[str, ...]
    key_id: str


def key_id_of(secret: str) -> str:
    """The public id inside a secret (safe to log and to show)."""
    match = _SECRET.match(secret.strip())
    if match is None:
        raise AuthenticationError("malformed API key")
    return match["key_id"]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    store: Database,
    role: str,
    guide_id: str | None = None,
    store_ids: Sequence[str] = (),
    label: str = "",
) -> str:
    """Create a key for `store`'s tenant and return its secret (the only time it is visible).

    Raises ValueError naming the problem when the role and its scope do not fit together.
    """
    key_role = _check_scope(role, guide_id, store_ids)
    key_id = secrets.token_hex(8)
    secret = f"{_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    access.insert_api_key(
        store, key_id=key_id, key_hash=digest(secret), role=key_role.value,
        guide_id=guide_id, store_ids=list(store_ids), label=label,
    )
    log.info("api key created", extra={"key_id": key_id, "role": key_role.value})
    return secret


def _check_scope(role: str, guide_id: str | None, store_ids: Sequence[str]) -> KeyRole:
    try:
        key_role = KeyRole(role)
    except ValueError as error:
        raise ValueError(f"role must be guide, manager or admin, got {role!r}") from error
    if key_role is KeyRole.GUIDE and not guide_id:
        raise ValueError("a guide key needs --guide-id")
    if key_role is not KeyRole.GUIDE and guide_id:
        raise ValueError(f"a {key_role} key is not bound to one guide: drop --guide-id")
    if key_role is KeyRole.MANAGER and not store_ids:
        raise ValueError("a manager key needs --stores (the store ids it manages)")
    if key_role is not KeyRole.MANAGER and store_ids:
        raise ValueError(f"a {key_role} key has no store scope: drop --stores")
    if any(not s.strip() for s in store_ids):
        raise ValueError("store ids must be non-empty")
    return key_role


def authenticate(store_engine: Engine, secret: str) -> Principal:
    """The principal of a live key; AuthenticationError for anything else."""
    match = _SECRET.match(secret.strip())
    if match is None:
        raise AuthenticationError("malformed API key")
    row = access.api_key_row(store_engine, match["key_id"])
    if row is None or not hmac.compare_digest(row.key_hash, digest(secret.strip())):
        raise AuthenticationError("unknown API key")
    if row.revoked:
        raise AuthenticationError("revoked API key")
    return Principal(
        tenant=row.tenant, role=KeyRole(row.role), guide_id=row.guide_id,
        store_ids=tuple(row.store_ids or ()), key_id=row.key_id,
    )
