"""A real browser against a real server: Debian's Chromium driven by Playwright.

Pages are tested the way a guide or a manager uses them: the app runs under uvicorn on a free
loopback port (in a thread of the test process, so a test can seed and inspect the database
directly), and headless Chromium from the system packages loads it. Nothing is downloaded: the
browser is `/usr/bin/chromium` (or `SALESBRAIN_CHROMIUM`), and Playwright is only the driver.

    with serve(app) as base_url:
        page = browser.new_page()
        page.goto(base_url + "/workbench")
        screenshot(page, "workbench-inbox")
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
# Chromium on a closed network: no background connections, no first-run work, no GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    configured = os.environ.get("SALESBRAIN_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> str:
    """The Chromium executable, or a skip that says how to get one.

    CI sets SALESBRAIN_REQUIRE_BROWSER=1: there a missing browser fails instead of skipping."""
    missing = pytest.fail if os.environ.get("SALESBRAIN_REQUIRE_BROWSER") else pytest.skip
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing("playwright is not installed: pip install -e '.[dev]'")
    path = chromium_path()
    if path is None:
        missing("no Chromium: apt-get install chromium (or set SALESBRAIN_CHROMIUM)")
    assert path is not None
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` under uvicorn in a thread; yields its base URL, stops it on exit."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on",
                                           # live streams stay open: don't wait on them
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG under var/screenshots/ (kept for people to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
