"""Workstream settings at work, on real storage with a fixed clock and a recording
stand-in for the provider: hours, automated messages, attachments, survey."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from channels.acs_send import AcsSender
from core.messages import InboundMessage
from channels.twilio_api import TwilioSender
from core.errors import Forbidden
from core.records import Media
from tests.support.acs import CHANNEL_ID, whatsapp_account
from tests.support.recorder import recording
from tests.support.twilio import ACCOUNT_SID, BUSINESS, account_body, inbound, message_created
from tests.support.scopes import ALICE

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
BASE = "https://sb.example.com"
HOURS = {"time_zone": "America/Los_Angeles", "closures": ["2026-12-25"],
         "weekly": [{"day": d, "open": "09:00", "close": "17:00"}
                    for d in ("monday", "tuesday", "wednesday", "thursday", "friday")]}
AUTOMATED = {"greeting": {"text": "Hi, thanks for writing!"}, "out_of_hours": {"text": "We are closed now."},
             "closing": {"text": "Thanks, this conversation is closed."}}
SURVEY = {"enabled": True, "text": "How did we do? {{link}}", "url": "https://survey.example.com/s/1"}


@pytest.fixture
def provider():
    with recording() as recorder:
        counter = iter(range(1, 10_000))
        recorder.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(counter):032d}"))
        recorder.on("POST", "/messages/notifications:send",
                    lambda _r: (202, {"receipts": [{"messageId": "wa-1", "to": "x"}]}))
        yield recorder


def sms_setup(make_services, provider, **settings):
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)})
    account = services.admin.accounts.create(account_body())
    services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                      "number": BUSINESS, **settings})
    return services, account


def sent_bodies(provider) -> list[str]:
    return [r.form["Body"][0] for r in provider.calls("POST", MESSAGES)]


def at(clock, *moment: int) -> None:
    clock.now = datetime(*moment, tzinfo=timezone.utc)


def test_out_of_hours_once_per_closed_period_on_both_sides_of_each_boundary(make_services, provider, clock):
    services, account = sms_setup(make_services, provider, operating_hours=HOURS, allow_automated_messages=True,
                                  automated_messages={"out_of_hours": AUTOMATED["out_of_hours"]})
    at(clock, 2026, 11, 23, 16, 59)  # Monday 08:59 in Los Angeles: closed
    services.messaging.ingest.message(account, inbound(account.id, "SM1"), BASE)
    at(clock, 2026, 11, 23, 16, 59, 30)
    services.messaging.ingest.message(account, inbound(account.id, "SM2"), BASE)
    assert sent_bodies(provider) == ["We are closed now."]
    at(clock, 2026, 11, 23, 17, 0)  # 09:00: open
    services.messaging.ingest.message(account, inbound(account.id, "SM3"), BASE)
    at(clock, 2026, 11, 24, 0, 59)  # 16:59: still open
    services.messaging.ingest.message(account, inbound(account.id, "SM4"), BASE)
    assert sent_bodies(provider) == ["We are closed now."]
    at(clock, 2026, 11, 24, 1, 0)  # 17:00: a new closed period
    services.messaging.ingest.message(account, inbound(account.id, "SM5"), BASE)
    at(clock, 2026, 11, 24, 15, 0)  # 07:00 next morning: the same closed night
    services.messaging.ingest.message(account, inbound(account.id, "SM6"), BASE)
    assert sent_bodies(provider) == ["We are closed now."] * 2


def test_a_holiday_is_closed_all_day(make_services, provider, clock):
    services, account = sms_setup(make_services, provider, operating_hours=HOURS, allow_automated_messages=True,
                                  automated_messages={"out_of_hours": AUTOMATED["out_of_hours"]})
    at(clock, 2026, 12, 25, 20, 0)  # Friday noon, Christmas
    services.messaging.ingest.message(account, inbound(account.id, "SM1"), BASE)
    at(clock, 2026, 12, 24, 20, 0)  # Thursday noon, the day before: open (another customer, another conversation)
    services.messaging.ingest.message(account, inbound(account.id, "SM2", customer="+12065550170"), BASE)
    assert sent_bodies(provider) == ["We are closed now."]


def test_greeting_on_the_first_message_only_and_only_when_allowed(make_services, provider, clock):
    services, account = sms_setup(make_services, provider, allow_automated_messages=True,
                                  automated_messages={"greeting": AUTOMATED["greeting"]})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SM1"), BASE).conversation_id
    services.messaging.ingest.message(account, inbound(account.id, "SM2"), BASE)
    assert sent_bodies(provider) == ["Hi, thanks for writing!"]
    sent = provider.calls("POST", MESSAGES)[0].form
    greeting = services.messaging.actions.get(cid, ALICE).messages[1]
    assert sent["StatusCallback"] == [f"{BASE}/api/twilio/{account.id}/status?m={greeting.id}"]
    assert (greeting.direction, greeting.automated, greeting.agent) == ("outbound", "greeting", None)

    ws = services.admin.workstreams.list()[0]
    services.admin.workstreams.update(ws.id, {"allow_automated_messages": False})
    services.messaging.ingest.message(account, inbound(account.id, "SM3", customer="+12065550171"), BASE)
    assert sent_bodies(provider) == ["Hi, thanks for writing!"]


def test_no_automated_message_reaches_an_opted_out_customer_and_the_refusal_is_recorded(make_services, provider):
    services, account = sms_setup(make_services, provider, allow_automated_messages=True,
                                  automated_messages={"greeting": AUTOMATED["greeting"]})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SM1", "STOP"), BASE).conversation_id
    assert provider.calls("POST", MESSAGES) == []
    held = services.messaging.actions.get(cid, ALICE).messages[-1]
    assert (held.automated, held.status, held.error_code) == ("greeting", "not_sent", "recipient_opted_out")


def test_closing_message_and_survey_follow_a_close_once(make_services, provider, clock):
    services, account = sms_setup(make_services, provider, allow_automated_messages=True,
                                  automated_messages={"closing": AUTOMATED["closing"]}, survey=SURVEY)
    cid = services.messaging.ingest.message(account, inbound(account.id, "SM1"), BASE).conversation_id
    services.messaging.actions.close(cid, ALICE, BASE)
    assert sent_bodies(provider) == ["Thanks, this conversation is closed.",
                                     "How did we do? https://survey.example.com/s/1"]
    conversation = services.messaging.actions.get(cid, ALICE)
    assert conversation.state == "closed"
    assert [m.automated for m in conversation.messages] == [None, "closing", "survey"]


def test_inactivity_close_sends_the_closing_message_too(make_services, provider, clock):
    services, account = sms_setup(make_services, provider, allow_automated_messages=True, auto_close_after_minutes=10,
                                  automated_messages={"closing": AUTOMATED["closing"]})
    services.messaging.ingest.message(account, inbound(account.id, "SM1"), BASE)
    clock.advance(minutes=11)
    assert services.messaging.sweep.run(base_url=BASE)["closed"] == 1
    assert sent_bodies(provider) == ["Thanks, this conversation is closed."]


def test_customer_attachments_are_dropped_unless_allowed(make_services, provider):
    services, account = sms_setup(make_services, provider)
    photo = (Media("https://api.twilio.com/m/ME1", "image/jpeg"), Media("https://api.twilio.com/m/ME2", "image/png"))
    message = InboundMessage(provider="twilio", account_id=account.id, provider_message_id="SMm1",
                             business="+" + BUSINESS, customer="+12065550172", body="see photos", media=photo)
    cid = services.messaging.ingest.message(account, message, BASE).conversation_id
    kept = services.messaging.actions.get(cid, ALICE).messages[0]
    assert (kept.body, kept.media, kept.media_dropped) == ("see photos", (), 2)

    ws = services.admin.workstreams.list()[0]
    services.admin.workstreams.update(ws.id, {"attachments": {"customers_can_send": True}})
    services.messaging.ingest.message(account, InboundMessage(**{**message.__dict__, "provider_message_id": "SMm2"}), BASE)
    assert services.messaging.actions.get(cid, ALICE).messages[1].media == photo
    # An attachment no one could fetch beside one that can be: only the unusable one is dropped.
    mixed = InboundMessage(**{**message.__dict__, "provider_message_id": "SMm3", "media": photo[:1], "media_unusable": 1})
    services.messaging.ingest.message(account, mixed, BASE)
    last = services.messaging.actions.get(cid, ALICE).messages[2]
    assert (last.media, last.media_dropped) == (photo[:1], 1)


def test_agent_attachments_need_the_workstream_to_allow_them(make_services, provider):
    services, account = ws_whatsapp(make_services, provider)
    cid = services.messaging.ingest.message(account, _wa(account), BASE).conversation_id
    photo = (Media("https://cdn.example.com/p.jpg", "image/jpeg"),)
    with pytest.raises(Forbidden) as refused:
        services.messaging.outbox.reply(cid, "", ALICE, BASE, photo)
    assert refused.value.code == "attachments_disabled"
    ws = services.admin.workstreams.list()[0]
    services.admin.workstreams.update(ws.id, {"attachments": {"agents_can_send": True}})
    services.messaging.outbox.reply(cid, "", ALICE, BASE, photo)
    sent = provider.calls("POST", "/messages/notifications:send")[-1].json()
    assert sent["kind"] == "image" and sent["mediaUri"] == "https://cdn.example.com/p.jpg"


def test_whatsapp_automated_messages_only_inside_the_window(make_services, provider, clock):
    services, account = ws_whatsapp(make_services, provider, allow_automated_messages=True,
                                    automated_messages={"closing": AUTOMATED["closing"]})
    cid = services.messaging.ingest.message(account, _wa(account), BASE).conversation_id
    clock.advance(hours=25)
    services.messaging.actions.close(cid, ALICE, BASE)
    assert provider.calls("POST", "/messages/notifications:send") == []
    held = services.messaging.actions.get(cid, ALICE).messages[-1]
    assert (held.automated, held.status, held.error_code) == ("closing", "not_sent", "outside_whatsapp_window")


def ws_whatsapp(make_services, provider, **settings):
    sender = AcsSender({"retry_total": 0})
    services = make_services(senders={"acs": sender}, media_fetchers={"acs": sender})
    account = services.admin.accounts.create(whatsapp_account(provider.base_url))
    services.admin.workstreams.create({"name": "WhatsApp", "account_id": account.id, "number": CHANNEL_ID, **settings})
    return services, account


def _wa(account) -> InboundMessage:
    return InboundMessage(provider="acs", account_id=account.id, provider_message_id="wa-in-1",
                          business=CHANNEL_ID, customer="+14255550123", body="hello")
