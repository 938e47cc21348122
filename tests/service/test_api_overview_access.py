"""Who may read the overview routes (segments, trends, compliance alerts, search, recall tasks),
on both backends: managers their stores, admins all, guides only their own conversations and
recall tasks; anything outside the key's scope is a 404, a bad filter a 422 naming it."""

from __future__ import annotations

import csv
import io

import pytest

from tests.service.world import World, customer_of, lapsed_orders

OVERVIEW = ("/v1/segments", "/v1/trends", "/v1/compliance/alerts")
MONTH = "2023-12"  # the seeded conversations are from November 2023


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("path", OVERVIEW)
def test_a_guide_key_cannot_read_the_overview(world: World, path: str) -> None:
    assert world.client.get(path, headers=world.headers("甲", "guide")).status_code == 403


@pytest.mark.parametrize("path", ["/v1/trends", "/v1/compliance/alerts",
                                  "/v1/conversations/search"])
def test_another_stores_filter_is_a_404_for_a_manager(world: World, path: str) -> None:
    manager = world.headers("甲", "manager")
    for query in ("store_id=s2", "guide_id=g3"):
        response = world.client.get(f"{path}?{query}", headers=manager)
        assert response.status_code == 404, (query, response.text)
        assert query.split("=")[0] in response.json()["detail"]


@pytest.mark.parametrize(("path", "field"), [
    ("/v1/trends?period=day", "query.period"),
    ("/v1/trends?store_id=nowhere", "query.store_id"),
    ("/v1/compliance/alerts?severity=fatal", "query.severity"),
    ("/v1/compliance/alerts?since=2023-13-01", "query.since"),
    ("/v1/conversations/search?intent=weather", "query.intent"),
    ("/v1/conversations/search?outcome=maybe", "query.outcome"),
    ("/v1/conversations/search?sentiment=angry", "query.sentiment"),
    ("/v1/conversations/search?guide_id=g9", "query.guide_id"),
    ("/v1/recall-tasks?month=2023-13", "query.month"),
    ("/v1/recall-tasks?month=202312", "query.month"),
    ("/v1/recall-tasks?group=weekly", "query.group"),
    ("/v1/segments?format=xlsx", "query.format"),
])
def test_a_bad_filter_is_a_422_naming_it(world: World, path: str, field: str) -> None:
    response = world.client.get(path, headers=world.headers("甲", "admin"))
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["detail"]] == [field]


def test_segments_show_a_manager_only_his_stores(world: World) -> None:
    admin = world.client.get("/v1/segments", headers=world.headers("甲", "admin")).json()
    mine = world.client.get("/v1/segments", headers=world.headers("甲", "manager")).json()
    assert {s["store_id"] for s in admin["stores"]} == {"s1", "s2"}
    assert {s["store_id"] for s in mine["stores"]} == {"s1"}


def test_search_stays_in_the_keys_scope_and_tenant(world: World) -> None:
    def found(role: str, query: str, tag: str = "甲") -> set[str]:
        response = world.client.get(f"/v1/conversations/search?{query}",
                                    headers=world.headers(tag, role))
        assert response.status_code == 200, response.text
        return {hit["guide_id"] for hit in response.json()["hits"]}

    assert found("admin", "q=39码吗") == {"g1", "g3"}  # trigram index on SQLite
    assert found("admin", "q=39") == {"g1", "g3"}  # too short for trigrams: a scan
    assert found("manager", "q=39码吗") == {"g1"}
    assert found("guide", "q=39码吗") == {"g1"}
    assert found("admin", "q=机密乙") == set()  # the other tenant's words
    assert found("admin", "q=机密甲g3 39码") == {"g3"}  # every word must occur
    assert found("admin", "q=39码吗&store_id=s2") == {"g3"}
    assert found("admin", "q=39码吗&until=2023-11-01") == set()


def test_search_and_alerts_answer_csv(world: World) -> None:
    admin = world.headers("甲", "admin")
    search = world.client.get("/v1/conversations/search?q=39码吗&format=csv", headers=admin)
    assert search.headers["content-type"].startswith("text/csv")
    assert {r["guide_id"] for r in rows_of(search.text)} == {"g1", "g3"}
    alerts = world.client.get("/v1/compliance/alerts?format=csv", headers=admin)
    assert alerts.status_code == 200 and rows_of(alerts.text) == []
    assert alerts.text.lstrip("\ufeff").startswith("ts,store_id,guide_id")


