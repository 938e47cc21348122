"""Authorisation matrix: role x endpoint x own/other guide x own/other tenant.

The probed data belongs to tenant 甲 (also the operator tenant, which manages brains). A case
is *granted* when the call succeeds and the response shows 甲's data of the target guide (its
marker, conversation or row). Every case must be granted exactly when expected; a denial is
403 or 404, or a success without the data for list endpoints; never a 5xx.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from httpx import Response

from salesbrain.db.acceptance import record_events
from salesbrain.db.access import record_suggestions
from salesbrain.security import create_api_key, key_id_of
from tests.service.world import World, customer_of, marker

ROLES = ("guide", "manager", "admin")
OWNER = "甲"
Seen = Callable[["World", "Case", Response], bool]


@dataclass(frozen=True)
class Case:
    role: str
    tenant: str  # 甲 (owns the data) or 乙
    target: str  # g1: the guide key's own guide, in the manager's store; g3: neither


@dataclass(frozen=True)
class Probe:
    name: str
    call: Callable[[World, dict[str, str], str], Response]
    expected: Callable[[Case], bool]
    seen: Seen


def data_rule(case: Case) -> bool:
    return case.tenant == OWNER and (case.role == "admin" or case.target == "g1")


def manager_rule(case: Case) -> bool:
    return data_rule(case) and case.role != "guide"


def inline_rule(case: Case) -> bool:
    # Inline messages read no stored data: each tenant's own g1 is the guide key's guide and
    # in the manager's store s1 (both tenants have the same roster); g3 is in neither.
    return case.role == "admin" or case.target == "g1"


def operator_rule(case: Case) -> bool:
    return case.tenant == OWNER and case.role == "admin"


def admin_rule(case: Case) -> bool:
    return case.role == "admin"


def shows_marker(world: World, case: Case, response: Response) -> bool:
    return response.status_code == 200 and marker(OWNER, case.target) in response.text


def lists_conversation(world: World, case: Case, response: Response) -> bool:
    ids = {row["conversation_id"] for row in response.json()} if response.is_success else set()
    return conv(world, case.target) in ids


def lists_guide(world: World, case: Case, response: Response) -> bool:
    # Both tenants have a guide g1/g3: only 甲's roster row counts (names carry no tenant).
    return (response.is_success and case.tenant == OWNER
            and any(row["guide_id"] == case.target for row in response.json()))


def succeeded(world: World, case: Case, response: Response) -> bool:
    # 409 is a permitted call refused for its content (nothing to roll back): not a denial.
    return response.status_code in (200, 201, 204, 409)


def lists_owner_keys(world: World, case: Case, response: Response) -> bool:
    return response.is_success and f"keys-of-{OWNER}" in response.text


def conv(world: World, target: str) -> str:
    return world.conversations[OWNER][target]


def suggestion_for(world: World, target: str) -> str:
    suggestion_id = f"sg_matrix_{target}_{len(world.keys)}"
    world.keys[("made", suggestion_id)] = ""  # keeps the ids unique within the module
    record_suggestions(world.stores[OWNER], [{
        "suggestion_id": suggestion_id, "conversation_id": conv(world, target),
        "guide_id": target, "text": "好的", "source": "bank", "score": 0.5,
        "brain_version": "v1"}])
    # Served to every key: visibility alone decides who may report on it here.
    for secret in list(world.keys.values()):
        if secret:
            record_events(world.stores[OWNER], [suggestion_id], "served", key_id_of(secret), None)
    return suggestion_id


def revoke_fresh_key(world: World, headers: dict[str, str], _: str) -> Response:
    secret = create_api_key(world.stores[OWNER], "guide", guide_id="g2", label="spare")
    return world.client.delete(f"/v1/keys/{key_id_of(secret)}", headers=headers)


def ingest(world: World, headers: dict[str, str], _: str) -> Response:
    record = {"guide_id": "g9", "customer_id": "wm9", "role": "customer", "ts": 1, "text": "在吗"}
    return world.client.post("/v1/messages", json={"format": "plain", "records": [record]},
                             headers=headers)


def inline_suggest(world: World, headers: dict[str, str], target: str) -> Response:
    body = {"messages": [{"role": "customer", "text": "在吗"}], "guide_id": target}
    return world.client.post("/v1/suggest", json=body, headers=headers)


DATA_PROBES = [
    Probe("conversation", lambda w, h, g: w.client.get(
        f"/v1/conversations/{conv(w, g)}", headers=h), data_rule, shows_marker),
    Probe("conversations by guide", lambda w, h, g: w.client.get(
        f"/v1/conversations?guide_id={g}", headers=h), data_rule, lists_conversation),
    Probe("conversations by customer", lambda w, h, g: w.client.get(
        f"/v1/conversations?customer_id={customer_of(OWNER, g)}", headers=h), data_rule,
        lists_conversation),
    Probe("suggest", lambda w, h, g: w.client.post(
        "/v1/suggest", json={"conversation_id": conv(w, g)}, headers=h), data_rule, shows_marker),
    Probe("analyze", lambda w, h, g: w.client.post(
        "/v1/analyze", json={"conversation_id": conv(w, g)}, headers=h), data_rule, shows_marker),
    Probe("feedback", lambda w, h, g: w.client.post(
        "/v1/feedback", json={"suggestion_id": suggestion_for(w, g), "action": "accept"},
        headers=h), data_rule, succeeded),
    Probe("scorecard", lambda w, h, g: w.client.get(
        f"/v1/guides/{g}/scorecard", headers=h), data_rule, shows_marker),
    Probe("coaching", lambda w, h, g: w.client.get(
        f"/v1/coaching/{g}", headers=h), data_rule, shows_marker),
    Probe("leaderboard", lambda w, h, g: w.client.get(
        "/v1/leaderboard", headers=h), manager_rule, shows_marker),
    Probe("guide roster", lambda w, h, g: w.client.get(
        "/v1/guides", headers=h), manager_rule, lists_guide),
    Probe("inline suggest", inline_suggest, inline_rule, succeeded),
]
TENANT_PROBES = [
    Probe("ingest", ingest, admin_rule, succeeded),
    Probe("models", lambda w, h, _: w.client.get("/v1/models", headers=h), admin_rule, succeeded),
    Probe("promote", lambda w, h, _: w.client.post(
        "/v1/models/v1/promote?force=true", headers=h), operator_rule, succeeded),
    Probe("rollback", lambda w, h, _: w.client.post(
        "/v1/models/rollback", headers=h), operator_rule, succeeded),
    Probe("keys list", lambda w, h, _: w.client.get(
        "/v1/keys", headers=h), operator_rule, lists_owner_keys),
    Probe("key create", lambda w, h, _: w.client.post(
        "/v1/keys", json={"role": "guide", "guide_id": "g2"}, headers=h), admin_rule, succeeded),
    Probe("key revoke", revoke_fresh_key, operator_rule, succeeded),
]
CASES = [
    (probe, Case(role, tenant, target))
    for probe in DATA_PROBES
    for role, tenant, target in itertools.product(ROLES, (OWNER, "乙"), ("g1", "g3"))
] + [
    (probe, Case(role, tenant, "-"))
    for probe in TENANT_PROBES
    for role, tenant in itertools.product(ROLES, (OWNER, "乙"))
]


@pytest.mark.parametrize(("probe", "case"), CASES,
                         ids=[f"{p.name}-{c.role}-{c.tenant}-{c.target}" for p, c in CASES])
def test_authorisation_matrix(world: World, probe: Probe, case: Case) -> None:
    response = probe.call(world, world.headers(case.tenant, case.role), case.target)
    assert response.status_code < 500, response.text
    expected = probe.expected(case)
    assert probe.seen(world, case, response) == expected, (response.status_code,
                                                          response.text[:300])
    if not expected:
        assert response.status_code in (200, 403, 404), response.text
        if case.target != "-":
            assert marker(OWNER, case.target) not in response.text


def test_matrix_size() -> None:
    assert len(CASES) == len(DATA_PROBES) * 12 + len(TENANT_PROBES) * 6 == 174
