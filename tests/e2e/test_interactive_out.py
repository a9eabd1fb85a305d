"""Reply buttons and lists from an agent over HTTP through the local host: on ACS WhatsApp an
interactive notification (Prism on Messages API 2024-11-15-preview behind a recorder), sent
once when the request is retried, shown as what it offered, and the customer's answer linked
back to it; each limit refused (422 naming the field) and outside the window or on SMS
refused (409) before anything is sent; on Twilio WhatsApp the Content API content (Prism on
twilio_content_v1.json) made once for two sends of the same buttons, or a ContentSid sent as is;
an automated greeting's buttons sent on WhatsApp and left behind on SMS."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest

from tests.e2e.test_acs import conversations_of, deliver
from tests.e2e.test_twilio_whatsapp import MESSAGES, conversation_of, whatsapp_in
from tests.support import contracts
from tests.support.acs import CHANNEL_ID, events, whatsapp_with_workstream
from tests.support.recorder import Recorder
from tests.support.twilio import AUTH_TOKEN, BUSINESS, CUSTOMER, account_body, fixture_form, message_created, \
    whatsapp_account_body

SEND = r"/messages/notifications:send"
BUTTONS = {"buttons": [{"id": "yes", "title": "Yes"}, {"id": "later", "title": "Later"}]}
WHATSAPP_CUSTOMER = "+5582982136275"  # the fixture's
GREETING = {"allow_automated_messages": True, "automated_messages": {"greeting": {
    "text": "Hi! What brings you here?", "interactive": {"buttons": [{"id": "order", "title": "An order"},
                                                                      {"id": "return", "title": "A return"}]}}}}
LIST = {"button": "Pick a slot", "sections": [{"title": "Tomorrow", "rows": [
    {"id": "t9", "title": "9:00", "description": "Front desk"}, {"id": "t15", "title": "15:00"}]}]}


@pytest.fixture(scope="module")
def content_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.TWILIO_CONTENT)


@pytest.fixture(scope="module")
def extra_env(content_api) -> dict[str, str]:
    return {"TWILIO_CONTENT_BASE_URL": content_api.base_url}


@pytest.fixture(scope="module")
def acs(api, acs_reactions_api) -> dict[str, Any]:
    account, workstream = whatsapp_with_workstream(api, acs_reactions_api.base_url)
    return {**account, "workstream_id": workstream["id"]}


def customer_writes(api, account, event_id: str, customer: str, at: datetime | None = None) -> str:
    at = at or datetime.now(timezone.utc)
    assert deliver(api, account, events("advanced_message_received_text.json", event_id=event_id, message_id=event_id,
                                        receivedTimestamp=at.isoformat(), **{"from": customer})).status_code == 200
    [conversation] = conversations_of(api, account, "+" + customer)
    return conversation["id"]


def offer(api, cid: str, body: str, interactive: Any, **kwargs: Any):
    """Sent by an admin of the conversation's own (an agent takes what it answers, within capacity)."""
    return api.call("POST", f"/conversations/{cid}/messages", {"body": body, "interactive": interactive},
                    as_=(f"agent-{cid[-8:]}",), **kwargs)


def test_buttons_go_once_and_the_answer_links_back(api, acs, acs_reactions_api):
    cid = customer_writes(api, acs, "wamid.i-1", "14255550301")
    sent = [offer(api, cid, "Shall we deliver tomorrow?", BUTTONS, headers={"Idempotency-Key": "i-1"})
            for _ in range(2)]
    assert sent[0].status_code == 201, sent[0].text
    assert sent[1].headers.get("Idempotent-Replayed") == "true" and sent[1].json()["id"] == sent[0].json()["id"]
    [call] = acs_reactions_api.calls("POST", SEND)
    assert call.query["api-version"] == ["2024-11-15-preview"] and call.status == 202
    assert call.json()["interactiveMessage"] == {
        "body": {"kind": "text", "text": "Shall we deliver tomorrow?"},
        "actionBindings": {"actionBindingKind": "whatsAppButton", "actions": [
            {"kind": "button", "id": "yes", "title": "Yes"}, {"kind": "button", "id": "later", "title": "Later"}]}}
    ours = sent[0].json()
    assert ours["kind"] == "interactive" and [b["title"] for b in ours["interactive"]["buttons"]] == ["Yes", "Later"]

    answer = events("advanced_message_received_button_reply.json", event_id="wamid.i-2", message_id="wamid.i-2",
                    **{"from": "14255550301", "context": {"from": CHANNEL_ID, "id": ours["provider_message_id"]},
                       "interactive": {"type": "buttonReply", "buttonReply": {"id": "yes", "title": "Yes"}}})
    assert deliver(api, acs, answer).status_code == 200
    messages = api.call("GET", f"/conversations/{cid}").json()["messages"]
    chose = messages[-1]
    assert chose["kind"] == "choice" and chose["choice"]["id"] == "yes"
    assert chose["reply_to"]["message_id"] == ours["id"] and chose["reply_to"]["excerpt"] == "Shall we deliver tomorrow?"


def test_a_list_goes_as_the_contract_has_it(api, acs, acs_reactions_api):
    cid = customer_writes(api, acs, "wamid.i-3", "14255550302")
    sent = offer(api, cid, "When suits you?", LIST)
    assert sent.status_code == 201, sent.text
    bindings = acs_reactions_api.calls("POST", SEND)[-1].json()["interactiveMessage"]["actionBindings"]
    assert bindings == {"actionBindingKind": "whatsAppList", "actions": [{"kind": "list", "title": "Pick a slot",
        "actionSet": [{"title": "Tomorrow", "items": [{"id": "t9", "title": "9:00", "description": "Front desk"},
                                                       {"id": "t15", "title": "15:00", "description": ""}]}]}]}
    assert sent.json()["interactive"]["sections"][0]["rows"][1]["title"] == "15:00"


