"""WeCom JS-SDK signatures: WeCom's own test vector, trusted hosts only, tickets cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.core.wecom import WeComSigner, signature
from tests.service.conftest import make_world


def test_the_documented_test_vector() -> None:
    ticket = ("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcH"
              "KP7qg")
    assert signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457,
                     "http://mp.weixin.qq.com?params=value#ignored") == (
        "0f9de62fce790f9a083d5c99e95740ceb90c27ed")


class FakeQyapi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        self.calls.append((path, query))
        if path == "gettoken":
            return {"access_token": "tok", "expires_in": 7200}
        return {"ticket": "corp-ticket" if path == "get_jsapi_ticket" else "app-ticket",
                "expires_in": 7200}


def signer(fetch: FakeQyapi) -> WeComSigner:
    return WeComSigner("ww1", "1000002", "app-secret", ("shop.example.cn",), fetch=fetch)


def test_signs_trusted_hosts_with_both_tickets_and_caches_them() -> None:
    fetch = FakeQyapi()
    url = "https://wb.shop.example.cn/workbench?x=1"
    first = signer(fetch).sign(url)
    made = signer(fetch)
    made.sign(url)
    second = made.sign(url)
    config = first["config"]
    assert config["signature"] == signature("corp-ticket", config["nonceStr"],
                                            config["timestamp"], url)
    agent = first["agent"]
    assert agent["signature"] == signature("app-ticket", agent["nonceStr"], agent["timestamp"],
                                           url)
    assert (second["corpId"], second["agentId"]) == ("ww1", "1000002")
    assert [p for p, _ in fetch.calls].count("gettoken") == 2  # one per signer, then cached
    assert "app-ticket" not in str(first) and "corp-ticket" not in str(first)


def test_refuses_foreign_hosts() -> None:
    fetch = FakeQyapi()
    for url in ("https://evil.example.com/workbench", "https://shop.example.cn.evil.com/",
                "http://127.0.0.1/workbench"):
        with pytest.raises(ValueError, match="not a trusted WeCom domain"):
            signer(fetch).sign(url)
    assert fetch.calls == []


def test_the_endpoint_signs_only_when_configured(tmp_path: Path) -> None:
    bare = make_world("sqlite", tmp_path / "bare")
    with bare.client as client:
        assert client.get("/wecom/jsapi-signature?url=https://a.cn/x").status_code == 404
        assert client.get("/wecom/jssdk.js").status_code == 404
    world = make_world("sqlite", tmp_path / "corp", wecom_corp_id="ww1", wecom_agent_id="7",
                       wecom_secret="app-secret", wecom_trusted_hosts=["shop.example.cn"])
    with world.client as client:
        state = client.app.state.service  # type: ignore[attr-defined]
        state.wecom.fetch = FakeQyapi()
        ok = client.get("/wecom/jsapi-signature?url=https://shop.example.cn/workbench")
        assert ok.status_code == 200 and ok.json()["agentId"] == "7"
        foreign = client.get("/wecom/jsapi-signature?url=https://other.cn/workbench")
        assert foreign.status_code == 400 and "trusted" in foreign.text
