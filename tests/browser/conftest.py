"""Browser fixtures: one headless Chromium per test module, a fresh context per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import CHROMIUM_ARGS, require_browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable, headless=True,
                                          args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A clean profile per test (no key left in another test's localStorage)."""
    made = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    yield made
    made.close()
