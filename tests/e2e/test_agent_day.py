"""An agent's day over HTTP: a customer's latest message shows as a card's first line, its
holder's unread count grows with each customer message and is cleared when the holder
opens the conversation (only then is anything written); internal notes are kept apart from
what is sent, and name whom they tell."""

from __future__ import annotations

from typing import Any

import pytest

from localhost.easyauth import object_id_of
from tests.support import identity
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CUSTOMER = "+12065550881"


def as_(api, who: str, method: str, path: str, body: Any = None):
    return api.call(method, path, body, as_=(who, "agent"))


@pytest.fixture(scope="module")
def world(api) -> dict[str, Any]:
    api.twilio.on("POST", MESSAGES, lambda _r: message_created("SM" + "8" * 32))
    account = api.call("POST", "/admin/accounts", account_body(name="Unread")).json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "Unread", "account_id": account["id"], "number": BUSINESS, "queues": ["general"],
        "default_queue": "general", "distribution": {"mode": "pick"}}).json()
    assert as_(api, "una", "GET", "/me").status_code == 200
    api.call("PATCH", f"/admin/agents/{object_id_of('una')}",
             {"queues": [{"workstream_id": workstream["id"], "queue": "general"}]})
    return {"account": account["id"], "sids": iter(range(1, 1000))}


def writes(api, world, body: str) -> None:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SM{next(world['sids']):032d}", From=CUSTOMER,
                        Body=body)
    assert api.webhook(f"/twilio/{world['account']}/inbound", form, AUTH_TOKEN).status_code == 200


def mine(api) -> dict[str, Any]:
    [conversation] = as_(api, "una", "GET", "/conversations?view=mine").json()["conversations"]
    return conversation


def test_a_holders_unread_count_and_the_latest_messages_first_line(api, world):
    writes(api, world, "Hello\nmy order 1234 is late")
    [waiting] = [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == CUSTOMER]
    assert (waiting["preview"], waiting["unread"]) == ("Hello", 0)  # nobody holds it yet
    assert as_(api, "una", "POST", f"/conversations/{waiting['id']}/accept").status_code == 200
    assert mine(api)["unread"] == 1

    opened = as_(api, "una", "POST", f"/conversations/{waiting['id']}/seen")
    assert opened.status_code == 200 and opened.json()["unread"] == 0
    again = as_(api, "una", "POST", f"/conversations/{waiting['id']}/seen")
    assert again.json()["version"] == opened.json()["version"]  # nothing unseen: nothing written

    writes(api, world, "Hello? Are you still there?")
    writes(api, world, "   \n" + "x" * 150)
    held = as_(api, "una", "GET", f"/conversations/{waiting['id']}").json()
    assert held["unread"] == 2 and held["preview"] == "x" * 99 + "…"
    assert as_(api, "una", "POST", f"/conversations/{waiting['id']}/seen").json()["unread"] == 0
    assert as_(api, "una", "POST", "/conversations/nope/seen").status_code == 404


def test_a_note_over_http(api, world):
    [c] = [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == CUSTOMER]
    sent_before = len(api.twilio.calls("POST", MESSAGES))
    noted = as_(api, "una", "POST", f"/conversations/{c['id']}/notes", {"body": "Gold customer, @Una is on it"})
    assert noted.status_code == 201, noted.text
    note = noted.json()
    assert (note["direction"], note["status"], note["agent"]["name"], note["mentioned"]) == ("note", "noted", "una", [])
    assert len(api.twilio.calls("POST", MESSAGES)) == sent_before
    assert as_(api, "una", "POST", f"/conversations/{c['id']}/notes", {"body": ""}).json()["error"]["field"] == "body"
    assert as_(api, "una", "POST", f"/conversations/{c['id']}/notes", {"text": "x"}).status_code == 422
    export = api.call("GET", f"/conversations/{c['id']}/export?format=csv").text
    assert ",note,una,noted,\"Gold customer, @Una is on it\"," in export