@pytest.mark.parametrize(("body", "interactive", "field"), [
    ("Pick", {"buttons": [{"id": str(i), "title": f"B{i}"} for i in range(4)]}, "interactive.buttons[3]"),
    ("Pick", {"buttons": [{"id": "a", "title": "A title that is too long"}]}, "interactive.buttons[0].title"),
    ("Pick", {**LIST, "sections": [{"title": "S", "rows": [{"id": str(i), "title": "r"} for i in range(11)]}]},
     "interactive.sections[0].rows[10]"),
    ("Pick", {**LIST, "button": "A button far too long"}, "interactive.button"),
    ("b" * 1025, BUTTONS, "body"),
    ("Pick", {"content_sid": "HX" + "0" * 32}, "interactive.content_sid"),  # Twilio's, not ACS's
])
def test_each_limit_is_refused_before_sending(api, acs, acs_reactions_api, body, interactive, field):
    cid = customer_writes(api, acs, "wamid.i-4", "14255550303")
    before = len(acs_reactions_api.calls("POST", SEND))
    refused = offer(api, cid, body, interactive)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == field, refused.text
    assert len(acs_reactions_api.calls("POST", SEND)) == before
    assert all(m["direction"] == "inbound" for m in api.call("GET", f"/conversations/{cid}").json()["messages"])


def test_outside_the_window_buttons_are_refused(api, acs, acs_reactions_api):
    cid = customer_writes(api, acs, "wamid.i-5", "14255550304", datetime.now(timezone.utc) - timedelta(hours=25))
    before = len(acs_reactions_api.calls("POST", SEND))
    refused = offer(api, cid, "Still there?", BUTTONS)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "outside_whatsapp_window"
    assert len(acs_reactions_api.calls("POST", SEND)) == before


def test_twilio_makes_the_content_once_and_sends_it_by_sid(api, twilio_api, content_api):
    twilio_api.on("POST", MESSAGES, message_created("SM" + "7" * 32))
    account = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    made = api.call("POST", "/admin/workstreams", {"name": "Twilio WhatsApp", "account_id": account["id"],
                                                   "number": account["numbers"][0]["number"]})
    assert made.status_code == 201, made.text
    assert whatsapp_in(api, account).status_code == 200
    cid = conversation_of(api, account, WHATSAPP_CUSTOMER)["id"]
    for _ in range(2):
        assert offer(api, cid, "Shall we deliver tomorrow?", BUTTONS).status_code == 201
    [created] = content_api.calls("POST", "/v1/Content")
    assert created.status == 201 and created.json()["types"] == {"twilio/quick-reply": {
        "body": "Shall we deliver tomorrow?", "actions": [{"id": "yes", "title": "Yes"}, {"id": "later", "title": "Later"}]}}
    sends = twilio_api.calls("POST", MESSAGES)[-2:]
    [sid] = {s.form["ContentSid"][0] for s in sends}  # the content made once, sent twice
    assert sid.startswith("HX") and all("Body" not in s.form for s in sends)

    given = "HX" + "e" * 32
    assert offer(api, cid, "Rate us", {"content_sid": given}).status_code == 201
    assert twilio_api.calls("POST", MESSAGES)[-1].form["ContentSid"] == [given]
    assert len(content_api.calls("POST", "/v1/Content")) == 1


def test_sms_takes_no_buttons(api, twilio_api):
    twilio_api.on("POST", MESSAGES, message_created("SM" + "8" * 32))
    sms = api.call("POST", "/admin/accounts", account_body(name="Twilio SMS")).json()
    api.call("POST", "/admin/workstreams", {"name": "SMS", "account_id": sms["id"], "number": BUSINESS, **GREETING})
    assert api.webhook(f"/twilio/{sms['id']}/inbound", fixture_form("twilio_sms_inbound.txt"),
                       AUTH_TOKEN).status_code == 200
    greeted = twilio_api.calls("POST", MESSAGES)[-1].form  # the greeting's buttons stay behind: its text alone
    assert greeted["Body"] == ["Hi! What brings you here?"] and "ContentSid" not in greeted
    cid = conversation_of(api, sms, CUSTOMER)["id"]
    before = len(twilio_api.calls("POST", MESSAGES))
    refused = offer(api, cid, "Pick", BUTTONS)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "interactive_unsupported"
    assert len(twilio_api.calls("POST", MESSAGES)) == before


def test_an_automated_greeting_offers_its_buttons_on_whatsapp(api, acs, acs_reactions_api):
    # last in the module: every later customer of this workstream would be greeted
    assert api.call("PATCH", f"/admin/workstreams/{acs['workstream_id']}", GREETING).status_code == 200
    customer_writes(api, acs, "wamid.i-9", "14255550309")
    sent = acs_reactions_api.calls("POST", SEND)[-1].json()
    assert sent["to"] == ["+14255550309"] and sent["kind"] == "interactive"
    assert sent["interactiveMessage"]["body"]["text"] == "Hi! What brings you here?"
    assert [a["id"] for a in sent["interactiveMessage"]["actionBindings"]["actions"]] == ["order", "return"]
    [greeting] = [m for m in api.call("GET", "/conversations").json()["conversations"] if m["customer"] == "+14255550309"]
    shown = api.call("GET", f"/conversations/{greeting['id']}").json()["messages"]
    assert shown[-1]["automated"] == "greeting" and shown[-1]["interactive"]["buttons"][0]["title"] == "An order"
