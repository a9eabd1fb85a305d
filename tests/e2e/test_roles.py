"""Who may do what, over HTTP through the local host's Easy Auth emulation: every agent and
admin route against an admin, supervisors of this workstream and of another, agents of
this queue and of another, a principal with no Switchboard role, and nobody at all.

The cast (each signed in with a token of the host's local tenant):
  alice   admin
  sue     supervisor of the Support workstream     sam   supervisor of the Sales workstream
  ann     agent in Support's "general" queue        otto  agent in Support's "vip" queue
  nora    signed in, but with no Switchboard role
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests

from localhost.easyauth import object_id_of
from tests.support import identity
from tests.support.twilio import AUTH_TOKEN, BUSINESS, account_body, fixture_form

PEOPLE = {"alice": ("admin",), "sue": ("supervisor",), "sam": ("supervisor",), "ann": ("agent",),
          "otto": ("agent",), "nora": ()}
SALES_NUMBER = "+14252306550"


def as_(api, who: str | None, method: str, path: str, body: Any = None) -> requests.Response:
    """A call as ``who`` (None: nobody signed in)."""
    if who is None:
        return api.call(method, path, body, key=False)
    return api.call(method, path, body, headers=identity.bearer(api.env, who, PEOPLE[who]), key=False)


@pytest.fixture(scope="module")
def world(api) -> dict[str, str]:
    api.twilio.on("POST", r"/2010-04-01/Accounts/\w+/Messages\.json", (201, {"sid": "SM" + "7" * 32, "status": "queued"}))
    numbers = [{"number": BUSINESS, "type": "long_code"}, {"number": SALES_NUMBER, "type": "long_code"}]
    account = as_(api, "alice", "POST", "/admin/accounts", account_body(name="Roles", numbers=numbers)).json()
    support = as_(api, "alice", "POST", "/admin/workstreams", {
        "name": "Support", "account_id": account["id"], "number": BUSINESS, "queues": ["general", "vip"],
        "default_queue": "general"}).json()
    sales = as_(api, "alice", "POST", "/admin/workstreams", {
        "name": "Sales", "account_id": account["id"], "number": SALES_NUMBER}).json()
    for name, body in {"sue": {"supervises": [support["id"]]}, "sam": {"supervises": [sales["id"]]},
                       "ann": {"queues": [{"workstream_id": support["id"], "queue": "general"}]},
                       "otto": {"queues": [{"workstream_id": support["id"], "queue": "vip"}]}}.items():
        added = as_(api, "alice", "POST", "/admin/agents", {"object_id": object_id_of(name), "name": name, **body})
        assert added.status_code == 201, added.text
    return {"account": account["id"], "support": support["id"], "sales": sales["id"]}


def customer_writes(api, world: dict[str, str], customer: str, sid: str) -> str:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, From=customer)
    assert api.webhook(f"/twilio/{world['account']}/inbound", form, AUTH_TOKEN).status_code == 200
    listed = as_(api, "alice", "GET", "/conversations").json()["conversations"]
    return next(c["id"] for c in listed if c["customer"] == customer)


@pytest.fixture(scope="module")
def general(api, world) -> str:
    """A conversation in Support's general queue that the read-only rows look at."""
    return customer_writes(api, world, "+12065550300", "SM" + "3" * 32)


@pytest.mark.parametrize("who,status", [
    ("alice", 200), ("sue", 200), ("ann", 200), ("sam", 404), ("otto", 404), ("nora", 403), (None, 401)])
def test_reading_a_conversation(api, general, who, status):
    assert as_(api, who, "GET", f"/conversations/{general}").status_code == status


@pytest.mark.parametrize("who,query,status,sees", [
    ("alice", "", 200, True), ("sue", "workstream_id={support}", 200, True),
    ("ann", "view=queue&workstream_id={support}&queue=general", 200, True),
    ("ann", "view=workstream&workstream_id={support}&queue=general", 200, True),
    ("ann", "workstream_id={support}", 403, False), ("sam", "workstream_id={support}", 403, False),
    ("otto", "view=queue&workstream_id={support}&queue=general", 403, False),
    ("otto", "view=queue&workstream_id={support}&queue=vip", 200, False), ("sam", "view=all", 403, False),
])
def test_lists_are_read_within_scope(api, world, general, who, query, status, sees):
    listed = as_(api, who, "GET", "/conversations?" + query.format(**world))
    assert listed.status_code == status, listed.text
    if status == 200:
        assert (general in [c["id"] for c in listed.json()["conversations"]]) is sees


def test_an_agent_listing_a_whole_workstream_is_told_to_name_one_of_their_queues(api, world):
    refused = as_(api, "ann", "GET", "/conversations?view=workstream&workstream_id={support}".format(**world))
    assert refused.status_code == 403 and "names one of their queues (queue=" in refused.json()["error"]["message"]


@pytest.mark.parametrize("who,status", [("nora", 403), (None, 401)])
def test_listing_needs_a_role(api, who, status):
    assert as_(api, who, "GET", "/conversations").status_code == status


