"""Agents' reactions over HTTP through the local host: on ACS WhatsApp one goes to the
customer's message through the outbox, once however often it is asked (with an
Idempotency-Key or without), shows on that message and not as a line, changes and is taken
back; where the provider sends none (Twilio WhatsApp, SMS) or the 24-hour window closed, the
conversation says why and the route refuses with that reason, sending nothing. ACS is Prism
on Messages API 2024-11-15-preview behind a recorder."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.e2e.test_acs import conversations_of, deliver
from tests.support.acs import CHANNEL_ID, events, whatsapp_with_workstream
from tests.support.twilio import (
    AUTH_TOKEN, BUSINESS, MESSAGES_PATH, WHATSAPP_BUSINESS, account_body, fixture_form, message_created,
    whatsapp_account_body,
)

SEND = r"/messages/notifications:send"
CUSTOMER_DIGITS = "14255550188"
LATE_CUSTOMER = "14255550189"


@pytest.fixture(scope="module")
def whatsapp(api, acs_reactions_api) -> dict[str, Any]:
    return whatsapp_with_workstream(api, acs_reactions_api.base_url)[0]


def customer_writes(api, account, event_id: str, customer: str, at: datetime) -> tuple[str, dict[str, Any]]:
    payload = events("advanced_message_received_text.json", event_id=event_id, message_id=event_id,
                     receivedTimestamp=at.isoformat(), **{"from": customer})
    assert deliver(api, account, payload).status_code == 200
    [conversation] = conversations_of(api, account, "+" + customer)
    [message] = [m for m in read(api, conversation["id"])["messages"] if m["provider_message_id"] == event_id]
    return conversation["id"], message


def read(api, cid: str) -> dict[str, Any]:
    return api.call("GET", f"/conversations/{cid}").json()


def react(api, cid: str, mid: str, emoji: str, **kwargs: Any):
    return api.call("POST", f"/conversations/{cid}/messages/{mid}/reaction", {"emoji": emoji}, **kwargs)


def test_a_reaction_is_sent_once_and_shown_on_the_message(api, whatsapp, acs_reactions_api):
    cid, message = customer_writes(api, whatsapp, "wamid.in-1", CUSTOMER_DIGITS, datetime.now(timezone.utc))
    assert read(api, cid)["reactions"] == {"allowed": True, "code": None, "reason": None}

    first = react(api, cid, message["id"], "👍")
    assert first.status_code == 201, first.text
    assert (first.json()["emoji"], first.json()["agent"]["name"], first.json()["status"]) == ("👍", "alice", "accepted")
    again = react(api, cid, message["id"], "👍")  # asked again, no key: the same reaction, not sent twice
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    keyed = [react(api, cid, message["id"], "👍", headers={"Idempotency-Key": "r-1"}) for _ in range(2)]
    assert keyed[1].headers.get("Idempotent-Replayed") == "true" and keyed[1].json() == keyed[0].json()
    [sent] = acs_reactions_api.calls("POST", SEND)
    assert sent.query["api-version"] == ["2024-11-15-preview"] and sent.status == 202
    assert sent.json() == {"channelRegistrationId": CHANNEL_ID, "to": ["+" + CUSTOMER_DIGITS], "kind": "reaction",
                           "emoji": "👍", "messageId": "wamid.in-1"}

    shown = read(api, cid)["messages"]
    assert [m["id"] for m in shown] == [message["id"]]  # no line of its own
    assert shown[0]["agent_reaction"]["emoji"] == "👍" and shown[0]["agent_reaction"]["agent"]["name"] == "alice"

    for emoji in ("❤️", "👍", ""):  # another, the first again, then taken back: each one a send
        assert react(api, cid, message["id"], emoji).status_code == 201
    assert [c.json()["emoji"] for c in acs_reactions_api.calls("POST", SEND)] == ["👍", "❤️", "👍", ""]
    assert read(api, cid)["messages"][0]["agent_reaction"]["emoji"] == ""


def test_a_reaction_goes_only_on_a_customers_message(api, whatsapp, acs_reactions_api):
    cid, message = customer_writes(api, whatsapp, "wamid.in-2", "14255550190", datetime.now(timezone.utc))
    assert react(api, cid, message["id"], "🙏").status_code == 201
    reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "On it."})
    refused = react(api, cid, reply.json()["id"], "👍")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_reactable"
    missing = react(api, cid, "0" * 32, "👍")
    assert missing.status_code == 404
    for not_one in ("great", "123", "!!!", "中文", "👍👍👍", "^"):
        wrong = react(api, cid, message["id"], not_one)
        assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "emoji", not_one
    for one in ("👍🏽", "👨‍👩‍👧", "🇺🇸", "1️⃣", "❤️", "‼️", "↔️", "◽", "〰️", "ℹ️",
                "\U0001FAE8"):  # the last newer than this Python's Unicode
        assert react(api, cid, message["id"], one).status_code == 201, one


def test_a_customer_who_opted_out_is_offered_no_reaction(api, whatsapp, acs_reactions_api):
    cid, message = customer_writes(api, whatsapp, "wamid.in-3", "14255550191", datetime.now(timezone.utc))
    payload = events("advanced_message_received_text.json", event_id="wamid.stop-3", message_id="wamid.stop-3",
                     receivedTimestamp=datetime.now(timezone.utc).isoformat(), content="STOP",
                     **{"from": "14255550191"})
    assert deliver(api, whatsapp, payload).status_code == 200
    before = len(acs_reactions_api.calls("POST", SEND))
    shown = read(api, cid)
    assert shown["consent"]["state"] == "opted_out"
    assert shown["reactions"]["allowed"] is False and shown["reactions"]["code"] == "recipient_opted_out"
    refused = react(api, cid, message["id"], "👍")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "recipient_opted_out"
    assert len(acs_reactions_api.calls("POST", SEND)) == before


def test_outside_the_window_the_reaction_is_refused_with_the_reason(api, whatsapp, acs_reactions_api):
    late = datetime.now(timezone.utc) - timedelta(hours=25)
    cid, message = customer_writes(api, whatsapp, "wamid.old-1", LATE_CUSTOMER, late)
    before = len(acs_reactions_api.calls("POST", SEND))
    reactions = read(api, cid)["reactions"]
    assert reactions["allowed"] is False and reactions["code"] == "outside_whatsapp_window"
    refused = react(api, cid, message["id"], "👍")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "outside_whatsapp_window"
    assert "24-hour" in refused.json()["error"]["message"]
    assert len(acs_reactions_api.calls("POST", SEND)) == before


def test_twilio_and_sms_take_no_reaction_and_say_why(api, twilio_api):
    twilio_api.on("POST", MESSAGES_PATH, message_created("SM" + "9" * 32))
    whatsapp = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    sms = api.call("POST", "/admin/accounts", account_body(name="Twilio SMS")).json()
    for account, number in ((whatsapp, WHATSAPP_BUSINESS), (sms, BUSINESS)):
        api.call("POST", "/admin/workstreams", {"name": account["name"], "account_id": account["id"],
                                                "number": number})
    api.webhook(f"/twilio/{whatsapp['id']}/inbound", fixture_form("twilio_whatsapp_inbound.txt"), AUTH_TOKEN)
    api.webhook(f"/twilio/{sms['id']}/inbound", fixture_form("twilio_sms_inbound.txt"), AUTH_TOKEN)
    sent_before = len(twilio_api.calls("POST", MESSAGES_PATH))
    for account, reason in ((whatsapp, "Twilio's Messages API sends no reaction"), (sms, "SMS messages take no")):
        [conversation] = [c for c in api.call("GET", "/conversations").json()["conversations"]
                          if c["account_id"] == account["id"]]
        view = read(api, conversation["id"])
        assert view["reactions"]["allowed"] is False and view["reactions"]["code"] == "reactions_unsupported"
        assert view["reactions"]["reason"].startswith(reason)
        refused = react(api, conversation["id"], view["messages"][0]["id"], "👍")
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "reactions_unsupported"
        assert refused.json()["error"]["message"].startswith(reason)
    assert len(twilio_api.calls("POST", MESSAGES_PATH)) == sent_before
