"""Start-up, health, metrics, hot swap, rate limit, authentication and unsafe settings."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from salesbrain.artifacts import write_json
from salesbrain.db.access import revoke_api_key
from salesbrain.security import create_api_key
from service.core.brains import BrainUnavailable
from service.core.config import Settings
from service.main import create_app
from tests.service.conftest import make_world
from tests.service.world import FakeBrain, World


def test_missing_or_broken_brain_fails_start_up(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    app = create_app(Settings(db_url=db, models_root=tmp_path / "empty"))
    with pytest.raises(BrainUnavailable, match="no live brain"), TestClient(app):
        pass
    (tmp_path / "broken").mkdir()
    app = create_app(Settings(db_url=db, brain_dir=tmp_path / "broken"))
    with pytest.raises(BrainUnavailable, match="not a brain directory"), TestClient(app):
        pass


def test_health_readiness_and_metrics(world: World) -> None:
    assert world.client.get("/healthz").json() == {
        "status": "ok", "brain_version": "v1", "live_version": None}
    ready = world.client.get("/readyz").json()
    assert (ready["status"], ready["brain_version"], ready["live_version"]) == ("ready", "v1", "v1")
    world.client.post("/v1/suggest", headers=world.headers("甲", "guide"),
                      json={"messages": [{"role": "customer", "text": "在吗"}]})
    text = world.client.get("/metrics").text
    assert 'salesbrain_http_requests_total{method="POST",route="/v1/suggest",status="200"}' in text
    assert "salesbrain_suggest_seconds_count 1.0" in text
    world.client.get(f"/v1/conversations/{world.conversations['甲']['g1']}",
                     headers=world.headers("甲", "guide"))
    text = world.client.get("/metrics").text
    assert 'route="/v1/conversations/{conversation_id}"' in text  # the template, not the id
    assert world.conversations["甲"]["g1"] not in text


class BlockingBrain(FakeBrain):
    """Holds a suggestion until released, to catch a request in flight during a swap."""

    def __init__(self, version: str) -> None:
        super().__init__(version)
        self.entered, self.release = threading.Event(), threading.Event()

    def suggest(self, turns: Any, k: int = 3) -> Any:
        self.entered.set()
        assert self.release.wait(10)
        return super().suggest(turns, k)


def test_promotion_swaps_without_disturbing_requests_in_flight(api: World) -> None:
    old = BlockingBrain("v1")
    api.slot.current = old
    results: dict[str, Any] = {}
    body = {"messages": [{"role": "customer", "text": "在吗"}]}
    worker = threading.Thread(target=lambda: results.update(r=api.client.post(
        "/v1/suggest", json=body, headers=api.headers("甲", "guide"))))
    worker.start()
    assert old.entered.wait(10)
    promoted = api.client.post("/v1/models/v2/promote", headers=api.headers("甲", "admin"))
    assert promoted.json() == {"serving": "v2", "previous": "v1"}
    old.release.set()
    worker.join(10)
    assert results["r"].json()["brain_version"] == "v1"  # finished on the brain it started on
    after = api.client.post("/v1/suggest", json=body, headers=api.headers("甲", "guide"))
    assert after.json()["brain_version"] == "v2"
    assert api.client.get("/readyz").json()["live_version"] == "v2"
    assert 'salesbrain_brain_info{version="v2"} 1.0' in api.client.get("/metrics").text
    rolled = api.client.post("/v1/models/rollback", headers=api.headers("甲", "admin"))
    assert rolled.json() == {"serving": "v1", "previous": "v2"}


def test_refused_or_broken_candidates_leave_the_brain_alone(api: World) -> None:
    root = api.slot.registry.root
    write_json(root / "brains" / "v1" / "eval_results.json", {"intent@x": {"macro_f1": 0.9}})
    write_json(root / "brains" / "v2" / "eval_results.json", {"intent@x": {"macro_f1": 0.5}})
    headers = api.headers("甲", "admin")
    refused = api.client.post("/v1/models/v2/promote", headers=headers)
    assert refused.status_code == 409 and "macro_f1" in refused.json()["detail"]
    assert api.client.post("/v1/models/nope/promote", headers=headers).status_code == 404

    def broken(directory: Path) -> FakeBrain:
        raise BrainUnavailable(f"cannot serve: {directory}: cannot load stage")

    api.slot.loader = broken
    failed = api.client.post("/v1/models/v2/promote?force=true", headers=headers)
    assert failed.status_code == 409 and "cannot load stage" in failed.json()["detail"]
    assert api.client.get("/readyz").json()["live_version"] == "v1"
    assert api.client.get("/healthz").json()["brain_version"] == "v1"


def test_rate_limit_per_key(tmp_path: Path) -> None:
    world = make_world("sqlite", tmp_path, rate_per_second=0.001, rate_burst=2)
    with world.client as client:
        codes = [client.get("/v1/conversations", headers=world.headers("甲", "guide")).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = client.get("/v1/conversations", headers=world.headers("甲", "guide"))
        assert int(limited.headers["Retry-After"]) >= 1
        other_key = client.get("/v1/conversations", headers=world.headers("甲", "manager"))
        assert other_key.status_code == 200


def test_authentication_failures(world: World) -> None:
    store = world.stores["甲"]
    revoked = create_api_key(store, "guide", guide_id="g1")
    revoke_api_key(store, revoked.split("_")[1])
    good = world.keys[("甲", "guide")]
    for headers in ({}, {"Authorization": "Bearer nope"}, {"X-API-Key": good[:-1] + "x"},
                    {"Authorization": f"Basic {good}"}, {"X-API-Key": revoked}):
        response = world.client.get("/v1/conversations", headers=headers)
        assert response.status_code == 401, headers
        assert good not in response.text
    assert world.client.get("/v1/conversations", headers={"X-API-Key": good}).status_code == 200


@pytest.mark.parametrize(("options", "field"), [
    ({"host": "0.0.0.0"}, "TLS proxy"),
    ({"host": "0.0.0.0", "behind_tls_proxy": True}, "metrics_token"),
    ({"metrics_token": "short"}, "metrics_token"),
    ({"metrics_token": "a" * 40}, "metrics_token"),
    ({"rate_per_second": 0}, "rate_per_second"),
    ({"max_batch_records": -1}, "max_batch_records"),
    ({"max_body_bytes": 0}, "max_body_bytes"),
    ({"db_url": "postgresql+psycopg://app:postgres@db.example.com/sb"}, "db_url"),
    ({"unknown_setting": 1}, "unknown_setting"),
])
def test_unsafe_settings_are_refused(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**options)


def test_safe_exposed_settings_are_accepted() -> None:
    settings = Settings(host="0.0.0.0", behind_tls_proxy=True,
                        metrics_token="k3J9x-Qm2Lp8Zr4Tw7Vn1Bc6Yd", db_url="sqlite://")
    assert settings.metrics_token is not None
    assert "k3J9x" not in repr(settings)


def test_pages_are_served_in_chinese(world: World) -> None:
    manager, sidebar = world.client.get("/"), world.client.get("/sidebar")
    workbench = world.client.get("/workbench")
    assert manager.status_code == sidebar.status_code == workbench.status_code == 200
    assert "导购看板" in manager.text and "导购工作台" in sidebar.text
    assert sidebar.text == workbench.text
    assert world.client.get("/web/app.js").headers["content-type"].startswith("text/javascript")
    assert world.client.get("/web/../main.py").status_code == 404
    assert world.client.get("/docs").status_code == 200


def test_settings_errors_never_show_the_database_password() -> None:
    from service.core.config import describe

    with pytest.raises(ValidationError) as caught:
        Settings(db_url="postgresql+psycopg://app:postgres@db.example.com/sb", host="10.0.0.1")
    assert "postgres@" not in str(caught.value) and "postgres@" not in describe(caught.value)
    assert describe(caught.value).startswith("settings: host '10.0.0.1' is not loopback")
