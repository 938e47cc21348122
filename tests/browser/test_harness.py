"""The harness itself: the served app answers a real browser, and a screenshot is written."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from tests.browser.harness import screenshot, serve


def test_a_served_page_runs_its_script_in_chromium(context: Any) -> None:
    app = FastAPI()

    @app.get("/")
    def page() -> HTMLResponse:
        return HTMLResponse("<html><body><p id=out>…</p>"
                            "<script>document.getElementById('out').textContent="
                            "'导购'+(1+1)</script></body></html>")

    with serve(app) as base_url:
        tab = context.new_page()
        tab.goto(base_url + "/")
        assert tab.locator("#out").inner_text() == "导购2"
        assert screenshot(tab, "harness").stat().st_size > 0
