"""Several replicas on one database and one registry: a promotion or rollback through any one
of them is served by all within seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from salesbrain.brain import write_manifest
from salesbrain.db import Database
from salesbrain.jobs.train_compliance import run as train_compliance
from salesbrain.registry import BrainRegistry
from salesbrain.security import create_api_key
from service.core.brains import BrainSlot, BrainUnavailable
from service.core.config import Settings
from service.main import create_app
from tests.service.world import FakeBrain, load_fake, make_registry

FOLLOW_WITHIN_S = 5.0


def real_registry(root: Path) -> BrainRegistry:
    """Two loadable brains, v1 live; each holds only the compliance rules (cheap to load)."""
    registry = BrainRegistry(root)
    for version in ("v1", "v2"):
        directory = root / "brains" / version
        train_compliance("small", directory, directory)
        write_manifest(directory, version, ["compliance"], {})
    registry.promote("v1")
    return registry


def served_within(client: TestClient, version: str, seconds: float) -> float | None:
    """Seconds until `client` serves `version`, or None if it did not within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get("/healthz").json()["brain_version"] == version:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def test_promotion_and_rollback_through_one_replica_reach_the_other(tmp_path: Path) -> None:
    real_registry(tmp_path / "models")
    store = Database.open(f"sqlite:///{tmp_path / 'shared.db'}", tenant="acme")
    admin = {"Authorization": f"Bearer {create_api_key(store, 'admin')}"}
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'shared.db'}", operator_tenant="acme",
                        models_root=tmp_path / "models")  # the default poll, every 2 s
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        assert two.get("/healthz").json()["brain_version"] == "v1"
        assert one.post("/v1/models/v2/promote", headers=admin).json()["serving"] == "v2"
        assert served_within(two, "v2", FOLLOW_WITHIN_S) is not None
        assert two.post("/v1/models/rollback", headers=admin).json()["serving"] == "v1"
        assert served_within(one, "v1", FOLLOW_WITHIN_S) is not None
        assert 'salesbrain_brain_info{version="v1"} 1.0' in one.get("/metrics").text


def slots(root: Path, loader: Callable[[Path], FakeBrain] = load_fake) -> tuple[BrainSlot, ...]:
    registry = make_registry(root)
    return tuple(BrainSlot(FakeBrain("v1"), BrainRegistry(registry.root), loader=loader)
                 for _ in range(2))


def test_a_replica_follows_only_changes_of_the_live_pointer(tmp_path: Path) -> None:
    one, two = slots(tmp_path)
    two.current = FakeBrain("explicit")  # started with --brain: kept until the pointer moves
    assert two.follow_registry() is None and two.current.version == "explicit"
    one.promote("v2")
    assert two.follow_registry() is not None and two.current.version == "v2"
    assert two.follow_registry() is None  # nothing changed since
    one.rollback()
    assert two.follow_registry() is not None and two.current.version == "v1"


def test_a_live_brain_that_does_not_load_leaves_the_replica_serving(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def broken(directory: Path) -> FakeBrain:
        raise BrainUnavailable(f"cannot serve: {directory}")

    one, two = slots(tmp_path)
    two.loader = broken
    one.promote("v2")
    assert two.follow_registry() is None and two.current.version == "v1"
    assert "live brain not served" in caplog.text
    assert two.follow_registry() is None  # logged once, not retried every poll
