"""Live updates through Web PubSub (the stand-in), over HTTP and WebSocket against the
local host: a workspace connects with the URL GET /api/me/realtime gives it and hears of
an offer as it is made, with ids only; its connection keeps the agent present, and its
loss makes it offline after the grace; the token joins no other group; forged or replayed
event-handler calls change nothing; a failed publish fails no webhook; two hosts share
one service; and every call the app made to the service is one its published API
document declares."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import pytest
import requests

from localhost.easyauth import object_id_of
from localhost.services import LocalHost
from tests.e2e.test_distribution import as_, customer_writes
from tests.support import identity
from tests.support.live import LiveClient
from tests.support.twilio import account_body, BUSINESS
from tests.support.waiting import until
from tests.support.webpubsub_contract import problems

GRACE = 3  # AGENT_OFFLINE_AFTER_SECONDS


@pytest.fixture(scope="module")
def extra_env() -> dict[str, str]:
    return {"DISTRIBUTION_SCHEDULE": "*/1 * * * * *", "AGENT_OFFLINE_AFTER_SECONDS": str(GRACE),
            "AGENT_WATCH_SECONDS": "1"}


@pytest.fixture(scope="module")
def world(api) -> dict[str, Any]:
    account = api.call("POST", "/admin/accounts", account_body(name="Live")).json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "Live desk", "account_id": account["id"], "number": BUSINESS, "queues": ["general", "vip"],
        "default_queue": "general", "distribution": {"mode": "push", "offer_timeout_seconds": 30}}).json()
    for name in ("ana", "bo"):
        assert as_(api, name, "GET", "/me").status_code == 200
        api.call("PATCH", f"/admin/agents/{object_id_of(name)}",
                 {"queues": [{"workstream_id": workstream["id"], "queue": "general"}], "capacity": {"sms": 3}})
    return {"account": account["id"], "workstream": workstream["id"], "sent": 0}


def connect(api, who: str) -> LiveClient:
    access = as_(api, who, "GET", "/me/realtime")
    assert access.status_code == 200 and access.json()["transport"] == "websocket", access.text
    assert access.headers["Cache-Control"] == "no-store"
    return LiveClient(access.json()["url"])


def presence_of(api, world, who: str) -> str:
    agents = api.call("GET", f"/workstreams/{world['workstream']}/agents").json()["agents"]
    return next(a["presence"] for a in agents if a["name"] == who)


def test_an_offer_reaches_the_connected_workspace_with_ids_only(api, world):
    ana = connect(api, "ana")
    try:
        as_(api, "ana", "PUT", "/me/presence", {"presence": "available"})
        api.webpubsub.reset_calls()
        sent = time.monotonic()
        customer_writes(api, world, "+12065550700")
        notice = ana.wait_for(lambda f: f.get("type") == "message" and "offers" in f["data"].get("lists", []),
                              after=sent)
        data = notice["data"]
        assert data["type"] == "changed" and set(data) == {"type", "lists", "conversation_id", "version"}
        offers = as_(api, "ana", "GET", "/conversations", params={"view": "offers"}).json()["conversations"]
        assert [c["id"] for c in offers] == [data["conversation_id"]]
        calls = api.webpubsub.calls()
        published = " ".join(c.get("body") or "" for c in calls)
        assert "+12065550700" not in published and "Hello" not in published and "hello" not in published
        assert all(not problems(c) for c in calls), [problems(c) for c in calls]
    finally:
        ana.close()
        as_(api, "ana", "PUT", "/me/presence", {"presence": "offline"})


def test_the_token_joins_no_other_group(api, world):
    bo = connect(api, "bo")
    try:
        bo.send({"type": "joinGroup", "group": "admins", "ackId": 1})
        ack = bo.wait_for(lambda f: f.get("type") == "ack" and f.get("ackId") == 1)
        assert ack["success"] is False and ack["error"]["name"] == "Forbidden"
        api.webpubsub.reset_calls()
        customer_writes(api, world, "+12065550701")  # bo is not available: only groups hear of it
        time.sleep(1)
        assert not [n for n in bo.notices() if "all" in n.get("lists", [])]  # the admins' group's notice
        assert [n for n in bo.notices() if "queue" in n.get("lists", [])]  # its queue's
    finally:
        bo.close()


def test_a_scope_change_renews_the_connection_with_the_groups_it_has_now(api, world):
    bo = connect(api, "bo")
    try:
        changed = api.call("PATCH", f"/admin/agents/{object_id_of('bo')}",
                           {"queues": [{"workstream_id": world["workstream"], "queue": "vip"}]})
        assert changed.status_code == 200
        until(lambda: bo.closed)  # ended by the service; the workspace reconnects
        renewed = connect(api, "bo")
        try:
            customer_writes(api, world, "+12065550702")  # to general, which bo left
            time.sleep(1)
            assert not [n for n in renewed.notices() if "queue" in n.get("lists", [])]
        finally:
            renewed.close()
    finally:
        bo.close()
        api.call("PATCH", f"/admin/agents/{object_id_of('bo')}",
                 {"queues": [{"workstream_id": world["workstream"], "queue": "general"}]})


def test_a_new_capacity_tells_the_agents_workspace_to_read_its_state(api, world):
    """An admin gives bo room for more: his connected workspace hears it (ids only), and
    its next read of the change feed answers his state with the new capacity."""
    cursor = as_(api, "bo", "GET", "/me/changes").json()["cursor"]
    bo = connect(api, "bo")
    try:
        sent = time.monotonic()
        changed = api.call("PATCH", f"/admin/agents/{object_id_of('bo')}", {"capacity": {"sms": 5}})
        assert changed.status_code == 200
        notice = bo.wait_for(lambda f: f.get("type") == "message" and f["data"].get("lists") == ["me"], after=sent)
        assert notice["data"] == {"type": "changed", "lists": ["me"]}
        me = as_(api, "bo", "GET", "/me/changes", params={"since": cursor}).json()["me"]
        assert me["capacity"]["sms"] == 5
    finally:
        bo.close()
        api.call("PATCH", f"/admin/agents/{object_id_of('bo')}", {"capacity": {"sms": 3}})


def test_a_connection_keeps_the_agent_present_and_its_loss_ends_it_after_the_grace(api, world):
    ana = connect(api, "ana")
    as_(api, "ana", "PUT", "/me/presence", {"presence": "available"})
    time.sleep(GRACE + 2)  # no call of the workspace meanwhile: the connection alone keeps it
    assert presence_of(api, world, "ana") == "available"
    ana.close()
    time.sleep(1)
    assert presence_of(api, world, "ana") == "available"  # within the grace
    until(lambda: presence_of(api, world, "ana") == "offline")
    again = connect(api, "ana")
    try:
        until(lambda: presence_of(api, world, "ana") == "available")  # back as it was
    finally:
        again.close()
        as_(api, "ana", "PUT", "/me/presence", {"presence": "offline"})


def test_a_lost_connected_event_leaves_the_agent_present(api, world):
    api.webpubsub.set_event_handler(None)  # the service's call never reaches the app
    try:
        ana = connect(api, "ana")
    finally:
        api.webpubsub.set_event_handler(f"{api.host.base_url}/api/realtime/events")
    try:
        as_(api, "ana", "PUT", "/me/presence", {"presence": "available"})
        time.sleep(GRACE + 2.5)  # past the grace: its watch finds the connection at the service (each timer run)
        until(lambda: presence_of(api, world, "ana") == "available", timeout=GRACE)
    finally:
        ana.close()
        as_(api, "ana", "PUT", "/me/presence", {"presence": "offline"})


def test_forged_and_replayed_event_handler_calls_change_nothing(api, world):
    url = api.base + "/realtime/events"
    headers = {"ce-type": "azure.webpubsub.sys.connected", "ce-hub": "switchboard", "ce-connectionId": "forged",
               "ce-userId": object_id_of("bo"), "ce-specversion": "1.0", "Content-Type": "application/json"}
    assert requests.post(url, headers=headers, data="{}", timeout=10).json()["error"]["code"] == "bad_signature"
    wrong = requests.post(url, headers={**headers, "ce-signature": "sha256=" + "0" * 64}, data="{}", timeout=10)
    assert wrong.status_code == 401
    odd = requests.post(url, headers={**headers, "ce-signature": "sha256=é".encode()}, data="{}", timeout=10)
    assert odd.status_code == 401 and odd.json()["error"]["code"] == "bad_signature"
    handshake = requests.options(url, headers={"WebHook-Request-Origin": "evil.example"}, timeout=10)
    assert handshake.status_code == 403 and "WebHook-Allowed-Origin" not in handshake.headers
    as_(api, "bo", "PUT", "/me/presence", {"presence": "available"})
    signature = hmac.new(api.webpubsub.key.encode(), b"forged", hashlib.sha256).hexdigest()
    replayed = requests.post(url, headers={**headers, "ce-signature": f"sha256={signature}"}, data="{}", timeout=10)
    assert replayed.status_code == 204  # signed, but the service has no such connection: nothing kept
    as_(api, "bo", "PUT", "/me/presence", {"presence": "available"})
    time.sleep(GRACE + 1.5)
    assert presence_of(api, world, "bo") == "offline"


def test_a_failed_publish_fails_no_webhook(api, world):
    ana = connect(api, "ana")
    try:
        as_(api, "ana", "PUT", "/me/presence", {"presence": "available"})
        outage = api.webpubsub.endpoint + "/_standin/outage"
        requests.put(outage, json={"status": 503}, timeout=10).raise_for_status()
        try:
            customer_writes(api, world, "+12065550703")  # asserts 200
        finally:
            requests.delete(outage, timeout=10).raise_for_status()
        stored = api.call("GET", "/conversations", params={"view": "all"}).json()["conversations"]
        assert "+12065550703" in [c["customer"] for c in stored]
    finally:
        ana.close()
        for c in as_(api, "ana", "GET", "/conversations", params={"view": "offers"}).json()["conversations"]:
            as_(api, "ana", "POST", f"/conversations/{c['id']}/decline")
        as_(api, "ana", "PUT", "/me/presence", {"presence": "offline"})


def test_two_hosts_share_one_service(api, world, module_env):
    other = LocalHost.start(module_env)
    bo = connect(api, "bo")
    api.call("PATCH", f"/admin/agents/{object_id_of('bo')}", {"capacity": {"sms": 20}})  # room beside what waits
    try:
        as_(api, "bo", "PUT", "/me/presence", {"presence": "available"})
        sent = time.monotonic()
        customer_writes(api, world, "+12065550704", other.base_url)  # decided by the other host
        notice = bo.wait_for(lambda f: f.get("type") == "message" and "offers" in f["data"].get("lists", []),
                             after=sent)
        offer = as_(api, "bo", "GET", f"/conversations/{notice['data']['conversation_id']}").json()
        assert offer["offer"]["agent"]["name"] == "bo"
    finally:
        bo.close()
        other.stop()


def test_without_web_pubsub_the_workspace_long_polls(api, module_env):
    env = {k: v for k, v in module_env.items() if k != "WEBPUBSUB_CONNECTION_STRING"}
    plain = LocalHost.start(env)
    try:
        answer = requests.get(plain.base_url + "/api/me/realtime", headers=identity.bearer(env, "ana", ("agent",)),
                              timeout=10)
        assert answer.status_code == 200 and answer.json() == {"transport": "long_poll"}
        assert requests.post(plain.base_url + "/api/realtime/events", timeout=10).status_code == 404
    finally:
        plain.stop()
