"""The script library over HTTP: managers write, guides read active scripts, no tenant reads
another's, bad CSV rows come back with line and reason; tier 2 answers when the brain abstains."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salesbrain.brain import SuggestionResult
from salesbrain.schema import Turn
from tests.service.world import FakeBrain, World

CSV = (
    "intent,text,tags\n"
    "size_fit,{商品}{尺码}码有现货，帮您留一件吗,尺码\n"
    "bogus,您好,\n"
    "membership,会员生日当月积分双倍,会员|生日\n"
    "logistics,[订单x],\n"
)


class SilentBrain(FakeBrain):
    """A ranker that abstains every time."""

    def suggest(self, turns: Sequence[Turn], k: int = 3) -> SuggestionResult:
        return SuggestionResult("size_fit", [])


def post(
    world: World, path: str, tag: str, role: str, json: Any = None, content: bytes | None = None
) -> Any:
    response = world.client.post(path, headers=world.headers(tag, role), json=json, content=content)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_manager_imports_lists_edits_retires_and_exports(api: World) -> None:
    result = post(api, "/v1/scripts/import", "甲", "manager", content=CSV.encode())
    assert result["imported"] == 2 and result["duplicates"] == 0
    assert [(e["line"], e["reason"][:14]) for e in result["errors"]] == [
        (3, "unknown intent"),
        (5, "text is only a"),
    ]
    created = post(
        api,
        "/v1/scripts",
        "甲",
        "manager",
        json={"intent": "size_fit", "text": "您平时穿什么尺码", "tags": ["尺码"]},
    )
    edited = api.client.patch(
        f"/v1/scripts/{created['script_id']}",
        headers=api.headers("甲", "admin"),
        json={"text": "您平时穿什么尺码呢"},
    )
    assert edited.status_code == 200 and edited.json()["text"] == "您平时穿什么尺码呢"
    retired = post(api, f"/v1/scripts/{created['script_id']}/retire", "甲", "manager")
    assert retired["status"] == "retired"
    listed = api.client.get("/v1/scripts", headers=api.headers("甲", "manager")).json()
    assert len(listed) == 3
    exported = api.client.get("/v1/scripts/export", headers=api.headers("甲", "manager")).text
    assert exported.splitlines()[0] == "intent,text,tags" and len(exported.splitlines()) == 3
    as_csv = api.client.get(
        "/v1/scripts?format=csv&intent=membership", headers=api.headers("甲", "guide")
    ).text
    assert as_csv.splitlines()[1:] == ["membership,会员生日当月积分双倍,会员|生日"]


def test_guides_read_active_scripts_only_and_write_nothing(api: World) -> None:
    created = post(
        api, "/v1/scripts", "甲", "manager", json={"intent": "greeting", "text": "您好在的"}
    )
    post(api, "/v1/scripts", "甲", "manager", json={"intent": "greeting", "text": "亲您好，请讲"})
    post(api, f"/v1/scripts/{created['script_id']}/retire", "甲", "manager")
    guide = api.headers("甲", "guide")
    assert [s["text"] for s in api.client.get("/v1/scripts", headers=guide).json()] == [
        "亲您好，请讲"
    ]
    assert (
        api.client.post(
            "/v1/scripts", headers=guide, json={"intent": "greeting", "text": "你好"}
        ).status_code
        == 403
    )
    assert api.client.post("/v1/scripts/import", headers=guide, content=CSV).status_code == 403
    assert api.client.get("/v1/scripts/export", headers=guide).status_code == 403
    assert (
        api.client.patch(
            f"/v1/scripts/{created['script_id']}", headers=guide, json={"text": "改"}
        ).status_code
        == 403
    )


def test_no_tenant_reads_or_changes_another_tenants_scripts(api: World) -> None:
    created = post(
        api, "/v1/scripts", "甲", "manager", json={"intent": "greeting", "text": "机密甲您好"}
    )
    rival = api.headers("乙", "admin")
    assert api.client.get("/v1/scripts", headers=rival).json() == []
    assert "机密甲" not in api.client.get("/v1/scripts/export", headers=rival).text
    assert (
        api.client.patch(
            f"/v1/scripts/{created['script_id']}", headers=rival, json={"text": "改"}
        ).status_code
        == 404
    )
    assert (
        api.client.post(f"/v1/scripts/{created['script_id']}/retire", headers=rival).status_code
        == 404
    )


def test_bad_scripts_are_refused_with_a_reason(api: World) -> None:
    manager = api.headers("甲", "manager")
    unknown = api.client.post("/v1/scripts", headers=manager, json={"intent": "x", "text": "您好"})
    assert unknown.status_code == 422 and "unknown intent" in unknown.text
    bare = api.client.post(
        "/v1/scripts", headers=manager, json={"intent": "logistics", "text": "[订单x]"}
    )
    assert bare.status_code == 422 and "placeholder" in bare.text
    post(api, "/v1/scripts", "甲", "manager", json={"intent": "greeting", "text": "您好"})
    again = api.client.post(
        "/v1/scripts", headers=manager, json={"intent": "greeting", "text": "您好"}
    )
    assert again.status_code == 409


def test_scripts_answer_when_the_brain_abstains(api: World) -> None:
    post(
        api,
        "/v1/scripts",
        "甲",
        "manager",
        json={"intent": "size_fit", "text": "{尺码}码有现货的亲"},
    )
    api.slot._swap(SilentBrain("v1"))
    body = {"messages": [{"role": "customer", "text": "这件外套有M码吗"}]}
    served = post(api, "/v1/suggest", "甲", "guide", json=body)
    assert served["needs_reply"] is True
    [only] = served["suggestions"]
    assert (only["text"], only["source"], only["source_label"], only["intent"]) == (
        "M码有现货的亲",
        "script",
        "话术库",
        "size_fit",
    )
    rival = post(api, "/v1/suggest", "乙", "guide", json=body)
    assert rival["suggestions"] == []  # the rival's library is empty: tenant 甲's scripts stay
