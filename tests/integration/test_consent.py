"""Opt-out consent on real Table Storage: kept on the thread, checked before every send."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from channels.twilio_api import TwilioSender
from core.content import CHOICE, Choice, Content
from core.errors import ProviderRecipientOptedOut, RecipientOptedOut
from tests.integration.test_ingest import inbound
from tests.support.storage import RoundTrips
from tests.support.twilio import ACCOUNT_SID, account_body, message_created
from tests.support.scopes import ALICE

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
BASE = "https://sb.example.com"


@pytest.fixture
def setup(make_services, twilio_api):
    trips = RoundTrips()
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url)}, request_hooks=[trips])
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin", "Hi")).conversation_id
    return services, account, cid, trips


def test_stop_opts_out_in_the_same_two_round_trips_and_nothing_is_sent_after(setup, twilio_api, clock):
    services, account, cid, trips = setup
    clock.advance(minutes=1)
    trips.reset()
    services.messaging.ingest.message(account, inbound(account.id, "SMstop", " Stop "))
    assert trips.count <= 2, trips.paths
    conversation = services.messaging.actions.get(cid, ALICE)
    assert (conversation.consent.state, conversation.consent.source) == ("opted_out", "customer_keyword")
    assert conversation.consent.changed_at == clock.now
    assert [(m.body, m.keyword) for m in conversation.messages] == [("Hi", None), (" Stop ", "stop")]
    with pytest.raises(RecipientOptedOut) as refused:
        services.messaging.outbox.reply(cid, "Are you sure?", ALICE, BASE)
    assert refused.value.code == "recipient_opted_out"
    assert twilio_api.requests == []
    assert len(services.messaging.actions.get(cid, ALICE).messages) == 2


def test_consent_outlives_the_conversation_and_start_opts_back_in(setup, twilio_api, clock):
    services, account, cid, _ = setup
    services.messaging.ingest.message(account, inbound(account.id, "SMstop", "UNSUBSCRIBE"))
    services.messaging.actions.close(cid, ALICE)
    later = services.messaging.ingest.message(account, inbound(account.id, "SMlater", "hello again")).conversation_id
    assert later != cid and services.messaging.actions.get(later, ALICE).consent.state == "opted_out"
    with pytest.raises(RecipientOptedOut):
        services.messaging.outbox.reply(later, "welcome back", ALICE, BASE)
    clock.advance(seconds=1)  # written after the STOP (one written at the same time leaves it opted out)
    services.messaging.ingest.message(account, inbound(account.id, "SMstart", "start"))
    assert services.messaging.actions.get(later, ALICE).consent.state == "opted_in"
    twilio_api.on("POST", MESSAGES, message_created("SMok"))
    assert services.messaging.outbox.reply(later, "welcome back", ALICE, BASE).provider_message_id == "SMok"


def test_provider_keyword_and_help(setup):
    services, account, cid, _ = setup
    services.messaging.ingest.message(account, replace(inbound(account.id, "SMarret", "arret"), keyword="stop"))
    services.messaging.ingest.message(account, inbound(account.id, "SMhelp", "help"))
    conversation = services.messaging.actions.get(cid, ALICE)
    assert (conversation.consent.state, conversation.consent.source) == ("opted_out", "provider_keyword")
    assert [m.keyword for m in conversation.messages] == [None, "stop", "help"]


def test_a_button_titled_like_a_keyword_is_an_answer_not_an_opt_out(setup, twilio_api):
    services, account, cid, _ = setup
    for sid, title in (("SMcancel", "Cancel"), ("SMend", "END")):
        chosen = replace(inbound(account.id, sid, title),
                         content=Content(kind=CHOICE, choice=Choice(f"{title.lower()}_appointment", title)))
        services.messaging.ingest.message(account, chosen)
    conversation = services.messaging.actions.get(cid, ALICE)
    assert conversation.consent.state == "opted_in"
    assert [m.keyword for m in conversation.messages] == [None, None, None]
    twilio_api.on("POST", MESSAGES, message_created("SMok"))
    assert services.messaging.outbox.reply(cid, "Cancelled: see you another time", ALICE, BASE).provider_message_id


def test_a_start_delivered_after_a_later_stop_opts_nobody_back_in(setup, twilio_api, clock):
    services, account, cid, _ = setup
    clock.advance(minutes=10)
    stop = replace(inbound(account.id, "SMstop", "STOP"), received_at=clock.now - timedelta(minutes=1))
    start = replace(inbound(account.id, "SMstart", "START"), received_at=clock.now - timedelta(minutes=5))
    services.messaging.ingest.message(account, stop)
    services.messaging.ingest.message(account, start)  # written before the STOP, delivered after it
    conversation = services.messaging.actions.get(cid, ALICE)
    assert (conversation.consent.state, conversation.consent.changed_at) == ("opted_out", stop.received_at)
    with pytest.raises(RecipientOptedOut):
        services.messaging.outbox.reply(cid, "Welcome back?", ALICE, BASE)
    later = replace(inbound(account.id, "SMstart2", "start"), received_at=clock.now)
    services.messaging.ingest.message(account, later)
    assert services.messaging.actions.get(cid, ALICE).consent.state == "opted_in"
    assert twilio_api.requests == []


def test_the_customers_latest_keyword_wins_whatever_order_they_arrive_in(setup, twilio_api, clock):
    services, account, cid, _ = setup
    clock.advance(minutes=40)

    def said(sid: str, word: str, minutes_ago: int) -> None:
        written = replace(inbound(account.id, sid, word), received_at=clock.now - timedelta(minutes=minutes_ago))
        services.messaging.ingest.message(account, written)

    said("SMstop1", "STOP", 30)
    said("SMstop2", "STOP", 1)  # STOP, START, STOP written; the last STOP delivered before the START
    said("SMstart", "START", 5)
    consent = services.messaging.actions.get(cid, ALICE).consent
    assert (consent.state, consent.changed_at) == ("opted_out", clock.now - timedelta(minutes=1))
    with pytest.raises(RecipientOptedOut):
        services.messaging.outbox.reply(cid, "We miss you", ALICE, BASE)

    clock.advance(minutes=30)  # opted in again, then STOP, START written; the START delivered first
    said("SMstart2", "START", 20)
    said("SMstart3", "START", 1)
    said("SMstop3", "STOP", 5)
    assert services.messaging.actions.get(cid, ALICE).consent.state == "opted_in"
    assert twilio_api.requests == []


def test_twilio_21610_marks_the_customer_opted_out(setup, twilio_api):
    services, _, cid, _ = setup
    twilio_api.on("POST", MESSAGES, (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient",
                                           "status": 400}))
    with pytest.raises(ProviderRecipientOptedOut) as refused:
        services.messaging.outbox.reply(cid, "hello?", ALICE, BASE)
    assert (refused.value.status, refused.value.code, refused.value.provider_code) == \
        (409, "recipient_opted_out", "21610")
    conversation = services.messaging.actions.get(cid, ALICE)
    assert (conversation.consent.state, conversation.consent.source) == ("opted_out", "provider_error")
    assert (conversation.messages[-1].status, conversation.messages[-1].error_code) == ("failed", "21610")
    with pytest.raises(RecipientOptedOut):
        services.messaging.outbox.reply(cid, "hello again?", ALICE, BASE)
    assert len(twilio_api.calls("POST", MESSAGES)) == 1
