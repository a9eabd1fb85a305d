"""Contacts and routing over HTTP: a new conversation is linked to the contact with the
customer's phone, and the first matching routing rule picks its queue."""

from __future__ import annotations

import pytest

from tests.support.twilio import AUTH_TOKEN, BUSINESS, account_body, fixture_form


@pytest.fixture(scope="module")
def account(api):
    created = api.call("POST", "/admin/accounts", account_body(name="Routing"))
    assert created.status_code == 201, created.text
    account = created.json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "Support", "channel": "sms", "account_id": account["id"], "number": BUSINESS,
        "queues": ["general", "billing", "vip"], "default_queue": "general",
        "routing_rules": [
            {"name": "VIP", "conditions": [{"field": "contact.tier", "operator": "equals", "value": "gold"}],
             "queue": "vip"},
            {"name": "Billing", "conditions": [{"field": "body", "operator": "contains", "value": "invoice"}],
             "queue": "billing"},
        ],
    })
    assert workstream.status_code == 201, workstream.text
    return account


def test_contacts_crud_lookup_and_unique_phone(api):
    created = api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550150", "name": "Ada Lovelace",
                                                  "fields": {"tier": "silver"}})
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550150"}).status_code == 409
    digits = api.call("POST", "/admin/contacts", {"mobile_phone": "12065550151"})
    assert digits.status_code == 201 and digits.json()["mobile_phone"] == "+12065550151"
    bad = api.call("POST", "/admin/contacts", {"mobile_phone": "555-0151"})  # no area code
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "mobile_phone"
    found = api.call("GET", "/admin/contacts", params={"mobile_phone": "+12065550150"}).json()["contacts"]
    assert [c["id"] for c in found] == [cid]
    moved = api.call("PATCH", f"/admin/contacts/{cid}", {"mobile_phone": "+12065550152", "fields": {"tier": "gold"}})
    assert moved.status_code == 200 and moved.json()["fields"] == {"tier": "gold"}
    assert api.call("GET", "/admin/contacts", params={"mobile_phone": "+12065550150"}).json()["contacts"] == []
    assert api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550150"}).status_code == 201
    assert api.call("DELETE", f"/admin/contacts/{cid}").status_code == 204
    assert api.call("GET", f"/admin/contacts/{cid}").status_code == 404


def _text_in(api, account, customer: str, body: str, sid: str) -> dict:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, From=customer, Body=body)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [conversation] = [c for c in api.call("GET", "/conversations").json()["conversations"]
                      if c["customer"] == customer and c["account_id"] == account["id"]]
    return conversation


def test_new_conversations_are_linked_and_routed(api, account):
    gold = api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550160", "name": "Grace Hopper",
                                               "fields": {"tier": "gold"}}).json()
    vip = _text_in(api, account, "+12065550160", "my invoice is wrong", "SM" + "c" * 32)
    assert vip["queue"] == "vip" and vip["contact"] == {"id": gold["id"], "name": "Grace Hopper"}
    billing = _text_in(api, account, "+12065550161", "Where is my INVOICE?", "SM" + "d" * 32)
    assert billing["queue"] == "billing" and billing["contact"] is None
    general = _text_in(api, account, "+12065550162", "hello", "SM" + "e" * 32)
    assert general["queue"] == "general"
    queued = api.call("GET", "/conversations", params={"workstream_id": billing["workstream_id"],
                                                       "queue": "billing"}).json()["conversations"]
    assert [c["id"] for c in queued] == [billing["id"]]
    waiting = api.call("GET", "/conversations", params={"view": "queue", "workstream_id": billing["workstream_id"],
                                                        "queue": "billing"}).json()["conversations"]
    assert [c["id"] for c in waiting] == [billing["id"]]
    detail = api.call("GET", f"/conversations/{vip['id']}").json()
    assert detail["contact"]["id"] == gold["id"] and detail["contact"]["fields"] == {"tier": "gold"}


def test_a_contact_renamed_or_deleted_is_followed_by_its_conversations(api, account):
    olga = api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550163", "name": "Olga Petrova"}).json()
    conversation = _text_in(api, account, "+12065550163", "hello", "SM" + "f" * 32)

    def found(q: str) -> list[str]:
        return [c["id"] for c in api.call("GET", "/conversations", params={"q": q}).json()["conversations"]]

    assert found("olga") == [conversation["id"]]
    assert api.call("PATCH", f"/admin/contacts/{olga['id']}", {"name": "Natasha Romanova"}).ok
    assert found("natasha") == [conversation["id"]] and found("olga") == []
    listed = api.call("GET", "/conversations", params={"workstream_id": conversation["workstream_id"]}).json()
    assert [c["contact"] for c in listed["conversations"] if c["id"] == conversation["id"]] == [
        {"id": olga["id"], "name": "Natasha Romanova"}]
    assert api.call("DELETE", f"/admin/contacts/{olga['id']}").status_code == 204
    assert found("natasha") == []
    assert api.call("GET", f"/conversations/{conversation['id']}").json()["contact"] is None


def test_erasing_a_contact_s_number_unlinks_its_conversations_on_its_other_numbers(api, account):
    zoe = api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550164", "other_phones": ["+12065550165"],
                                               "name": "Zoë Quill"}).json()
    other = _text_in(api, account, "+12065550165", "hello", "SM" + "e" * 31 + "1")
    assert other["contact"]["id"] == zoe["id"]
    assert api.call("POST", "/admin/erasures", {"address": "+12065550164"}).json()["state"] == "done"
    assert api.call("GET", "/conversations", params={"q": "quill"}).json()["conversations"] == []
    assert api.call("GET", f"/conversations/{other['id']}").json()["contact"] is None
