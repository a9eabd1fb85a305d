"""Work distribution over HTTP through the local host: agents set their presence, a signed
webhook's conversation shows as an offer in the agent's change feed, the agent accepts or
declines, supervisors assign and transfer; and two hosts on one storage deciding at once
never give a conversation to two agents nor an agent more than its capacity."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from localhost.easyauth import object_id_of
from localhost.services import LocalHost
from tests.support import identity
from tests.support.twilio import AUTH_TOKEN, BUSINESS, account_body, encode, fixture_form, sign

PEOPLE = {"ana": ("agent",), "bo": ("agent",), "sue": ("supervisor",)}


@pytest.fixture(scope="module")
def extra_env() -> dict[str, str]:
    return {"DISTRIBUTION_SCHEDULE": "*/1 * * * * *"}


def as_(api, who: str, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
    return api.call(method, path, body, headers=identity.bearer(api.env, who, PEOPLE[who]), key=False, **kwargs)


@pytest.fixture(scope="module")
def world(api) -> dict[str, Any]:
    account = api.call("POST", "/admin/accounts", account_body(name="Distribution")).json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "Support", "account_id": account["id"], "number": BUSINESS, "queues": ["general"],
        "default_queue": "general", "distribution": {"mode": "push", "offer_timeout_seconds": 10}}).json()
    queues = [{"workstream_id": workstream["id"], "queue": "general"}]
    for name in ("ana", "bo"):
        assert as_(api, name, "GET", "/me").status_code == 200  # signs in: enters the directory
        changed = api.call("PATCH", f"/admin/agents/{object_id_of(name)}", {"queues": queues, "capacity": {"sms": 2}})
        assert changed.status_code == 200 and changed.json()["capacity"] == {"sms": 2, "whatsapp": 3}
    as_(api, "sue", "GET", "/me")
    api.call("PATCH", f"/admin/agents/{object_id_of('sue')}", {"supervises": [workstream["id"]]})
    return {"account": account["id"], "workstream": workstream["id"], "sent": 0}


def customer_writes(api, world: dict[str, Any], customer: str, base_url: str | None = None) -> None:
    world["sent"] += 1
    url = f"{base_url or api.host.base_url}/api/twilio/{world['account']}/inbound"
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SM{world['sent']:032d}", From=customer)
    answer = requests.post(url, data=encode(form), headers={
        "X-Twilio-Signature": sign(url, form, AUTH_TOKEN), "Content-Type": "application/x-www-form-urlencoded"},
        timeout=30)
    assert answer.status_code == 200, answer.text


def test_presence_is_the_agents_own_and_checked(api, world):
    assert as_(api, "ana", "PUT", "/me/presence", {"presence": "lunch"}).json()["error"]["field"] == "presence"
    assert as_(api, "sue", "PUT", "/me/presence", {"presence": "available"}).status_code == 403
    me = as_(api, "ana", "PUT", "/me/presence", {"presence": "busy"}).json()
    assert (me["presence"], me["load"], me["capacity"]) == ("busy", {"sms": 0, "whatsapp": 0}, {"sms": 2, "whatsapp": 3})


def test_an_offer_reaches_the_agents_change_feed_and_is_accepted(api, world):
    first = as_(api, "ana", "GET", "/me/changes").json()
    assert as_(api, "ana", "PUT", "/me/presence", {"presence": "available"}).status_code == 200
    ready = as_(api, "ana", "GET", "/me/changes", params={"since": first["cursor"]}).json()
    assert ready["me"]["presence"] == "available"
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(as_, api, "ana", "GET", "/me/changes", params={"since": ready["cursor"], "wait": 20})
        time.sleep(0.5)
        customer_writes(api, world, "+12065550400")
        changed = waiting.result().json()
    assert time.monotonic() - started < 15  # woken by the offer, not by the end of its 20 s wait
    [offer] = changed["offers"]
    assert offer["offer"]["agent"]["name"] == "ana" and changed["me"]["load"]["sms"] == 1
    accepted = as_(api, "ana", "POST", f"/conversations/{offer['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["agent"]["name"] == "ana"
    mine = as_(api, "ana", "GET", "/conversations", params={"view": "mine"}).json()
    assert [c["id"] for c in mine["conversations"]] == [offer["id"]] and mine["next"] is None
    assert as_(api, "ana", "POST", f"/conversations/{offer['id']}/close").status_code == 200


def test_a_declined_or_lapsed_offer_moves_on(api, world):
    as_(api, "bo", "PUT", "/me/presence", {"presence": "available"})
    customer_writes(api, world, "+12065550401")
    offers = {who: as_(api, who, "GET", "/conversations", params={"view": "offers"}).json()["conversations"]
              for who in ("ana", "bo")}
    [(first, [offer])] = [(who, found) for who, found in offers.items() if found]
    second = "bo" if first == "ana" else "ana"
    assert as_(api, second, "POST", f"/conversations/{offer['id']}/decline").json()["error"]["code"] == \
        "not_offered_to_you"
    assert as_(api, first, "POST", f"/conversations/{offer['id']}/decline").status_code == 200
    moved = api.call("GET", f"/conversations/{offer['id']}").json()
    assert moved["offer"]["agent"]["name"] == second
    deadline = time.monotonic() + 20  # the offer lapses after 10 s: nobody else is eligible
    while api.call("GET", f"/conversations/{offer['id']}").json()["offer"] and time.monotonic() < deadline:
        time.sleep(0.5)
    lapsed = api.call("GET", f"/conversations/{offer['id']}").json()
    assert lapsed["offer"] is None and [e["action"] for e in lapsed["history"]][-1] == "offer_expired"
    assert as_(api, second, "GET", "/me").json()["presence"] == "away"


def test_a_supervisor_assigns_and_transfers(api, world):
    for who in ("ana", "bo"):  # nobody is offered it: it waits in the queue
        as_(api, who, "PUT", "/me/presence", {"presence": "busy"})
    customer_writes(api, world, "+12065550402")
    waiting = as_(api, "sue", "GET", "/conversations", params={"view": "queue", "workstream_id": world["workstream"],
                                                               "queue": "general"}).json()["conversations"]
    target = next(c for c in waiting if c["customer"] == "+12065550402")
    for nobody in ("nobody", None):
        bad = as_(api, "sue", "POST", f"/conversations/{target['id']}/assign", {"agent_id": nobody})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "agent_id"
        assert "None" not in bad.json()["error"]["message"]  # a message for people, not Python's
    assert as_(api, "ana", "POST", f"/conversations/{target['id']}/assign",
               {"agent_id": object_id_of("bo")}).status_code == 403
    assigned = as_(api, "sue", "POST", f"/conversations/{target['id']}/assign", {"agent_id": object_id_of("bo")})
    assert assigned.status_code == 200 and assigned.json()["agent"]["name"] == "bo"
    both = as_(api, "sue", "POST", f"/conversations/{target['id']}/transfer", {"agent_id": object_id_of("ana"),
                                                                              "queue": "general"})
    neither = as_(api, "sue", "POST", f"/conversations/{target['id']}/transfer", {})
    assert (both.status_code, neither.status_code) == (422, 422)
    assert "not both" in both.json()["error"]["message"] and "one of them" in neither.json()["error"]["message"]
    moved = as_(api, "bo", "POST", f"/conversations/{target['id']}/transfer", {"agent_id": object_id_of("ana")})
    assert moved.status_code == 200 and moved.json()["agent"]["name"] == "ana"
    back = as_(api, "sue", "POST", f"/conversations/{target['id']}/unassign")
    assert back.status_code == 200 and back.json()["agent"] is None


def test_two_hosts_on_one_storage_never_double_assign(api, world, module_env):
    for who in ("ana", "bo"):
        as_(api, who, "PUT", "/me/presence", {"presence": "available"})
        for c in as_(api, who, "GET", "/conversations", params={"view": "mine"}).json()["conversations"]:
            as_(api, who, "POST", f"/conversations/{c['id']}/close")
    other = LocalHost.start(module_env)
    try:
        bases = [api.host.base_url, other.base_url]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: customer_writes(api, world, f"+1206555{i + 500:04d}", bases[i % 2]), range(16)))
    finally:
        other.stop()
    offered = {who: [c["id"] for c in as_(api, who, "GET", "/conversations", params={"view": "offers"})
                     .json()["conversations"]] for who in ("ana", "bo")}
    assert all(len(ids) <= 2 for ids in offered.values())
    assert not set(offered["ana"]) & set(offered["bo"])
    for who, ids in offered.items():
        assert as_(api, who, "GET", "/me").json()["load"]["sms"] == len(ids)
        for cid in ids:
            assert api.call("GET", f"/conversations/{cid}").json()["offer"]["agent"]["name"] == who


def test_a_workstream_as_its_team_sees_it(api, world):
    path = f"/workstreams/{world['workstream']}"
    for who in ("sue", "ana"):  # its supervisor, an agent of its queue
        seen = as_(api, who, "GET", path)
        assert seen.status_code == 200, seen.text
        assert {k: seen.json()[k] for k in ("name", "channel", "queues")} == {
            "name": "Support", "channel": "sms", "queues": ["general"]}
    assert api.call("GET", f"/workstreams/{'0' * 32}").status_code == 404  # an admin: none such
    assert as_(api, "sue", "GET", f"/workstreams/{'0' * 32}").status_code == 403
    assert as_(api, "ana", "GET", "/workstreams/nope").status_code == 422


def test_a_workstreams_agents_with_presence_and_load(api, world):
    path = f"/workstreams/{world['workstream']}/agents"
    listed = as_(api, "sue", "GET", path)
    assert listed.status_code == 200, listed.text
    found = {a["name"]: a for a in listed.json()["agents"]}
    assert set(found) == {"ana", "bo"} and found["ana"]["capacity"]["sms"] == 2
    assert {"presence", "load"} <= set(found["ana"])
    assert as_(api, "ana", "GET", path).status_code == 200  # whom she may transfer to
    assert api.call("GET", f"/workstreams/{'0' * 32}/agents").status_code == 404  # an admin: no such workstream
    assert as_(api, "sue", "GET", f"/workstreams/{'0' * 32}/agents").status_code == 403
    assert as_(api, "sue", "GET", "/workstreams/nope/agents").status_code == 422
    conversation = next(iter(as_(api, "sue", "GET", "/conversations", params={
        "workstream_id": world["workstream"]}).json()["conversations"]))
    assert api.call("GET", f"/conversations/{conversation['id']}").json()["workstream"]["queues"] == ["general"]
