"""API keys: shown once, stored as a digest, scoped by role, revocable, never logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from salesbrain.db import Database
from salesbrain.db import tables as t
from salesbrain.db.access import list_api_keys, revoke_api_key
from salesbrain.security import (
    AuthenticationError,
    KeyRole,
    authenticate,
    create_api_key,
    digest,
    key_id_of,
)


def test_key_round_trip_and_only_a_digest_is_stored(any_store: Database,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = create_api_key(any_store, "manager", store_ids=["s1", "s2"], label="华东")
    principal = authenticate(any_store.engine, secret)
    assert principal.tenant == any_store.tenant
    assert (principal.role, principal.guide_id, principal.store_ids) == (
        KeyRole.MANAGER, None, ("s1", "s2"))
    assert principal.key_id == key_id_of(secret)
    with any_store.engine.connect() as conn:
        row = conn.execute(select(t.api_keys).where(t.api_keys.c.key_id == principal.key_id)).one()
    assert row.key_hash == digest(secret)
    assert secret not in str(tuple(row)) and secret not in caplog.text


def test_guide_key_is_bound_to_its_guide(any_store: Database) -> None:
    secret = create_api_key(any_store, "guide", guide_id="g1")
    principal = authenticate(any_store.engine, secret)
    assert (principal.role, principal.guide_id, principal.store_ids) == (KeyRole.GUIDE, "g1", ())


@pytest.mark.parametrize(("role", "options", "message"), [
    ("owner", {}, "role must be"),
    ("guide", {}, "needs --guide-id"),
    ("manager", {}, "needs --stores"),
    ("admin", {"guide_id": "g1"}, "drop --guide-id"),
    ("guide", {"guide_id": "g1", "store_ids": ["s1"]}, "drop --stores"),
    ("manager", {"store_ids": [" "]}, "non-empty"),
])
def test_scope_must_fit_the_role(store: Database, role: str, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_api_key(store, role, **options)


def test_bad_tampered_and_revoked_keys_fail(any_store: Database) -> None:
    secret = create_api_key(any_store, "admin")
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for candidate in ("", "sbk_", "Bearer " + secret, flipped, secret.replace(key_id_of(secret),
                                                                             "0" * 16)):
        with pytest.raises(AuthenticationError) as caught:
            authenticate(any_store.engine, candidate)
        assert secret not in str(caught.value)
    assert revoke_api_key(any_store, key_id_of(secret))
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(any_store.engine, secret)


def test_keys_are_listed_and_revoked_per_tenant(any_store: Database) -> None:
    other = any_store.for_tenant(any_store.tenant + "_other")
    mine = key_id_of(create_api_key(any_store, "admin", label="mine"))
    their_secret = create_api_key(other, "admin", label="theirs")
    assert [k["key_id"] for k in list_api_keys(any_store)] == [mine]
    assert "key_hash" not in list_api_keys(any_store)[0]
    assert not revoke_api_key(any_store, key_id_of(their_secret))
    assert authenticate(other.engine, their_secret).tenant == other.tenant