def test_recall_tasks_follow_the_keys_scope(api: World) -> None:
    lapsed_orders(api.stores["甲"], "甲")
    lapsed_orders(api.stores["乙"], "乙")

    def guides(role: str, query: str = "") -> list[str]:
        response = api.client.get(f"/v1/recall-tasks?month={MONTH}{query}",
                                  headers=api.headers("甲", role))
        assert response.status_code == 200, response.text
        return sorted(t["guide_id"] for t in response.json()["tasks"])

    assert guides("admin") == ["g1", "g3"]
    assert guides("manager") == ["g1"]
    assert guides("guide") == ["g1"]
    assert guides("admin", "&group=birthday") == []
    for role in ("guide", "manager"):
        response = api.client.get(f"/v1/recall-tasks?month={MONTH}&guide_id=g3",
                                  headers=api.headers("甲", role))
        assert response.status_code == 404 and "guide_id" in response.text


def test_birthday_tasks_come_from_the_member_file_in_the_keys_scope(api: World) -> None:
    api.stores["甲"].set_birthdays([
        {"customer_id": customer_of("甲", "g1"), "birthday": "12-05"},
        {"customer_id": customer_of("甲", "g3"), "birthday": "12-20"},
        {"customer_id": "wm_nobody_talked_to", "birthday": "12-31"},
        {"customer_id": "wm_born_in_spring", "birthday": "03-01"}])

    def birthdays(tenant: str, role: str) -> list[tuple[str, str, str]]:
        response = api.client.get(f"/v1/recall-tasks?month={MONTH}&group=birthday",
                                  headers=api.headers(tenant, role))
        assert response.status_code == 200, response.text
        return sorted((t["guide_id"], t["reason"], t["group_name"])
                      for t in response.json()["tasks"])

    assert birthdays("甲", "admin") == [("", "生日 12-31", "生日当月"),
                                       ("g1", "生日 12-05", "生日当月"),
                                       ("g3", "生日 12-20", "生日当月")]
    assert birthdays("甲", "manager") == [("g1", "生日 12-05", "生日当月")]
    assert birthdays("甲", "guide") == [("g1", "生日 12-05", "生日当月")]
    assert birthdays("乙", "admin") == []


def test_a_guide_marks_only_her_own_tasks(api: World) -> None:
    lapsed_orders(api.stores["甲"], "甲")
    admin = api.client.get(f"/v1/recall-tasks?month={MONTH}",
                           headers=api.headers("甲", "admin")).json()
    task_of = {t["guide_id"]: t["task_id"] for t in admin["tasks"]}
    guide = api.headers("甲", "guide")
    refused = api.client.post(f"/v1/recall-tasks/{task_of['g3']}/status",
                              json={"status": "done"}, headers=guide)
    assert refused.status_code == 404 and "task_id" in refused.text
    other_tenant = api.client.post(f"/v1/recall-tasks/{task_of['g1']}/status",
                                   json={"status": "done"}, headers=api.headers("乙", "guide"))
    assert other_tenant.status_code == 404  # 乙's customers have no orders: no such task
    done = api.client.post(f"/v1/recall-tasks/{task_of['g1']}/status",
                           json={"status": "done"}, headers=guide)
    assert done.status_code == 200 and done.json()["status"] == "done"
    after = api.client.get(f"/v1/recall-tasks?month={MONTH}",
                           headers=api.headers("甲", "admin")).json()
    assert {t["guide_id"]: t["status"] for t in after["tasks"]} == {"g1": "done", "g3": "open"}
    rates = {(r["guide_id"], r["group"]): r["execution_rate"] for r in after["rates"]}
    assert rates == {("g1", "lapsed_two_years"): 1.0, ("g3", "lapsed_two_years"): 0.0}
    bad = api.client.post(f"/v1/recall-tasks/{task_of['g1']}/status",
                          json={"status": "later"}, headers=guide)
    assert bad.status_code == 422
    assert api.client.post("/v1/recall-tasks/nonsense/status", json={"status": "done"},
                           headers=guide).status_code == 404
