"""Signatures for WeCom's JS-SDK, so the workbench inside the chat toolbar can call `getContext`,
`getCurExternalContact` and `sendChatMessage`.

The corp ticket signs `ww.register`'s config, the app ticket its agentConfig. Tickets live
7200 s and WeCom limits how often they are fetched, so each is cached until shortly before it
expires. Only pages on the corp's trusted hosts are signed; a ticket never leaves the server.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

QYAPI = "https://qyapi.weixin.qq.com/cgi-bin"
EXPIRY_MARGIN_S = 300

Fetch = Callable[[str, dict[str, str]], dict[str, Any]]  # path, query -> JSON answer


def signature(ticket: str, nonce: str, timestamp: int, url: str) -> str:
    """WeCom's JS-SDK signature: sha1 over the fields in this order, the URL without `#…`."""
    plain = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url.split('#')[0]}"
    return hashlib.sha1(plain.encode()).hexdigest()


def fetch_qyapi(path: str, query: dict[str, str]) -> dict[str, Any]:
    answer = httpx.get(f"{QYAPI}/{path}", params=query, timeout=10).json()
    if answer.get("errcode", 0) != 0:
        raise WeComError(f"{path}: WeCom answered {answer.get('errcode')} {answer.get('errmsg')}")
    return dict(answer)


class WeComError(Exception):
    """WeCom refused a token or ticket request (the message names the call, never a secret)."""


@dataclass
class WeComSigner:
    corp_id: str
    agent_id: str
    secret: str
    trusted_hosts: tuple[str, ...]
    fetch: Fetch = fetch_qyapi
    _cache: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def trusts(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.trusted_hosts)

    def sign(self, url: str) -> dict[str, Any]:
        """`ww.register`'s two signatures for the page at `url` (a trusted host only)."""
        if not self.trusts(url):
            raise ValueError(f"url: {urlsplit(url).hostname!r} is not a trusted WeCom domain")
        return {"corpId": self.corp_id, "agentId": self.agent_id,
                "config": self._signed(self._ticket("get_jsapi_ticket", {}), url),
                "agent": self._signed(self._ticket("ticket/get", {"type": "agent_config"}),
                                      url)}

    def _signed(self, ticket: str, url: str) -> dict[str, Any]:
        nonce, timestamp = secrets.token_urlsafe(12), int(time.time())
        return {"timestamp": timestamp, "nonceStr": nonce,
                "signature": signature(ticket, nonce, timestamp, url)}

    def _ticket(self, path: str, query: dict[str, str]) -> str:
        token = self._cached("gettoken", lambda: self.fetch(
            "gettoken", {"corpid": self.corp_id, "corpsecret": self.secret}), "access_token")
        return self._cached(path, lambda: self.fetch(
            path, {"access_token": token, **query}), "ticket")

    def _cached(self, name: str, fetch: Callable[[], dict[str, Any]], field_name: str) -> str:
        with self._lock:
            found = self._cache.get(name)
            if found is not None and found[1] > time.monotonic():
                return found[0]
            answer = fetch()
            lifetime = float(answer.get("expires_in", 7200)) - EXPIRY_MARGIN_S
            self._cache[name] = (str(answer[field_name]), time.monotonic() + lifetime)
            return str(answer[field_name])
