"""Service fixtures: the any_store pattern over two tenants sharing one database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesbrain.security import create_api_key
from tests.service.world import World, build_client, open_backend, seed_tenant


def make_world(backend: str, tmp_path: Path, **settings: Any) -> World:
    """Tenants 甲 (the operator) and 乙, same roster, keys of every role, fake brain."""
    suffix = uuid.uuid4().hex[:10]
    stores = {tag: open_backend(backend, tmp_path, f"{name}_{suffix}")
              for tag, name in (("甲", "acme"), ("乙", "rival"))}
    tags = {store.tenant: tag for tag, store in stores.items()}
    conversations = {tag: seed_tenant(store, tag, tmp_path) for tag, store in stores.items()}
    keys = {}
    for tag, store in stores.items():
        keys[(tag, "guide")] = create_api_key(store, "guide", guide_id="g1")
        keys[(tag, "manager")] = create_api_key(store, "manager", store_ids=["s1"])
        keys[(tag, "admin")] = create_api_key(store, "admin", label=f"keys-of-{tag}")
    client, slot = build_client(stores["甲"], tmp_path, tags, **settings)
    return World(client, slot, stores, conversations, keys)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per test module and backend, for tests that only read."""
    made = make_world(request.param, tmp_path_factory.mktemp("world"))
    with made.client:
        yield made


@pytest.fixture(params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A fresh world per test, for tests that write."""
    made = make_world(request.param, tmp_path)
    with made.client:
        yield made
