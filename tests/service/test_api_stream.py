"""GET /v1/stream on a served app: what a key receives live, and that revoking it closes it."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from salesbrain.db.access import revoke_api_key
from salesbrain.security import key_id_of
from tests.browser.harness import serve
from tests.service.conftest import make_world
from tests.service.world import T0, World, customer_of


@pytest.fixture(params=["sqlite", "postgres"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[World, str]]:
    world = make_world(request.param, tmp_path, stream_recheck_s=0.3)
    with serve(world.client.app) as base_url:
        yield world, base_url


class Listener:
    """Reads one stream in a thread; events arrive on `events` as (kind, data)."""

    def __init__(self, url: str) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self.thread.start()

    def _read(self, url: str) -> None:
        kind = ""
        try:
            with httpx.stream("GET", url, timeout=10) as response:
                self.events.put(("status", response.status_code))
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        self.events.put((kind, json.loads(line.removeprefix("data: "))))
        except httpx.RemoteProtocolError:  # the test server stopped with the stream open
            self.events.put(("cut", None))
            return
        self.events.put(("ended", None))

    def next(self, *kinds: str) -> tuple[str, Any]:
        while True:
            kind, data = self.events.get(timeout=10)
            if kind in kinds:
                return kind, data


def open_stream(world: World, base_url: str, role: str = "guide") -> Listener:
    minted = httpx.post(base_url + "/v1/stream/token", headers=world.headers("甲", role))
    assert minted.status_code == 200, minted.text
    listener = Listener(base_url + "/v1/stream?token=" + minted.json()["token"])
    assert listener.next("status") == ("status", 200)
    listener.next("ready")
    return listener


def arrive(world: World, base_url: str, guide: str, msgid: str, text: str) -> None:
    record = {"msgid": msgid, "guide_id": guide, "customer_id": customer_of("甲", guide),
              "role": "customer", "ts": T0 + 900_000, "text": text}
    response = httpx.post(base_url + "/v1/messages", headers=world.headers("甲", "admin"),
                          json={"format": "plain", "records": [record]})
    assert response.status_code == 200 and response.json()["stored"] == 1, response.text


def test_a_guides_stream_carries_her_arrivals_and_suggestions_only(
        live: tuple[World, str]) -> None:
    world, base_url = live
    listener = open_stream(world, base_url)
    arrive(world, base_url, "g3", "x-g3", "别人的客户消息")
    arrive(world, base_url, "g1", "x-g1", "会员生日有什么福利")
    kind, row = listener.next("conversation", "suggestions")
    assert (kind, row["guide_id"], row["last_text"]) == ("conversation", "g1", "会员生日有什么福利")
    _, pushed = listener.next("suggestions")
    assert pushed["conversation_id"] == world.conversations["甲"]["g1"]
    assert "会员生日有什么福利" in pushed["suggestions"][0]["text"]
    # Pushed to this key's stream, so this key (and only it) may report on them.
    suggestion_id = pushed["suggestions"][0]["suggestion_id"]
    used = httpx.post(base_url + "/v1/feedback", headers=world.headers("甲", "guide"),
                      json={"suggestion_id": suggestion_id, "action": "accept"})
    assert used.status_code == 201, used.text
    by_admin = httpx.post(base_url + "/v1/feedback", headers=world.headers("甲", "admin"),
                          json={"suggestion_id": suggestion_id, "action": "accept"})
    assert by_admin.status_code == 404


def test_a_revoked_keys_stream_closes(live: tuple[World, str]) -> None:
    world, base_url = live
    listener = open_stream(world, base_url, role="manager")
    revoke_api_key(world.stores["甲"], key_id_of(world.keys[("甲", "manager")]))
    assert listener.next("closed") == ("closed", {"reason": "revoked"})
    assert listener.next("ended") == ("ended", None)


def test_a_stream_needs_a_minted_token(live: tuple[World, str]) -> None:
    world, base_url = live
    assert httpx.post(base_url + "/v1/stream/token").status_code == 401
    assert httpx.get(base_url + "/v1/stream?token=sst_guessed").status_code == 401
    key = world.keys[("甲", "guide")]
    assert httpx.get(base_url + "/v1/stream?token=" + key).status_code == 401