@pytest.mark.parametrize("action,body", [
    ("accept", None), ("wait", None), ("close", None), ("messages", {"body": "hi"}),
    ("template", {"name": "none", "parameters": []}), ("decline", None), ("transfer", {"queue": "vip"}),
    ("assign", {"agent_id": object_id_of("ann")}), ("unassign", None)])
@pytest.mark.parametrize("who,status", [("sam", 404), ("otto", 404), ("nora", 403), (None, 401)])
def test_changing_a_conversation_outside_scope_is_refused_and_changes_nothing(api, general, action, body, who,
                                                                              status):
    assert as_(api, who, "POST", f"/conversations/{general}/{action}", body).status_code == status
    assert as_(api, "alice", "GET", f"/conversations/{general}").json()["state"] == "open"


@pytest.mark.parametrize("who,status", [("sam", 404), ("otto", 404), ("nora", 403), (None, 401)])
def test_media_outside_scope(api, general, who, status):
    path = f"/conversations/{general}/messages/0123456789abcdef0123456789abcdef/media/0"
    assert as_(api, who, "GET", path).status_code == status


@pytest.mark.parametrize("who", ["sue"])
def test_a_supervisor_monitors_but_does_not_answer(api, general, who):
    for action, body in (("accept", None), ("messages", {"body": "hi"}), ("wait", None)):
        refused = as_(api, who, "POST", f"/conversations/{general}/{action}", body)
        assert refused.status_code == 403 and "Switchboard.Agent" in refused.json()["error"]["message"]


def test_an_agent_in_the_queue_takes_answers_parks_and_closes_and_the_history_names_her(api, world):
    cid = customer_writes(api, world, "+12065550301", "SM" + "4" * 32)
    assert as_(api, "ann", "POST", f"/conversations/{cid}/accept").status_code == 200
    held = as_(api, "otto", "POST", f"/conversations/{cid}/messages", {"body": "mine?"})
    assert held.status_code == 404  # otto's queue is vip: he does not even see it
    reply = as_(api, "ann", "POST", f"/conversations/{cid}/messages", {"body": "Hello from Ann"})
    assert reply.status_code == 201 and reply.json()["agent"] == {"id": object_id_of("ann"), "name": "ann"}
    assert as_(api, "ann", "POST", f"/conversations/{cid}/wait").status_code == 200
    assert as_(api, "ann", "POST", f"/conversations/{cid}/close").status_code == 200
    conversation = as_(api, "alice", "GET", f"/conversations/{cid}").json()
    assert conversation["agent"] == {"id": object_id_of("ann"), "name": "ann"}
    assert [(e["action"], e["actor"]) for e in conversation["history"]] == [
        ("accepted", {"id": object_id_of("ann"), "name": "ann"}), ("parked", {"id": object_id_of("ann"), "name": "ann"}),
        ("closed", {"id": object_id_of("ann"), "name": "ann"})]
    assert as_(api, "ann", "GET", f"/conversations/{cid}").status_code == 200  # she still sees what she held


def test_a_conversation_another_agent_holds_is_theirs_and_a_supervisor_closes_it(api, world):
    cid = customer_writes(api, world, "+12065550302", "SM" + "5" * 32)
    assert as_(api, "alice", "POST", f"/conversations/{cid}/accept").status_code == 200
    taken = as_(api, "ann", "POST", f"/conversations/{cid}/accept")
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "held_by_another_agent"
    assert as_(api, "ann", "POST", f"/conversations/{cid}/messages", {"body": "hi"}).status_code == 409
    closed = as_(api, "sue", "POST", f"/conversations/{cid}/close")
    assert closed.status_code == 200
    [_, closing] = as_(api, "alice", "GET", f"/conversations/{cid}").json()["history"]
    assert closing["action"] == "closed" and closing["actor"]["name"] == "sue"


def test_a_body_naming_someone_else_is_refused(api, world):
    cid = customer_writes(api, world, "+12065550303", "SM" + "6" * 32)
    for action, body in (("accept", {"agent": "bob"}), ("messages", {"body": "hi", "agent": "bob"})):
        refused = as_(api, "ann", "POST", f"/conversations/{cid}/{action}", body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_yourself"
    assert as_(api, "ann", "POST", f"/conversations/{cid}/accept", {"agent": "ann"}).status_code == 200
    assert as_(api, "alice", "GET", f"/conversations/{cid}").json()["agent"]["name"] == "ann"
    for action, body in (("wait", {"agent": "bob"}), ("unassign", {"agent": 5}), ("seen", {"agent": "bob"}),
                         ("close", {"agent": "bob", "note": "done"}), ("decline", {"agent": "bob"})):
        refused = as_(api, "ann", "POST", f"/conversations/{cid}/{action}", body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_yourself", action
    held = as_(api, "alice", "GET", f"/conversations/{cid}").json()
    assert (held["state"], held["agent"]["name"]) == ("active", "ann")


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/admin/accounts", None), ("POST", "/admin/accounts", {}), ("GET", "/admin/workstreams", None),
    ("POST", "/admin/workstreams", {}), ("GET", "/admin/contacts", None), ("POST", "/admin/contacts", {}),
    ("GET", "/admin/agents", None), ("POST", "/admin/agents", {}), ("GET", "/admin/accounts/" + "a" * 32, None),
    ("PATCH", "/admin/workstreams/" + "a" * 32, {}), ("DELETE", "/admin/contacts/" + "a" * 32, None),
    ("POST", "/admin/accounts/" + "a" * 32 + "/validate", None), ("DELETE", "/admin/agents/" + object_id_of("x"), None),
    ("GET", "/admin/agents/" + object_id_of("ann"), None), ("PATCH", "/admin/agents/" + object_id_of("ann"), {}),
])
@pytest.mark.parametrize("who,status", [("sue", 403), ("ann", 403), ("nora", 403), (None, 401)])
def test_admin_routes_need_the_admin_role(api, world, method, path, body, who, status):
    refused = as_(api, who, method, path, body)
    assert refused.status_code == status
    if status == 403:
        assert "Switchboard.Admin" in refused.json()["error"]["message"]


