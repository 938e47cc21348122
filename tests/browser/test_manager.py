"""The manager's dashboard in Chromium on a tiny simulated brand labelled with its truth."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesbrain.db import Database
from salesbrain.security import create_api_key
from tests.browser.harness import screenshot, serve
from tests.service.brand import labelled_brand
from tests.service.world import build_client

SIZE = {"guides": 13, "customers": 260, "days": 21}  # three stores


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp_path = tmp_path_factory.mktemp("dashboard")
    store = Database.open(f"sqlite:///{tmp_path / 'brand.db'}", tenant="brand")
    labelled_brand(store, tmp_path / "files", **SIZE)
    client, _ = build_client(store, tmp_path, None)
    guides = store.guides()
    keys = {"manager": create_api_key(store, "manager", store_ids=["S001", "S002"]),
            "other_manager": create_api_key(store, "manager", store_ids=["S003"]),
            "guide": create_api_key(store, "guide", guide_id=guides[0].guide_id)}
    with serve(client.app) as base_url:
        yield {"url": base_url, "store": store, "keys": keys, "guides": guides}


def log_in(page: Any, base_url: str, key: str) -> None:
    page.goto(base_url + "/")
    page.fill("#key", key)
    page.click("#key-save")


def test_a_manager_filters_drills_down_compares_and_exports(context: Any,
                                                            dashboard: dict[str, Any]) -> None:
    page = context.new_page()
    log_in(page, dashboard["url"], dashboard["keys"]["manager"])
    page.wait_for_selector("#board tbody tr")  # how fast is eval.bench_overview's to measure
    page.select_option("#filter-store", "S002")
    page.wait_for_function("() => location.hash.includes('store=S002')")
    page.wait_for_selector("#board tbody tr")
    stores = page.locator("#board tbody tr td:nth-child(3)").all_inner_texts()
    assert stores and set(stores) == {"S002"}
    assert page.locator("#board svg[data-chart=sparkline] polyline").count() == len(stores)
    screenshot(page, "manager-leaderboard")

    guide_id = coached_guide(dashboard, "S002")
    page.goto(f"{dashboard['url']}/#/guide/{guide_id}")
    page.wait_for_selector("svg[data-chart=funnel]")
    for kind in ("line", "histogram", "shares", "bar"):
        assert page.locator(f"svg[data-chart={kind}]").count() >= 1, kind
    assert "AI 辅助成交" in page.locator("#acceptance").inner_text()
    screenshot(page, "manager-drilldown")

    page.click("text=辅导对比")
    page.wait_for_selector("#side-by-side tbody tr")
    assert page.locator("#side-by-side tr.first-diverge").count() == 1
    screenshot(page, "manager-coaching")
    with page.expect_download() as download:
        page.click("button[data-csv^=coaching]")
    rows = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows and {"pair_id", "guide_text", "champion_text", "reasons"} <= set(rows[0])
    assert any(row["reasons"] for row in rows)


def test_the_conversation_viewer_shows_labels_and_placeholders(context: Any,
                                                               dashboard: dict[str, Any]) -> None:
    store: Database = dashboard["store"]
    redacted = next(c for c in store.conversations()
                    if any(m.redactions and m.text for m in c.messages)
                    and c.guide_id in {g.guide_id for g in dashboard["guides"]
                                       if g.store_id in ("S001", "S002")})
    page = context.new_page()
    log_in(page, dashboard["url"], dashboard["keys"]["manager"])
    page.wait_for_selector("#board tbody tr")
    page.goto(f"{dashboard['url']}/#/conversation/{redacted.conversation_id}")
    page.wait_for_selector("#messages tbody tr")
    assert page.locator("#messages .redaction").count() >= 1
    assert page.locator("#messages .badge").count() >= 1
    screenshot(page, "manager-conversation")


def test_a_guide_key_opens_no_manager_data(context: Any, dashboard: dict[str, Any]) -> None:
    page = context.new_page()
    log_in(page, dashboard["url"], dashboard["keys"]["guide"])
    page.wait_for_function("() => document.getElementById('error').textContent.includes('403')")
    assert page.locator("#board").count() == 0
    guide_id = dashboard["guides"][0].guide_id
    page.goto(f"{dashboard['url']}/#/guide/{guide_id}")
    page.wait_for_function("() => document.getElementById('error').textContent.includes('403')")
    assert page.locator("svg[data-chart]").count() == 0
    screenshot(page, "manager-guide-key-refused")


def test_a_manager_sees_none_of_another_managers_stores(context: Any,
                                                        dashboard: dict[str, Any]) -> None:
    page = context.new_page()
    log_in(page, dashboard["url"], dashboard["keys"]["other_manager"])
    page.wait_for_selector("#board tbody tr")
    assert set(page.locator("#board tbody tr td:nth-child(3)").all_inner_texts()) == {"S003"}
    options = page.locator("#filter-store option").all_inner_texts()
    assert "S001" not in options and "S002" not in options
    page.goto(f"{dashboard['url']}/#/leaderboard?store=S001")
    page.wait_for_function("() => document.getElementById('error').textContent.includes('403')")
    outsider = next(g for g in dashboard["guides"] if g.store_id == "S001")
    page.goto(f"{dashboard['url']}/#/guide/{outsider.guide_id}")
    page.wait_for_function("() => document.getElementById('error').textContent.includes('404')")
    screenshot(page, "manager-other-store-refused")


def coached_guide(dashboard: dict[str, Any], store_id: str) -> str:
    """A guide of the store with at least one coaching pair (asked of the API directly)."""
    import httpx

    key = {"Authorization": f"Bearer {dashboard['keys']['manager']}"}
    for guide in dashboard["guides"]:
        if guide.store_id == store_id:
            pairs = httpx.get(f"{dashboard['url']}/v1/coaching/{guide.guide_id}/pairs",
                              headers=key).json()["pairs"]
            if pairs:
                return guide.guide_id
    raise AssertionError(f"no guide of {store_id} has a coaching pair")


def test_a_manager_reads_segments_and_the_recall_board(context: Any,
                                                       dashboard: dict[str, Any]) -> None:
    page = context.new_page()
    log_in(page, dashboard["url"], dashboard["keys"]["manager"])
    page.wait_for_selector("#board tbody tr")
    page.click("#nav a[data-view=segments]")
    page.wait_for_selector("#segments tbody tr")
    assert set(page.locator("#segments tbody tr td:nth-child(1)").all_inner_texts()) == {
        "S001", "S002"}
    assert page.locator("svg[data-chart=quadrant] circle").count() == 2
    actions = page.locator("#segments tbody tr td:nth-child(8)").all_inner_texts()
    assert all(action.split("：")[0] in ("合作", "辅导", "接管") for action in actions)
    screenshot(page, "manager-segments")
    with page.expect_download() as download:
        page.click("button[data-csv='segments.csv']")
    rows = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert {r["store_id"] for r in rows} == {"S001", "S002"}

    page.goto(f"{dashboard['url']}/#/recall?month=2026-11")
    page.wait_for_selector("#recall-rates tbody tr")
    assert page.locator("#recall-tasks tbody tr").count() >= 1
    drafts = page.locator("#recall-tasks tbody tr td:nth-child(8)").all_inner_texts()
    assert all(text.strip() and "{" not in text for text in drafts)
    rates = page.locator("#recall-rates tbody tr td:nth-child(6)").all_inner_texts()
    assert rates and all(rate.endswith("%") for rate in rates)
    screenshot(page, "manager-recall")


def test_a_manager_searches_and_reads_compliance_alerts(context: Any,
                                                        dashboard: dict[str, Any]) -> None:
    page = context.new_page()
    log_in(page, dashboard["url"], dashboard["keys"]["manager"])
    page.wait_for_selector("#board tbody tr")
    page.click("#nav a[data-view=search]")
    page.fill("#search-q", "羽绒服")
    page.press("#search-q", "Enter")
    page.wait_for_selector("#search-hits tbody tr")
    snippets = page.locator("#search-hits tbody tr td:nth-child(4)").all_inner_texts()
    assert snippets and all("羽绒服" in s for s in snippets)
    assert set(page.locator("#search-hits tbody tr td:nth-child(2)").all_inner_texts()) <= {
        "S001", "S002"}
    screenshot(page, "manager-search")
    page.click("#nav a[data-view=alerts]")
    page.wait_for_selector("#alerts tbody tr")
    assert set(page.locator("#alerts tbody tr td:nth-child(2)").all_inner_texts()) <= {
        "S001", "S002"}
    screenshot(page, "manager-alerts")
    page.locator("#alerts tbody tr").first.click()
    page.wait_for_selector("#messages tbody tr")
    page.click("#nav a[data-view=trends]")
    page.wait_for_selector("#trends tbody tr")
    assert page.locator("svg[data-chart=line]").count() == 2
