"""The two ways a killed host broke the promise of one send per accepted message (issue
20), each reproduced at the moment of the kill, on real storage with a recording
stand-in for Twilio: a retry with the same Idempotency-Key answered 201 for a message
nobody would send, and a try Twilio had taken was sent again."""

from __future__ import annotations

import pytest

from channels.acs_send import AcsSender
from channels.twilio_api import TwilioSender
from core.messages import InboundMessage
from tests.support.acs import CHANNEL_ID, CUSTOMER, SMS_BUSINESS, RepeatableAcs, sms_account, whatsapp_account
from tests.support.outbox import drain
from tests.support.recorder import recording
from tests.support.scopes import ALICE
from tests.support.storage import Killed, KilledAt
from tests.support.twilio import ACCOUNT_SID, account_body, inbound, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
BASE = "https://sb.example.com"


@pytest.fixture
def kill():
    """Where the host dies in a test: a hook it switches on."""
    return KilledAt(b"")


@pytest.fixture
def world(make_services, twilio_api, kill):
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)},
                             request_hooks=[kill])
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id
    return services, cid


def outbound(services, cid):
    return [(m.body, m.status, m.provider_message_id) for m in services.messaging.actions.get(cid, ALICE).messages
            if m.direction == "outbound"]


@pytest.mark.parametrize("guard_first", [True, False], ids=["guard-came-due-first", "retry-came-first"])
def test_a_retry_of_a_request_killed_after_storing_its_message_sends_it_once(world, twilio_api, kill, guard_first):
    services, cid = world
    twilio_api.on("POST", MESSAGES, message_created("SMonce"))
    kill.needle, kill.landed, kill.on = b"Where is it?", True, True  # the batch that stores the reply lands
    with pytest.raises(Killed):
        services.messaging.outbox.reply(cid, "Where is it?", ALICE, BASE, key="reply-1")
    if guard_first:
        drain(services)  # the guard finds the message stored, untried: not sent
        assert outbound(services, cid) == [("Where is it?", "not_sent", None)]
    again = services.messaging.outbox.reply(cid, "Where is it?", ALICE, BASE, key="reply-1")  # the client asks again
    assert (again.status, again.provider_message_id) == ("queued", "SMonce")  # answered sent: it was
    drain(services)
    assert outbound(services, cid) == [("Where is it?", "queued", "SMonce")]
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


def test_a_try_twilio_took_before_the_kill_is_found_and_not_sent_again(world, twilio_api, kill, clock):
    services, cid = world
    twilio_api.on("POST", MESSAGES, message_created("SMtook"))
    kill.needle, kill.on = b"SMtook", True  # the host dies as it records Twilio's answer
    with pytest.raises(Killed):
        services.messaging.outbox.reply(cid, "On its way", ALICE, BASE, key="reply-2")
    clock.advance(seconds=3)  # the status callback did not come (no instance was up to take it)
    drain(services)
    assert outbound(services, cid) == [("On its way", "queued", "SMtook")]
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


@pytest.mark.parametrize("channel", ["whatsapp", "sms"])
def test_an_acs_try_whose_answer_was_lost_is_repeated_as_the_same_request_and_sent_once(
        make_services, kill, clock, channel):
    with recording() as acs_api:
        stand_in = RepeatableAcs(acs_api, clock)
        services = make_services(senders={"acs": AcsSender({"retry_total": 0})}, request_hooks=[kill])
        account = services.admin.accounts.create(
            whatsapp_account(acs_api.base_url) if channel == "whatsapp" else sms_account(acs_api.base_url))
        business = CHANNEL_ID if channel == "whatsapp" else "+" + SMS_BUSINESS
        cid = services.messaging.ingest.message(account, InboundMessage("acs", account.id, "in-1", business, CUSTOMER,
                                                              "Hello")).conversation_id
        first = "wa-1" if channel == "whatsapp" else "Outgoing_1"
        kill.needle, kill.on = first.encode(), True  # ACS took the try; the host dies as it records the answer
        with pytest.raises(Killed):
            services.messaging.outbox.reply(cid, "Right away", ALICE, BASE, key="acs-1")
        clock.advance(seconds=3)
        drain(services)
    assert outbound(services, cid) == [("Right away", "accepted", first)]
    assert len(stand_in.sent) == 1 and len(acs_api.requests) == 2  # repeated, executed once
