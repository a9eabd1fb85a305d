"""Customers' data over HTTP: the audit trail of admin changes (once each, the right actor,
field names and never a secret, read a page at a time, not editable), transcript exports
that match the conversation's view, the subject-access export, and erasure."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from localhost.easyauth import object_id_of
from tests.support import identity
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form

NEW_TOKEN = "a" * 32
CUSTOMER = "+12065550177"
MESSAGES = r"/2010-04-01/Accounts/\w+/Messages\.json"


def as_(api, who: str, roles: tuple[str, ...], method: str, path: str, body=None, **kwargs) -> requests.Response:
    return api.call(method, path, body, key=False, headers=identity.bearer(api.env, who, roles), **kwargs)


@pytest.fixture(scope="module")
def changes(api) -> dict[str, str]:
    """Admin changes by alice and one by carol; what each was done to."""
    forged = {"X-Forwarded-For": "198.51.100.7"}  # what a client sends is not its address: the host appends it
    account = api.call("POST", "/admin/accounts", account_body(), headers=forged).json()
    assert api.call("PATCH", f"/admin/accounts/{account['id']}", {"credentials": {"auth_token": NEW_TOKEN}}).ok
    assert api.call("PATCH", f"/admin/accounts/{account['id']}", {"numbers": [
        {"number": BUSINESS, "type": "long_code"}, {"number": "+14252306551", "type": "long_code"}]}).ok
    workstream = api.call("POST", "/admin/workstreams", {"name": "Support", "channel": "sms",
                                                         "account_id": account["id"], "number": BUSINESS}).json()
    assert as_(api, "carol", ("admin",), "PATCH", f"/admin/workstreams/{workstream['id']}", {"retention_days": 90}).ok
    contact = api.call("POST", "/admin/contacts", {"mobile_phone": CUSTOMER, "name": "Maria"}).json()
    assert api.call("PATCH", f"/admin/contacts/{contact['id']}", {"fields": {"tier": "gold"}}).ok
    bob = object_id_of("bob")
    assert api.call("POST", "/admin/agents", {"object_id": bob, "name": "bob"}).status_code == 201
    assert api.call("PATCH", f"/admin/agents/{bob}", {"capacity": {"sms": 2}}).ok
    return {"account": account["id"], "workstream": workstream["id"], "contact": contact["id"], "bob": bob}


def all_entries(api, **params: str) -> list[dict]:
    entries, token = [], None
    while True:
        page = api.call("GET", "/admin/audit", params={**params, "limit": "3", **({"next": token} if token else {})})
        assert page.status_code == 200, page.text
        entries += page.json()["entries"]
        token = page.json()["next"]
        if token is None:
            return entries


def test_every_admin_change_is_in_the_audit_trail_once_with_who_and_which_fields(api, changes):
    entries = all_entries(api)
    seen = [(e["action"], e["target"], tuple(e["fields"]), e["actor"]["name"]) for e in reversed(entries)]
    assert seen == [
        ("account.create", changes["account"], ("channel", "credentials.account_sid", "credentials.auth_token",
                                                "name", "numbers", "provider"), "alice"),
        ("account.update", changes["account"], ("credentials.auth_token",), "alice"),
        ("account.update", changes["account"], ("numbers",), "alice"),
        ("workstream.create", changes["workstream"], ("account_id", "channel", "name", "number"), "alice"),
        ("workstream.update", changes["workstream"], ("retention_days",), "carol"),
        ("contact.create", changes["contact"], ("mobile_phone", "name"), "alice"),
        ("contact.update", changes["contact"], ("fields",), "alice"),
        ("agent.create", changes["bob"], ("name", "object_id"), "alice"),
        ("agent.update", changes["bob"], ("capacity",), "alice"),
    ]
    assert {e["actor"]["id"] for e in entries} == {object_id_of("alice"), object_id_of("carol")}
    assert {e["client_ip"] for e in entries} == {"127.0.0.1"}
    text = api.call("GET", "/admin/audit", params={"limit": "200"}).text
    for secret in (AUTH_TOKEN, NEW_TOKEN, ACCOUNT_SID, CUSTOMER, "gold", "Maria"):
        assert secret not in text


def test_the_audit_trail_filters_and_is_not_editable(api, changes):
    assert {e["action"] for e in all_entries(api, action="account")} == {"account.create", "account.update"}
    assert [e["action"] for e in all_entries(api, actor=object_id_of("carol"))] == ["workstream.update"]
    assert {e["target"] for e in all_entries(api, target=changes["contact"])} == {changes["contact"]}
    assert all_entries(api, since="2999-01-01T00:00:00Z") == []
    refused = api.call("GET", "/admin/audit", params={"since": "yesterday"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "since"
    assert as_(api, "ann", ("agent",), "GET", "/admin/audit").status_code == 403
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        answer = requests.request(method, f"{api.base}/admin/audit", json={}, headers=api.auth(), timeout=30)
        assert answer.status_code in (404, 405)
    entry = all_entries(api)[0]["id"]
    assert requests.delete(f"{api.base}/admin/audit/{entry}", headers=api.auth(), timeout=30).status_code in (404, 405)


@pytest.fixture(scope="module")
def conversation(api, changes) -> str:
    api.twilio.on("POST", MESSAGES, (201, {"sid": "SM" + "8" * 32, "status": "queued"}))
    form = fixture_form("twilio_sms_inbound.txt", From=CUSTOMER, To="+" + BUSINESS, Body="=1+2 is my question",
                        MessageSid="SM" + "c1" * 16, SmsMessageSid="SM" + "c1" * 16, SmsSid="SM" + "c1" * 16)
    assert api.webhook(f"/twilio/{changes['account']}/inbound", form, NEW_TOKEN).status_code == 200
    [found] = [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == CUSTOMER]
    bob = ("bob", ("agent",))
    assert as_(api, *bob, "GET", "/me").ok
    assert api.call("POST", f"/conversations/{found['id']}/assign", {"agent_id": changes["bob"]}).ok
    assert as_(api, *bob, "POST", f"/conversations/{found['id']}/messages", {"body": "It is 3"}).status_code == 201
    return found["id"]


def test_a_transcript_exports_as_the_api_shows_it_in_json_and_csv(api, conversation):
    shown = api.call("GET", f"/conversations/{conversation}").json()
    exported = api.call("GET", f"/conversations/{conversation}/export")
    assert exported.headers["Content-Disposition"] == f'attachment; filename="conversation-{conversation}.json"'
    assert exported.json() == shown
    as_csv = as_(api, "bob", ("agent",), "GET", f"/conversations/{conversation}/export", params={"format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["direction"], r["from"], r["body"]) for r in rows] == [
        ("inbound", "'" + CUSTOMER, "'=1+2 is my question"), ("outbound", "bob", "It is 3")]
    assert as_(api, "dora", ("agent",), "GET", f"/conversations/{conversation}/export").status_code == 404
    assert api.call("GET", f"/conversations/{conversation}/export", params={"format": "xml"}).status_code == 422
    assert api.call("POST", f"/conversations/{conversation}/unassign").ok  # bob, in no queue of it, answered it
    assert as_(api, "bob", ("agent",), "GET", f"/conversations/{conversation}").status_code == 404
    assert as_(api, "bob", ("agent",), "GET", f"/conversations/{conversation}/export").json()["id"] == conversation
    exports = all_entries(api, action="conversation.export")  # who read it out, each time; refusals are not
    assert [(e["target"], e["actor"]["name"]) for e in exports] == [(conversation, n) for n in ("bob", "bob", "alice")]


def test_a_note_lets_its_author_export_the_transcript_only_while_the_conversation_is_theirs(api, changes, conversation):
    sue, supervisor = object_id_of("sue"), ("sue", ("supervisor",))
    assert api.call("POST", "/admin/agents", {"object_id": sue, "name": "sue", "supervises": [changes["workstream"]]}).ok
    assert as_(api, *supervisor, "POST", f"/conversations/{conversation}/notes", {"body": "Call back"}).status_code == 201
    assert as_(api, *supervisor, "GET", f"/conversations/{conversation}/export").status_code == 200
    assert api.call("PATCH", f"/admin/agents/{sue}", {"supervises": []}).ok  # a note answers nobody
    assert as_(api, *supervisor, "GET", f"/conversations/{conversation}/export").status_code == 404


def test_a_customer_exports_whole_then_is_erased_and_the_erasure_is_audited(api, changes, conversation):
    everything = api.call("POST", "/admin/customers/export", {"address": CUSTOMER})
    assert everything.status_code == 200, everything.text
    document = everything.json()
    assert [c["id"] for c in document["conversations"]] == [conversation]
    assert [(m["direction"], m["body"]) for m in document["conversations"][0]["messages"]] == [
        ("inbound", "=1+2 is my question"), ("outbound", "It is 3"), ("note", "Call back")]  # sue's, the test above
    assert document["contact"]["id"] == changes["contact"] and document["opted_out_on"] == []

    erased = api.call("POST", "/admin/erasures", {"address": CUSTOMER})
    assert erased.status_code == 200, erased.text
    job = erased.json()
    assert job["state"] == "done" and job["erased"]["threads"] >= 4 and job["erased"]["contacts"] == 1
    assert api.call("GET", f"/admin/erasures/{job['id']}").json()["erased"] == job["erased"]
    assert api.call("GET", f"/conversations/{conversation}").status_code == 404
    assert api.call("POST", "/admin/customers/export", {"address": CUSTOMER}).json()["conversations"] == []
    [entry] = all_entries(api, action="erasure.run")
    assert (entry["target"], entry["fields"], entry["actor"]["name"]) == (job["id"], ["address"], "alice")
    exports = all_entries(api, action="customer.export")
    assert document["subject"]["id"] == job["id"]  # one id for the subject, which names no number
    assert [(e["target"], e["fields"], e["actor"]["name"]) for e in exports] == [(job["id"], ["address"], "alice")] * 2
    assert {e["action"] for e in all_entries(api, target=job["id"])} == {"customer.export", "erasure.run"}
    assert CUSTOMER not in api.call("GET", "/admin/audit").text
    refused = api.call("POST", "/admin/erasures", {"address": "not a number!"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "address"
