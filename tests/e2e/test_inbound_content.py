"""Inbound WhatsApp types over HTTP through the local host (ACS Event Grid deliveries of
Microsoft Learn's samples): a reaction lands on the message it reacts to, is replaced,
removed, and never put back by a redelivery; a reply and a button answer name the
message they answer; a reaction to an unknown message and an unsupported type are kept."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.e2e.test_acs import conversations_of, deliver
from tests.support.acs import CHANNEL_ID, events, whatsapp_with_workstream

CUSTOMER_DIGITS = "14255550177"
T0 = datetime.now(timezone.utc) - timedelta(minutes=5)


@pytest.fixture(scope="module")
def whatsapp(api, acs_messages_api) -> dict[str, Any]:
    return whatsapp_with_workstream(api, acs_messages_api.base_url)[0]


def received(name: str, event_id: str, minutes: int = 0, **data: Any) -> list[dict[str, Any]]:
    at = (T0 + timedelta(minutes=minutes)).isoformat()
    return events(name, event_id=event_id, message_id=event_id, receivedTimestamp=at,
                  **{"from": CUSTOMER_DIGITS}, **data)


def react(api, account, event_id: str, target: str, emoji: str, minutes: int) -> dict[str, int]:
    payload = received("advanced_message_received_reaction.json", event_id, minutes,
                       reaction={"messageId": target, "emoji": emoji})
    answer = deliver(api, account, payload)
    assert answer.status_code == 200, answer.text
    return answer.json()


def messages(api, account) -> list[dict[str, Any]]:
    [conversation] = conversations_of(api, account, "+" + CUSTOMER_DIGITS)
    return api.call("GET", f"/conversations/{conversation['id']}").json()["messages"]


def test_reactions_replies_choices_and_unsupported_types(api, whatsapp):
    assert deliver(api, whatsapp, received("advanced_message_received_text.json", "in-1")).json()["stored"] == 1
    [conversation] = conversations_of(api, whatsapp, "+" + CUSTOMER_DIGITS)
    reply = api.call("POST", f"/conversations/{conversation['id']}/messages",
                     {"body": "Your order ships today.", "agent": "alice"})
    assert reply.status_code == 201, reply.text
    ours = reply.json()["provider_message_id"]

    assert react(api, whatsapp, "r-1", ours, "👍", 1)["stored"] == 1
    assert react(api, whatsapp, "r-1", ours, "👍", 1)["duplicate"] == 1  # redelivered
    listed = messages(api, whatsapp)
    assert [(m["kind"], m.get("reaction")) for m in listed] == [("text", None), ("text", "👍")]

    react(api, whatsapp, "r-2", ours, "❤️", 2)
    assert messages(api, whatsapp)[1]["reaction"] == "❤️"
    react(api, whatsapp, "r-3", ours, "", 3)  # the customer took it back
    assert react(api, whatsapp, "r-2", ours, "❤️", 2)["duplicate"] == 1  # a late redelivery puts nothing back
    assert "reaction" not in messages(api, whatsapp)[1] and len(messages(api, whatsapp)) == 2

    react(api, whatsapp, "r-4", "not-ours", "😮", 4)
    deliver(api, whatsapp, received("advanced_message_received_text_reply.json", "in-2", 5,
                                    context={"from": CHANNEL_ID, "id": ours}, content="Great, thanks"))
    deliver(api, whatsapp, received("advanced_message_received_button_reply.json", "in-3", 6,
                                    context={"from": CHANNEL_ID, "id": ours}))
    deliver(api, whatsapp, received("advanced_message_received_location.json", "in-4", 7))
    stranger, answer, chose, unsupported = messages(api, whatsapp)[2:]
    assert (stranger["kind"], stranger["body"]) == ("reaction", "Reacted 😮 to a message Switchboard does not hold")
    quoted = {"provider_message_id": ours, "message_id": reply.json()["id"], "excerpt": "Your order ships today."}
    assert (answer["kind"], answer["body"], answer["reply_to"]) == ("text", "Great, thanks", quoted)
    assert (chose["kind"], chose["choice"], chose["reply_to"]) == (
        "choice", {"id": "agree", "title": "Agree", "description": None}, quoted)
    assert (unsupported["kind"], unsupported["unsupported_type"], unsupported["body"]) == (
        "unsupported", "location", "Unsupported message type: location")