def test_closing_with_a_wrap_up(api, world):
    [c] = [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == CUSTOMER]
    workstream_id = c["workstream_id"]
    wrap = {"dispositions": ["Resolved", "Refund issued"], "required": True}
    assert api.call("PATCH", f"/admin/workstreams/{workstream_id}", {"wrap_up": wrap}).json()["wrap_up"] == wrap
    refused = api.call("PATCH", f"/admin/workstreams/{workstream_id}", {"wrap_up": {"required": True}})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "wrap_up.required"

    missing = as_(api, "una", "POST", f"/conversations/{c['id']}/close")
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "disposition"
    wrong = as_(api, "una", "POST", f"/conversations/{c['id']}/close", {"disposition": "Gone fishing"})
    assert wrong.status_code == 422 and "Refund issued" in wrong.json()["error"]["message"]
    closed = as_(api, "una", "POST", f"/conversations/{c['id']}/close",
                 {"disposition": "refund ISSUED", "note": "Refunded 12.50 to the card"})
    assert closed.status_code == 200 and closed.json()["disposition"] == "Refund issued"
    read = as_(api, "una", "GET", f"/conversations/{c['id']}").json()
    assert [(m["direction"], m["body"]) for m in read["messages"]][-1] == ("note", "Refunded 12.50 to the card")
    assert [e["action"] for e in read["history"]][-1] == "closed"
    facts = api.call("GET", f"/reports/conversations?workstream_id={workstream_id}").json()["conversations"]
    assert [f["disposition"] for f in facts if f["conversation_id"] == c["id"]] == ["Refund issued"]


def test_labels_over_http(api, world):
    writes(api, world, "A new question")  # the earlier one closed: a new conversation
    [c] = [c for c in api.call("GET", "/conversations").json()["conversations"]
           if c["customer"] == CUSTOMER and c["state"] != "closed"]
    created = api.call("POST", "/admin/labels", {"name": "Returns", "colour": "#1F6FEB"})
    assert created.status_code == 201 and created.json()["colour"] == "#1f6feb"
    taken = api.call("POST", "/admin/labels", {"name": "returns"})
    assert (taken.status_code, taken.json()["error"]["field"]) == (409, "name")
    assert [label["name"] for label in as_(api, "una", "GET", "/labels").json()["labels"]] == ["Returns"]
    no_role = api.call("GET", "/labels", key=False, headers=identity.bearer(api.env, "nina", ()))
    assert [label["name"] for label in no_role.json()["labels"]] == ["Returns"]  # anyone signed in
    assert as_(api, "una", "POST", "/admin/labels", {"name": "Mine"}).status_code == 403
    assert api.call("POST", "/admin/labels", {"name": "Passing"}).status_code == 201
    assert api.call("DELETE", "/admin/labels/PASSING").status_code == 204
    audited = api.call("GET", "/admin/audit", params={"target": "passing"}).json()["entries"]
    assert sorted(e["action"] for e in audited) == ["label.create", "label.delete"]  # one target, whatever the case

    labelled = as_(api, "una", "PUT", f"/conversations/{c['id']}/labels", {"labels": ["RETURNS"]})
    assert labelled.status_code == 200 and labelled.json()["labels"] == ["Returns"]
    wrong = as_(api, "una", "PUT", f"/conversations/{c['id']}/labels", {"labels": ["Nope"]})
    assert (wrong.status_code, wrong.json()["error"]["field"]) == (422, "labels[0]")
    [listed] = [x for x in api.call("GET", "/conversations").json()["conversations"] if x["id"] == c["id"]]
    assert listed["labels"] == ["Returns"]
    summary = api.call("GET", f"/reports/summary?group_by=label&workstream_id={c['workstream_id']}").json()
    assert {g["label"]: g["conversations"] for g in summary["groups"]}["Returns"] == 1


def test_searching_over_http(api, world):
    [c] = [c for c in api.call("GET", "/conversations").json()["conversations"]
           if c["customer"] == CUSTOMER and c["state"] != "closed"]
    found = as_(api, "una", "GET", "/conversations?q=(206) 555-0881").json()
    assert c["id"] in [x["id"] for x in found["conversations"]] and "next" in found
    dialled = as_(api, "una", "GET", "/conversations?q=00 1 206 555 0881").json()  # the "00" prefix, not an ending
    assert c["id"] in [x["id"] for x in dialled["conversations"]]
    assert [x["id"] for x in as_(api, "una", "GET", f"/conversations?q={c['id']}").json()["conversations"]] == [c["id"]]
    assert as_(api, "una", "GET", "/conversations?q=Returns").json()["conversations"][0]["labels"] == ["Returns"]
    both = as_(api, "una", "GET", "/conversations?q=0881&view=mine")
    assert (both.status_code, both.json()["error"]["field"]) == (422, "view")
    assert as_(api, "una", "GET", "/conversations?q=%20").json()["error"]["field"] == "q"
