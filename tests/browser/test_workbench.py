"""The guide's workbench in a real browser: inbox, live arrival, suggestions, feedback, scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from salesbrain.db.acceptance import suggestion_fates
from salesbrain.db.access import feedback_rows
from tests.browser.harness import screenshot, serve
from tests.service.conftest import make_world
from tests.service.world import T0, World, customer_of, lapsed_orders, marker


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[World, str]]:
    world = make_world("sqlite", tmp_path, stream_recheck_s=0.5)
    with serve(world.client.app) as base_url:
        yield world, base_url


def log_in(page: Any, base_url: str, world: World, path: str = "/workbench") -> None:
    page.goto(base_url + path)
    page.fill("#key", world.keys[("甲", "guide")])
    page.click("#key-save")
    page.wait_for_selector("#inbox li[data-conversation]")
    page.wait_for_selector("#live:not(.off)")


def post_customer_message(world: World, base_url: str, text: str) -> None:
    record = {"msgid": "live-1", "guide_id": "g1", "customer_id": customer_of("甲", "g1"),
              "role": "customer", "ts": T0 + 600_000, "text": text}
    response = httpx.post(base_url + "/v1/messages", headers=world.headers("甲", "admin"),
                          json={"format": "plain", "records": [record]})
    assert response.status_code == 200 and response.json()["stored"] == 1, response.text


def test_guide_sees_her_inbox_and_none_of_another_guides(served: tuple[World, str],
                                                        context: Any) -> None:
    world, base_url = served
    page = context.new_page()
    log_in(page, base_url, world)
    rows = page.locator("#inbox li[data-conversation]")
    assert rows.count() == 1
    assert customer_of("甲", "g1") in rows.first.inner_text()
    assert "待回复" in rows.first.inner_text()  # the customer spoke last
    assert marker("甲", "g3") not in page.content()
    assert customer_of("甲", "g3") not in page.content()
    screenshot(page, "workbench-inbox")
    page.close()


def test_a_message_arrives_and_suggestions_come_without_a_click(served: tuple[World, str],
                                                                context: Any) -> None:
    world, base_url = served
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, base_url, world)
    page.click("#inbox li[data-conversation]")
    page.wait_for_selector("#suggestions .card")
    post_customer_message(world, base_url, "双十一有什么优惠活动吗")
    page.wait_for_selector("#messages li:has-text('双十一有什么优惠活动吗')", timeout=5000)
    page.wait_for_function("[...document.querySelectorAll('#suggestions textarea')]"
                           ".some((t) => t.value.includes('双十一'))", timeout=5000)
    suggestion_id = page.locator("#suggestions .card").first.get_attribute("data-suggestion")
    screenshot(page, "workbench-live-suggestions")
    page.keyboard.press("1")
    page.wait_for_selector(".card.used")
    assert "双十一" in page.evaluate("navigator.clipboard.readText()")
    store = world.stores["甲"]
    assert [r["action"] for r in feedback_rows(store, suggestion_id)] == ["accept"]
    fate = next(f for f in suggestion_fates(store, None) if f.suggestion_id == suggestion_id)
    assert fate.events == {"displayed", "inserted"}
    page.close()


def test_an_edited_draft_goes_back_with_its_text(served: tuple[World, str],
                                                 context: Any) -> None:
    world, base_url = served
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, base_url, world)
    page.click("#inbox li[data-conversation]")
    card = page.locator("#suggestions .card").first
    card.wait_for()
    card.locator("textarea").fill("有的，39码今天有货")
    card.locator("button.use").click()
    page.wait_for_selector(".card.used")
    rows = feedback_rows(world.stores["甲"], card.get_attribute("data-suggestion"))
    assert [(r["action"], r["sent_text"]) for r in rows] == [("edit", "有的，39码今天有货")]
    page.close()


def test_the_workbench_fits_the_wecom_sidebar(served: tuple[World, str], browser: Any) -> None:
    world, base_url = served
    narrow = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = narrow.new_page()
    log_in(page, base_url, world, "/sidebar")
    screenshot(page, "workbench-360-inbox")
    page.click("#inbox li[data-conversation]")
    page.wait_for_selector("#suggestions .card")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("#inbox-pane").is_hidden()
    screenshot(page, "workbench-360-chat")
    narrow.close()


def test_the_guide_marks_a_recall_task_from_her_panel(served: tuple[World, str],
                                                      context: Any) -> None:
    world, base_url = served
    lapsed_orders(world.stores["甲"], "甲")  # g1's and g3's customers: lapsed two years
    page = context.new_page()
    log_in(page, base_url, world)
    page.click("#recall-panel summary")
    page.wait_for_selector("#recall li[data-task]")
    items = page.locator("#recall li[data-task]")
    assert items.count() == 1 and customer_of("甲", "g1")[:10] in items.first.inner_text()
    assert items.locator(".draft").count() >= 1
    assert page.locator("#recall-count").inner_text() == "0/1"
    screenshot(page, "workbench-recall")
    items.first.locator("button.mark-done").click()
    page.wait_for_selector("#recall li.recall-done")
    assert page.locator("#recall-count").inner_text() == "1/1"
    board = httpx.get(base_url + "/v1/recall-tasks", headers=world.headers("甲", "admin")).json()
    assert {t["guide_id"]: t["status"] for t in board["tasks"]} == {"g1": "done", "g3": "open"}
    page.close()
