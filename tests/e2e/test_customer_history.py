"""A customer's history over HTTP: a contact holding an SMS number and a WhatsApp number
links the conversations of both, and GET .../earlier lists the customer's other
conversations newest first, only those the caller may see (each then read by id, closed or
not); an agent creates and edits the customer's contact from the conversation
(PUT .../contact), recorded in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from localhost.easyauth import object_id_of
from tests.support.twilio import (ACCOUNT_SID, AUTH_TOKEN, BUSINESS, WHATSAPP_BUSINESS, account_body, fixture_form,
                                  message_created, whatsapp_account_body)

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
SMS_PHONE, WHATSAPP_PHONE = "+12065550771", "+12065550772"
LONGER = "+4412065550771"  # ends in the SMS number's digits: not the same customer
STRANGER = "+12065550773"


def as_(api, who: str, method: str, path: str, body: Any = None, role: str = "agent"):
    return api.call(method, path, body, as_=(who, role))


@pytest.fixture(scope="module")
def world(api) -> dict[str, Any]:
    api.twilio.on("POST", MESSAGES, lambda _r: message_created("SM" + "7" * 32))
    sms = api.call("POST", "/admin/accounts", account_body(name="History SMS")).json()
    whatsapp = api.call("POST", "/admin/accounts", whatsapp_account_body(name="History WhatsApp")).json()
    sms_ws = api.call("POST", "/admin/workstreams", {
        "name": "History SMS", "account_id": sms["id"], "number": BUSINESS, "queues": ["general"],
        "default_queue": "general", "distribution": {"mode": "pick"}}).json()
    api.call("POST", "/admin/workstreams", {"name": "History WhatsApp", "account_id": whatsapp["id"],
                                            "number": WHATSAPP_BUSINESS, "queues": ["general"],
                                            "default_queue": "general", "distribution": {"mode": "pick"}})
    assert as_(api, "hana", "GET", "/me").status_code == 200
    api.call("PATCH", f"/admin/agents/{object_id_of('hana')}",
             {"queues": [{"workstream_id": sms_ws["id"], "queue": "general"}]})
    contact = api.call("POST", "/admin/contacts", {"mobile_phone": SMS_PHONE, "name": "Mia Chen",
                                                  "other_phones": [WHATSAPP_PHONE.removeprefix("+")]})
    assert contact.status_code == 201, contact.text
    world = {"sms": sms["id"], "whatsapp": whatsapp["id"], "contact": contact.json(), "sids": iter(range(1, 1000))}
    world["first"] = writes(api, world, SMS_PHONE, "My parcel is late")
    assert api.call("POST", f"/conversations/{world['first']['id']}/close").status_code == 200
    world["whatsapp_one"] = writes(api, world, WHATSAPP_PHONE, "Hi, it's Mia on WhatsApp", whatsapp=True)
    world["longer"] = writes(api, world, LONGER, "Not Mia")
    world["second"] = writes(api, world, SMS_PHONE, "Still no parcel")
    return world


def writes(api, world, customer: str, body: str, whatsapp: bool = False) -> dict[str, Any]:
    sid = f"SM{next(world['sids']):032d}"
    if whatsapp:
        form = fixture_form("twilio_whatsapp_inbound.txt", MessageSid=sid, SmsMessageSid=sid, SmsSid=sid,
                            From=f"whatsapp:{customer}", WaId=customer[1:], Body=body)
    else:
        form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, From=customer, Body=body)
    account = world["whatsapp" if whatsapp else "sms"]
    assert api.webhook(f"/twilio/{account}/inbound", form, AUTH_TOKEN).status_code == 200
    listed = api.call("GET", "/conversations", params={"q": customer}).json()["conversations"]
    return next(c for c in listed
                if c["customer"] == customer and c["account_id"] == account and c["state"] != "closed")


def earlier(api, conversation_id: str, who: tuple[str, ...] = (), **params: str) -> list[str]:
    answer = api.call("GET", f"/conversations/{conversation_id}/earlier", as_=who, params=params)
    assert answer.status_code == 200, answer.text
    return [c["id"] for c in answer.json()["conversations"]]


def test_a_linked_number_links_its_conversation_to_the_contact(world):
    assert world["whatsapp_one"]["contact"] == {"id": world["contact"]["id"], "name": "Mia Chen"}
    assert world["whatsapp_one"]["channel"] == "whatsapp" and world["second"]["channel"] == "sms"
    assert world["longer"]["contact"] is None


def test_earlier_lists_every_number_of_the_contact_newest_first(api, world):
    assert earlier(api, world["second"]["id"]) == [world["whatsapp_one"]["id"], world["first"]["id"]]
    assert earlier(api, world["whatsapp_one"]["id"]) == [world["second"]["id"], world["first"]["id"]]
    assert earlier(api, world["second"]["id"], limit="1") == [world["whatsapp_one"]["id"]]
    assert earlier(api, world["longer"]["id"]) == []  # its number only; the ones it ends in are others


def test_earlier_keeps_to_the_callers_scope(api, world):
    hana = ("hana", "agent")
    assert earlier(api, world["second"]["id"], hana) == [world["first"]["id"]]  # WhatsApp is not in her queues
    closed = api.call("GET", f"/conversations/{world['first']['id']}", as_=hana)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert [m["body"] for m in closed.json()["messages"] if m["direction"] == "inbound"] == ["My parcel is late"]
    for path in (f"/conversations/{world['whatsapp_one']['id']}/earlier",
                 f"/conversations/{world['whatsapp_one']['id']}"):
        assert api.call("GET", path, as_=hana).status_code == 404
    assert api.call("GET", f"/conversations/{world['second']['id']}/earlier", as_=("ivo", "agent")).status_code == 404


@pytest.mark.parametrize("path, status, field", [
    ("/conversations/{id}/earlier?limit=0", 422, "limit"),
    ("/conversations/{id}/earlier?limit=21", 422, "limit"),
    ("/conversations/{id}/earlier?limit=ten", 422, "limit"),
    ("/conversations/nope/earlier", 404, None),
    ("/conversations/" + "0" * 32 + "/earlier", 404, None),
])
def test_earlier_refuses_bad_input(api, world, path, status, field):
    answer = api.call("GET", path.format(id=world["second"]["id"]))
    assert answer.status_code == status
    assert answer.json()["error"].get("field") == field


def test_an_agent_creates_and_edits_the_customers_contact(api, world):
    stranger = writes(api, world, STRANGER, "Hello, I'm new")
    path = f"/conversations/{stranger['id']}/contact"
    assert as_(api, "hana", "POST", f"/conversations/{stranger['id']}/accept").status_code == 200

    created = as_(api, "hana", "PUT", path, {"name": "Noor Ali"})
    assert created.status_code == 201, created.text
    contact = created.json()
    assert (contact["mobile_phone"], contact["name"], contact["other_phones"]) == (STRANGER, "Noor Ali", [])
    read = as_(api, "hana", "GET", f"/conversations/{stranger['id']}").json()
    assert read["contact"]["id"] == contact["id"] and read["contact"]["name"] == "Noor Ali"
    found = api.call("GET", "/conversations", params={"q": "Noor"}).json()["conversations"]
    assert [c["id"] for c in found] == [stranger["id"]]  # linked: search finds it by the name

    edited = as_(api, "hana", "PUT", path, {"name": "Noor Ali", "fields": {"tier": "gold"}})
    assert edited.status_code == 200 and edited.json()["id"] == contact["id"]
    assert api.call("GET", f"/admin/contacts/{contact['id']}").json()["fields"] == {"tier": "gold"}
    audit = api.call("GET", "/admin/audit", params={"target": contact["id"]}).json()["entries"]
    assert [(e["action"], e["actor"]["name"], e["fields"]) for e in reversed(audit)] == [
        ("contact.create", "hana", ["name"]), ("contact.update", "hana", ["fields", "name"])]


@pytest.mark.parametrize("body, status, field", [
    ({"mobile_phone": "+12065550999"}, 422, "mobile_phone"),
    ({"other_phones": []}, 422, "other_phones"),
    ({"fields": {"9lives": "x"}}, 422, "fields.9lives"),
    ({"name": 7}, 422, "name"),
    ([], 400, None),
])
def test_the_pane_contact_refuses_bad_input(api, world, body, status, field):
    answer = api.call("PUT", f"/conversations/{world['second']['id']}/contact", body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"].get("field") == field


def test_only_who_may_act_on_the_conversation_keeps_its_contact(api, world):
    whatsapp = f"/conversations/{world['whatsapp_one']['id']}/contact"
    assert as_(api, "hana", "PUT", whatsapp, {"name": "x"}).status_code == 404  # out of her scope
    assert as_(api, "ivo", "PUT", whatsapp, {"name": "x"}, role="supervisor").status_code == 404
    earlier_one = as_(api, "hana", "PUT", f"/conversations/{world['first']['id']}/contact", {"name": "x"})
    assert earlier_one.status_code == 409 and earlier_one.json()["error"]["code"] == "conversation_closed"
    assert api.call("GET", f"/admin/contacts/{world['contact']['id']}").json()["name"] == "Mia Chen"


def test_a_number_another_contact_holds_is_refused_naming_the_field(api, world):
    taken = api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550779", "other_phones": [WHATSAPP_PHONE]})
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "other_phones[0]"
    patched = api.call("PATCH", f"/admin/contacts/{world['contact']['id']}", {"other_phones": [SMS_PHONE]})
    assert patched.status_code == 422 and patched.json()["error"]["field"] == "other_phones[0]"
