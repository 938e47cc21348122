"""Who may read the dashboard routes, on both backends: managers their stores, admins all,
guides none; bad filters name their parameter."""

from __future__ import annotations

import csv
import io

import pytest

from tests.service.world import World

ROUTES = ("/v1/leaderboard", "/v1/guides/g1/drilldown", "/v1/coaching/g1/pairs")


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("path", ROUTES)
def test_a_guide_key_is_refused(world: World, path: str) -> None:
    response = world.client.get(path, headers=world.headers("甲", "guide"))
    assert response.status_code == 403, response.text


def test_a_guide_key_cannot_read_the_labelled_conversation(world: World) -> None:
    own = world.conversations["甲"]["g1"]
    response = world.client.get(f"/v1/conversations/{own}/labels",
                                headers=world.headers("甲", "guide"))
    assert response.status_code == 403


def test_the_leaderboard_filters_by_store_within_the_managers_scope(world: World) -> None:
    admin = world.client.get("/v1/leaderboard?store_id=s2", headers=world.headers("甲", "admin"))
    assert {r["guide_id"] for r in admin.json()["rows"]} == {"g3"}
    mine = world.client.get("/v1/leaderboard", headers=world.headers("甲", "manager")).json()
    assert {r["guide_id"] for r in mine["rows"]} == {"g1", "g2"}
    refused = world.client.get("/v1/leaderboard?store_id=s2",
                               headers=world.headers("甲", "manager"))
    assert refused.status_code == 403 and "store_id" in refused.json()["detail"]


@pytest.mark.parametrize(("query", "field"), [
    ("period=year", "query.period"), ("store_id=nowhere", "query.store_id"),
    ("region=火星", "query.region"), ("format=xlsx", "query.format"),
])
def test_a_bad_filter_is_a_422_naming_it(world: World, query: str, field: str) -> None:
    response = world.client.get(f"/v1/leaderboard?{query}", headers=world.headers("甲", "admin"))
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["detail"]] == [field]


def test_a_bad_drilldown_period_is_a_422(world: World) -> None:
    response = world.client.get("/v1/guides/g1/drilldown?period=day",
                                headers=world.headers("甲", "admin"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "query.period"


@pytest.mark.parametrize("path", ["/v1/guides/g3/drilldown", "/v1/coaching/g3/pairs"])
def test_a_manager_cannot_open_another_stores_guide(world: World, path: str) -> None:
    response = world.client.get(path, headers=world.headers("甲", "manager"))
    assert response.status_code == 404 and "guide_id" in response.text


def test_conversation_labels_follow_the_stores_and_tenants(world: World) -> None:
    theirs = world.conversations["甲"]["g3"]
    other_tenant = world.conversations["乙"]["g1"]
    manager = world.headers("甲", "manager")
    assert world.client.get(f"/v1/conversations/{theirs}/labels",
                            headers=manager).status_code == 404
    if other_tenant != world.conversations["甲"]["g1"]:
        assert world.client.get(f"/v1/conversations/{other_tenant}/labels",
                                headers=manager).status_code == 404
    own = world.client.get(f"/v1/conversations/{world.conversations['甲']['g1']}/labels",
                           headers=manager)
    body = own.json()
    assert own.status_code == 200 and body["guide_id"] == "g1" and not body["analysed"]
    assert all("乙" not in m["text"] for m in body["messages"])


def test_the_drilldown_of_an_unanalysed_guide_still_answers(world: World) -> None:
    response = world.client.get("/v1/guides/g1/drilldown", headers=world.headers("甲", "manager"))
    body = response.json()
    assert response.status_code == 200 and body["guide_id"] == "g1"
    assert body["funnel"][0] == {"key": "conversations", "name": "会话", "count": 1}
    assert body["intents"] == [] and body["response_times"]["n"] == 1


def test_every_list_answers_csv(world: World) -> None:
    admin = world.headers("甲", "admin")
    board = world.client.get("/v1/leaderboard?format=csv", headers=admin)
    assert board.headers["content-type"].startswith("text/csv")
    assert {r["guide_id"] for r in rows_of(board.text)} == {"g1", "g2", "g3"}
    periods = rows_of(world.client.get("/v1/guides/g1/drilldown?format=csv", headers=admin).text)
    assert periods and "score" in periods[0]
    recent = rows_of(world.client.get("/v1/guides/g1/drilldown?format=csv&table=conversations",
                                      headers=admin).text)
    assert [r["conversation_id"] for r in recent] == [world.conversations["甲"]["g1"]]
    messages = rows_of(world.client.get(
        f"/v1/conversations/{world.conversations['甲']['g1']}/labels?format=csv",
        headers=admin).text)
    assert [r["role"] for r in messages] == ["customer", "guide", "customer"]
    pairs = world.client.get("/v1/coaching/g1/pairs?format=csv", headers=admin)
    assert pairs.status_code == 200 and pairs.text.lstrip("\ufeff").startswith("pair_id,")
