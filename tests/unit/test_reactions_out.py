"""Agents' reactions (conversations/messaging/reacting.py): where one can be sent and why
not, what counts as one emoji, the outbox key that sends a request asked again once, how
the API shows a reaction (on the message, no line of its own), and that a reaction is no
answer to the service-level clocks or the reports' facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from conversations.messaging.reacting import _key, parse_emoji, refusal
from core.content import REACTION, Content
from core.errors import ValidationFailed
from core.facts import Facts
from core.identity import Actor
from core.records import CLOSED, INBOUND, OUTBOUND, Conversation, Message
from core.sla import FIRST_RESPONSE, ServiceLevel, ServiceTargets
from functions.views import conversation_view

T0 = datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)
ADA = Actor("u1", "Ada")


def conversation(provider: str = "acs", channel: str = "whatsapp", **changes) -> Conversation:
    c = Conversation("c1", "active", channel, provider, "a1", "w1", "+14255550100", "chan", ADA, T0, T0, T0, 60)
    return replace(c, **changes)


def customer(seq: int = 1) -> Message:
    return Message(f"in{seq}", "c1", INBOUND, "Is it shipped?", (), "received", f"wamid.{seq}", T0, seq=seq)


def reaction(emoji: str, seq: int, status: str = "accepted", to: str = "wamid.1") -> Message:
    return Message(f"r{seq}", "c1", OUTBOUND, "", (), status, f"out.{seq}", T0 + timedelta(minutes=seq), seq=seq,
                   agent=ADA, content=Content(kind=REACTION, reacts_to=to, emoji=emoji))


def test_only_acs_whatsapp_within_the_window_takes_reactions():
    assert refusal(conversation(), T0 + timedelta(hours=1)) is None
    twilio = refusal(conversation("twilio"), T0)
    assert twilio.code == "reactions_unsupported" and twilio.message.startswith("Twilio's Messages API")
    sms = refusal(conversation("acs", "sms"), T0)
    assert (sms.code, sms.message) == ("reactions_unsupported", "SMS messages take no reactions")
    late = refusal(conversation(), T0 + timedelta(hours=25))
    assert late.code == "outside_whatsapp_window" and "template" not in late.message  # no template carries one
    assert refusal(conversation(state=CLOSED), T0).code == "conversation_closed"


@pytest.mark.parametrize("emoji", ["👍", "👍🏽", "❤️", "👨‍👩‍👧", ""])
def test_one_emoji_or_none(emoji):
    assert parse_emoji(emoji) == emoji


@pytest.mark.parametrize("value", ["ok", "👍 👍", None, 1, "😀" * 17])
def test_anything_else_is_refused_naming_the_field(value):
    with pytest.raises(ValidationFailed) as refused:
        parse_emoji(value)
    assert refused.value.field == "emoji"


def test_a_request_asked_again_has_the_key_of_the_reaction_it_made():
    target = customer()
    first = _key([], "👍", target)
    assert _key([reaction("👍", 2)], "👍", target) == first  # the same request again
    after = _key([reaction("👍", 2)], "❤️", target)
    assert after != first and after.endswith("|r2")
    back = _key([reaction("👍", 2), reaction("❤️", 3)], "👍", target)  # the first emoji again: a new reaction
    assert back not in (first, after)
    assert _key([reaction("👍", 2, status="failed")], "👍", target) != first  # a failed one is tried anew


def test_the_api_shows_the_latest_reaction_on_its_message_and_no_line():
    c = replace(conversation(), messages=(customer(), reaction("👍", 2), reaction("❤️", 3)))
    [shown] = conversation_view(c, with_messages=True)["messages"]
    assert shown["id"] == "in1"
    assert shown["agent_reaction"] == {"id": "r3", "emoji": "❤️", "agent": {"id": "u1", "name": "Ada"},
                                       "status": "accepted", "created_at": (T0 + timedelta(minutes=3)).isoformat()}


def test_a_reaction_is_no_answer():
    c = conversation()
    sl = ServiceLevel.opening(ServiceTargets(first_response_minutes=10), None).after(c, [customer()], T0)
    assert sl.after(c, [reaction("👍", 2)], T0).clock(FIRST_RESPONSE) is not None
    facts = Facts().after(None, c, [customer()]).after(c, c, [reaction("👍", 2)])
    assert (facts.first_reply_at, facts.agent_messages, facts.customer_messages) == (None, 0, 1)