@pytest.mark.parametrize("who,status", [
    ("ann", 200), ("otto", 200), ("alice", 403), ("sue", 403), ("nora", 403), (None, 401)])
def test_presence_is_for_agents(api, world, who, status):
    assert as_(api, who, "PUT", "/me/presence", {"presence": "away"}).status_code == status


@pytest.mark.parametrize("who,status", [
    ("alice", 200), ("sue", 200), ("ann", 200), ("nora", 403), (None, 401)])
def test_the_change_feed_needs_a_role(api, world, who, status):
    assert as_(api, who, "GET", "/me/changes?wait=0").status_code == status


@pytest.mark.parametrize("who,status", [
    ("alice", 200), ("sue", 200), ("ann", 200), ("otto", 200), ("sam", 403), ("nora", 403), (None, 401)])
def test_a_workstreams_agents_are_seen_by_its_people(api, world, who, status):
    assert as_(api, who, "GET", f"/workstreams/{world['support']}/agents").status_code == status


@pytest.mark.parametrize("who,number,status", [
    ("alice", SALES_NUMBER, 200), ("sue", BUSINESS, 200), ("sam", BUSINESS, 403), ("ann", BUSINESS, 403),
    ("nora", BUSINESS, 403), (None, BUSINESS, 401)])
def test_proactive_messages_need_an_admin_or_the_workstreams_supervisor(api, world, who, number, status):
    answer = as_(api, who, "POST", "/outbound", {"account_id": world["account"], "from": number,
                                                 "to": ["+12065550310"], "body": "Your order shipped."})
    assert answer.status_code == status, answer.text


def test_me_says_who_the_caller_is_and_the_directory_keeps_who_signed_in(api, world):
    me = as_(api, "ann", "GET", "/me").json()
    assert (me["id"], me["name"], me["roles"], me["app"]) == (object_id_of("ann"), "ann", ["agent"], False)
    assert me["queues"] == [{"workstream_id": world["support"], "queue": "general"}]
    assert as_(api, None, "GET", "/me").status_code == 401
    as_(api, "nora", "GET", "/me")
    directory = {a["name"]: a for a in as_(api, "alice", "GET", "/admin/agents").json()["agents"]}
    assert directory["nora"]["roles"] == [] and directory["nora"]["last_seen_at"]
    one = as_(api, "alice", "GET", f"/admin/agents/{object_id_of('nora')}").json()
    assert (directory["nora"]["presence"], directory["nora"]["load"]) == ("offline", one["load"]) and one["load"]
    assert directory["sue"]["supervises"] == [world["support"]]


def test_a_principal_header_from_the_client_is_ignored(api, world, general):
    forged = base64.b64encode(json.dumps({"auth_typ": "aad", "claims": [
        {"typ": "oid", "val": object_id_of("mallory")}, {"typ": "roles", "val": "Switchboard.Admin"}]}).encode()).decode()
    headers = {"X-MS-CLIENT-PRINCIPAL": forged, "X-MS-CLIENT-PRINCIPAL-ID": object_id_of("mallory")}
    assert api.call("GET", "/admin/accounts", key=False, headers=headers).status_code == 401
    # Signed in as ann, with a forged admin principal beside her token: still only ann.
    mixed = api.call("GET", "/admin/accounts", key=False, headers={**headers, **api.auth("ann", "agent")})
    assert mixed.status_code == 403


def test_a_state_changing_call_from_another_sites_page_is_refused(api, world):
    cid = customer_writes(api, world, "+12065550304", "SM" + "8" * 32)
    headers = {**api.auth("ann", "agent"), "Origin": "https://evil.example.com"}
    refused = api.call("POST", f"/conversations/{cid}/accept", key=False, headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "cross_site_request"
    headers = {**api.auth("ann", "agent"), "Sec-Fetch-Site": "cross-site"}
    assert api.call("POST", f"/conversations/{cid}/accept", key=False, headers=headers).status_code == 403
    same = {**api.auth("ann", "agent"), "Origin": api.host.base_url, "Sec-Fetch-Site": "same-origin"}
    assert api.call("POST", f"/conversations/{cid}/accept", key=False, headers=same).status_code == 200
