"""ACS conversations against real Table Storage, with a recording stand-in for ACS: the
24-hour window, templates, attachments both ways, SMS with delivery reports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels import acs
from channels.acs_send import AcsSender
from channels.eventgrid import Event
from core.errors import Conflict, ValidationFailed
from core.messages import InboundMessage
from core.records import Media
from tests.support.acs import CHANNEL_ID, CUSTOMER, SMS_BUSINESS, TENANT, events, sms_account, whatsapp_account
from tests.support.recorder import recording
from tests.support.storage import RoundTrips
from tests.support.scopes import ALICE

SEND = "/messages/notifications:send"
BASE = "https://sb.example.com"
TEMPLATES = [{"name": "order_update", "language": "en_US", "text": "Hi {{1}}, your order {{2}} has shipped."}]


@pytest.fixture
def acs_api():
    with recording() as recorder:
        counter = iter(range(1, 1000))
        recorder.on("POST", SEND,
                    lambda r: (202, {"receipts": [{"messageId": f"wa-{next(counter)}", "to": CUSTOMER}]}))
        recorder.on("POST", "/sms", lambda r: (202, {"value": [{"to": r.json()["smsRecipients"][0]["to"],
                                                                "messageId": f"Outgoing_{next(counter)}",
                                                                "httpStatusCode": 202, "successful": True}]}))
        recorder.on("GET", r"/messages/streams/[^/]+", (200, b"\xff\xd8jpeg-bytes", {"Content-Type": "image/jpeg"}))
        yield recorder


@pytest.fixture
def whatsapp(make_services, acs_api):
    trips = RoundTrips()
    sender = AcsSender({"retry_total": 0})
    services = make_services(senders={"acs": sender}, media_fetchers={"acs": sender}, request_hooks=[trips])
    account = services.admin.accounts.create(whatsapp_account(acs_api.base_url))
    services.admin.workstreams.create({"name": "WhatsApp support", "account_id": account.id, "number": CHANNEL_ID,
                                      "templates": TEMPLATES,
                                      "attachments": {"customers_can_send": True, "agents_can_send": True}})
    return services, account, trips


def receive(services, account, name="advanced_message_received_text.json", **overrides) -> str:
    event = Event.from_json(events(name, **overrides)[0])
    inbound = acs.AdvancedMessageReceived.from_event(event).to_inbound(account)
    return services.messaging.ingest.message(account, inbound).conversation_id


def test_reply_inside_the_window_is_sent_as_whatsapp_text(whatsapp, acs_api, clock):
    services, account, _ = whatsapp
    cid = receive(services, account, event_id="evt-1")
    clock.advance(hours=23, minutes=59)
    message = services.messaging.outbox.reply(cid, "How can we help?", ALICE, BASE)
    assert (message.provider_message_id, message.status) == ("wa-1", "accepted")
    [sent] = acs_api.calls("POST", SEND)
    assert sent.json() == {"channelRegistrationId": CHANNEL_ID, "to": [CUSTOMER], "kind": "text",
                           "content": "How can we help?"}
    assert sent.query["api-version"] == ["2024-08-30"] and sent.headers["Authorization"].startswith("HMAC-SHA256")


def test_the_window_follows_when_acs_received_the_message_not_when_the_event_arrived(whatsapp, acs_api, clock):
    services, account, _ = whatsapp
    # Event Grid retried for a day: the message was received 23 h 59 min before its delivery.
    cid = receive(services, account, event_id="evt-late",
                  receivedTimestamp=(clock.now - timedelta(hours=23, minutes=59)).isoformat())
    conversation = services.messaging.actions.get(cid, ALICE)
    assert conversation.last_customer_message_at == clock.now - timedelta(hours=23, minutes=59)
    clock.advance(minutes=2)
    with pytest.raises(Conflict) as refused:
        services.messaging.outbox.reply(cid, "Hello?", ALICE, BASE)
    assert refused.value.code == "outside_whatsapp_window"

    # A time in the future (a skewed clock) counts as now; an older message never moves the window back.
    receive(services, account, event_id="evt-future", message_id="m-future",
            receivedTimestamp=(clock.now + timedelta(hours=5)).isoformat())
    assert services.messaging.actions.get(cid, ALICE).last_customer_message_at == clock.now
    receive(services, account, event_id="evt-older", message_id="m-older",
            receivedTimestamp=(clock.now - timedelta(hours=3)).isoformat())
    assert services.messaging.actions.get(cid, ALICE).last_customer_message_at == clock.now
    assert services.messaging.outbox.reply(cid, "Here now.", ALICE, BASE).status == "accepted"


def test_outside_the_window_only_a_template_goes_out(whatsapp, acs_api, clock):
    services, account, _ = whatsapp
    cid = receive(services, account, event_id="evt-2")
    clock.advance(hours=24, seconds=1)
    with pytest.raises(Conflict) as refused:
        services.messaging.outbox.reply(cid, "Still there?", ALICE, BASE)
    assert refused.value.code == "outside_whatsapp_window"
    assert acs_api.calls("POST", SEND) == [] and len(services.messaging.actions.get(cid, ALICE).messages) == 1

    message = services.messaging.outbox.send_template(cid, "order_update", None, ["Ana", "A-17"], ALICE, BASE)
    assert message.body == "Hi Ana, your order A-17 has shipped."
    [sent] = acs_api.calls("POST", SEND)
    assert sent.json() == {
        "channelRegistrationId": CHANNEL_ID, "to": [CUSTOMER], "kind": "template",
        "template": {"name": "order_update", "language": "en_US",
                     "values": [{"name": "p1", "kind": "text", "text": "Ana"},
                                {"name": "p2", "kind": "text", "text": "A-17"}],
                     "bindings": {"kind": "whatsApp", "body": [{"refValue": "p1"}, {"refValue": "p2"}]}},
    }
    assert services.messaging.actions.get(cid, ALICE).messages[-1].body == "Hi Ana, your order A-17 has shipped."


def test_unknown_template_or_wrong_parameters_send_nothing(whatsapp, acs_api):
    services, account, _ = whatsapp
    cid = receive(services, account, event_id="evt-3")
    for name, parameters, field in (("nope", [], "name"), ("order_update", ["Ana"], "parameters")):
        with pytest.raises(ValidationFailed) as refused:
            services.messaging.outbox.send_template(cid, name, None, parameters, ALICE, BASE)
        assert refused.value.field == field
    assert acs_api.requests == []


def test_an_attachment_goes_out_as_whatsapp_media_with_its_caption(whatsapp, acs_api):
    services, account, _ = whatsapp
    cid = receive(services, account, event_id="evt-4")
    picture = Media("https://cdn.example.com/receipt.png", "image/png")
    services.messaging.outbox.reply(cid, "Your receipt", ALICE, BASE, (picture,))
    document = Media("https://cdn.example.com/terms.pdf", "application/pdf")
    services.messaging.outbox.reply(cid, None, ALICE, BASE, (document,))
    image, doc = [r.json() for r in acs_api.calls("POST", SEND)]
    assert (image["kind"], image["mediaUri"], image["caption"]) == ("image", picture.url, "Your receipt")
    assert (doc["kind"], doc["mediaUri"], doc["fileName"]) == ("document", document.url, "terms.pdf")
    stored = services.messaging.actions.get(cid, ALICE).messages[-2]
    assert stored.media == (picture,) and stored.body == "Your receipt"


def test_agents_fetch_inbound_media_through_switchboard(whatsapp, acs_api):
    services, account, _ = whatsapp
    cid = receive(services, account, "advanced_message_received_image.json", event_id="evt-5")
    message = services.messaging.actions.get(cid, ALICE).messages[0]
    fetched = services.messaging.actions.media(cid, message.id, 0, ALICE)
    assert (fetched.content_type, b"".join(fetched.chunks)) == ("image/jpeg", b"\xff\xd8jpeg-bytes")
    [download] = acs_api.calls("GET", r"/messages/streams/[^/]+")
    assert download.path == "/messages/streams/00000000-0000-0000-0000-000000000000"


def test_status_updates_never_regress_and_a_retried_event_is_stored_once(whatsapp, acs_api):
    services, account, trips = whatsapp
    cid = receive(services, account, event_id="evt-6")
    trips.reset()
    assert receive(services, account, event_id="evt-7") == cid
    assert trips.count <= 2, trips.paths  # one head read + one batch, as for Twilio
    receive(services, account, event_id="evt-7")
    services.messaging.outbox.reply(cid, "hello", ALICE, BASE)
    for value in ("Delivered", "sent", "Read", "delivered"):
        update = acs.whatsapp_status(Event.from_json(events(
            "advanced_message_delivery_status_sent.json", message_id="wa-1", status=value,
            **{"from": CHANNEL_ID})[0]), account)
        services.messaging.ingest.status(update)
    messages = services.messaging.actions.get(cid, ALICE).messages
    assert [m.status for m in messages] == ["received", "received", "read"]


def test_sms_goes_out_with_delivery_reports_and_our_message_id_as_tag(make_services, acs_api):
    services = make_services(senders={"acs": AcsSender({"retry_total": 0})})
    account = services.admin.accounts.create(sms_account(acs_api.base_url))
    event = Event.from_json(events("sms_received.json", to=SMS_BUSINESS, **{"from": "14254360097"})[0])
    cid = services.messaging.ingest.message(account, acs.SmsReceived.from_event(event).to_inbound(account)).conversation_id
    assert services.messaging.actions.get(cid, ALICE).channel == "sms"
    message = services.messaging.outbox.reply(cid, "Thanks for writing", ALICE, BASE)
    [sent] = acs_api.calls("POST", "/sms")
    body = sent.json()
    assert body["from"] == "+" + SMS_BUSINESS and body["message"] == "Thanks for writing"
    assert [r["to"] for r in body["smsRecipients"]] == [CUSTOMER]
    assert body["smsSendOptions"] == {"enableDeliveryReport": True, "tag": message.id}
    report = Event.from_json(events("sms_delivery_report.json", message_id=message.provider_message_id,
                                    to=CUSTOMER, **{"from": SMS_BUSINESS})[0])
    services.messaging.ingest.status(acs.sms_report(report, account))
    assert services.messaging.actions.get(cid, ALICE).messages[-1].status == "delivered"
    with pytest.raises(ValidationFailed):
        services.messaging.outbox.reply(cid, "pic", ALICE, BASE, (Media("https://x/a.png", "image/png"),))


def test_acs_account_admin_rules(make_services):
    admin = make_services().admin.accounts
    body = whatsapp_account("https://contoso-acs.communication.azure.com",
                            eventgrid_app_id="api://switchboard", eventgrid_tenant_id=TENANT.upper())
    account = admin.create(body)
    assert account.credentials["eventgrid_tenant_id"] == TENANT
    cleared = admin.update(account.id, {"credentials": {"eventgrid_app_id": None, "eventgrid_tenant_id": None}})
    assert set(cleared.credentials) == {"resource_name", "connection_string"}
    other = "6b4f0d1e-0a47-4b8e-9d6c-1f2e3d4c5b6a"
    moved = admin.update(account.id, {"channels": [{"name": "New", "channel_id": other.upper()}]})
    assert [c.channel_id for c in moved.channels] == [other]
    admin.create(whatsapp_account("https://x.communication.azure.com"))  # the old channel id was released
    for wrong, field in (({"numbers": [{"number": SMS_BUSINESS, "type": "long_code"}]}, "numbers"),
                         ({"channels": [{"name": "x", "channel_id": "not-a-uuid"}]}, "channels[0].channel_id"),
                         ({"credentials": {"connection_string": "accesskey=abc"}}, "credentials.connection_string"),
                         ({"credentials": {"region": "x"}}, "credentials.region")):
        with pytest.raises(ValidationFailed) as refused:
            admin.update(account.id, wrong)
        assert refused.value.field == field


def test_an_sms_taken_without_its_recipients_result_is_in_doubt_not_an_error(make_services):
    with recording() as acs_api:
        acs_api.on("POST", "/sms", (202, {}))  # taken, but the answer says nothing of the recipient
        services = make_services(senders={"acs": AcsSender({"retry_total": 0})})
        account = services.admin.accounts.create(sms_account(acs_api.base_url))
        cid = services.messaging.ingest.message(account, InboundMessage("acs", account.id, "in-1", "+" + SMS_BUSINESS,
                                                              CUSTOMER, "Hello")).conversation_id
        message = services.messaging.outbox.reply(cid, "Got it", ALICE, BASE)
    assert (message.status, message.in_doubt) == ("retrying", True)  # repeated as the same request to learn how
