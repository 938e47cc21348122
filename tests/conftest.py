"""Shared fixtures: temporary stores (SQLite, and Postgres when CI provides one) and data paths."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesbrain.db import Database
from salesbrain.paths import shared_data_dir

PG_URL = os.environ.get("SALESBRAIN_TEST_PG_URL")


@pytest.fixture(autouse=True)
def _hermetic_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep models and the var/ directory of tests away from the developer's own."""
    monkeypatch.setenv("SALESBRAIN_MODELS", str(tmp_path_factory.getbasetemp() / "models"))


@pytest.fixture
def store(tmp_path: Path) -> Database:
    return Database.open(f"sqlite:///{tmp_path / 'test.db'}", tenant="acme")


def _backends() -> list[str]:
    return ["sqlite", "postgres"]


@pytest.fixture(params=_backends())
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test against SQLite and, when available, a real PostgreSQL."""
    if request.param == "sqlite":
        yield Database.open(f"sqlite:///{tmp_path / 'test.db'}", tenant="acme")
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide SALESBRAIN_TEST_PG_URL (see .ci/run)")
        pytest.skip("no PostgreSQL: set SALESBRAIN_TEST_PG_URL to run the Postgres variant")
    # Each test gets its own tenant, so tests never see each other's rows.
    yield Database.open(PG_URL, tenant=f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set SALESBRAIN_DATA_DIR)")
    return path
