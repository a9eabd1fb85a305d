"""Documented ACS Event Grid payloads become Switchboard's records (no storage needed)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from channels import acs
from channels.eventgrid import Event, parse_events, validation_code
from core.errors import BadRequest
from core.records import Account, ChannelRegistration, Number
from core.webhooks import Skipped, WebhookRequest
from tests.support.acs import CHANNEL_ID, CUSTOMER, FIXTURES, events

NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)
WHATSAPP = Account("wa", "WhatsApp", "whatsapp", "acs", {}, (), NOW, NOW,
                   channels=(ChannelRegistration("Support", CHANNEL_ID),))
SMS = Account("sms", "SMS", "sms", "acs", {}, (Number("+15555555555", "toll_free"),), NOW, NOW)


def event(name: str, **overrides) -> Event:
    return Event.from_json(events(name, **overrides)[0])


def test_validation_handshake_code():
    parsed = parse_events((FIXTURES / "eventgrid_subscription_validation.json").read_bytes())
    assert validation_code(parsed) == "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"


def test_text_message_keeps_the_customer_number_and_the_channel():
    inbound = acs.AdvancedMessageReceived.from_event(event("advanced_message_received_text.json")).to_inbound(WHATSAPP)
    assert (inbound.customer, inbound.business, inbound.body) == (CUSTOMER, CHANNEL_ID, "Hello")
    # No messageId in the documented payload: the event id identifies the message.
    assert inbound.provider_message_id == "00000000-0000-0000-0000-000000000000"


def test_image_and_document_media_keep_id_type_caption_and_file_name():
    image = acs.AdvancedMessageReceived.from_event(event("advanced_message_received_image.json")).to_inbound(WHATSAPP)
    [media] = image.media
    assert (media.media_id, media.content_type, media.caption) == (
        "00000000-0000-0000-0000-000000000000", "image/jpeg", "This is a media caption")
    assert image.body == "This is a media caption"
    doc = acs.AdvancedMessageReceived.from_event(event("advanced_message_received_document.json")).to_inbound(WHATSAPP)
    assert doc.media[0].content_type == "application/pdf"
    assert doc.media[0].file_name.startswith("UTSAV Mela 2024") and doc.body == ""


def test_a_bsuid_identifies_the_customer_when_from_is_empty():
    parsed = event("advanced_message_received_text.json", **{"from": "", "fromBSUID": "US.13491208655302741918"})
    assert acs.AdvancedMessageReceived.from_event(parsed).to_inbound(WHATSAPP).customer == "US.13491208655302741918"
    nobody = event("advanced_message_received_text.json", **{"from": ""})
    with pytest.raises(acs.SkippedEvent):
        acs.AdvancedMessageReceived.from_event(nobody).to_inbound(WHATSAPP)


def test_a_channel_the_account_does_not_hold_is_skipped():
    other = event("advanced_message_received_text.json", to="11111111-1111-1111-1111-111111111111")
    with pytest.raises(acs.SkippedEvent):
        acs.AdvancedMessageReceived.from_event(other).to_inbound(WHATSAPP)


@pytest.mark.parametrize("value", ["Failed", "failed", "FAILED"])
def test_delivery_status_is_read_case_insensitively_with_its_error(value):
    update = acs.whatsapp_status(event("advanced_message_delivery_status_failed.json", status=value,
                                       **{"from": CHANNEL_ID}), WHATSAPP)
    assert (update.status, update.error_code, update.error_message) == ("failed", "131026", "Message Undeliverable.")
    assert (update.business, update.customer) == (CHANNEL_ID, CUSTOMER)
    assert update.provider_message_id == "22222222-2222-2222-2222-222222222222"


def test_sms_received_and_report_in_both_key_casings():
    inbound = acs.SmsReceived.from_event(event("sms_received.json", receivedTimestamp="2020-09-18T00:27:45.32Z")
                                         ).to_inbound(SMS)
    assert (inbound.business, inbound.customer) == ("+15555555555", "+15555555555")
    assert inbound.received_at == datetime(2020, 9, 18, 0, 27, 45, 320000, tzinfo=timezone.utc)
    assert inbound.provider_message_id.startswith("Incoming_")
    [cloud] = parse_events((FIXTURES / "cloudevents_sms_received.json").read_bytes())
    assert cloud.is_type(acs.SMS_RECEIVED)
    assert acs.SmsReceived.from_event(cloud).to_inbound(SMS) == inbound
    report = acs.sms_report(event("sms_delivery_report.json"), SMS)
    assert (report.status, report.error_code, report.provider_message_id) == (
        "delivered", None, "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910")
    failed = acs.sms_report(event("sms_delivery_report.json", deliveryStatus="Failed",
                                  deliveryStatusDetails="Carrier rejected"), SMS)
    assert (failed.status, failed.error_message) == ("failed", "Carrier rejected")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1600-12-31T00:00:00Z",
                                   "yesterday"])
def test_a_received_time_out_of_range_or_unreadable_is_none(value):
    inbound = acs.SmsReceived.from_event(event("sms_received.json", receivedTimestamp=value)).to_inbound(SMS)
    assert inbound.received_at is None and inbound.provider_message_id.startswith("Incoming_")


def test_sms_to_another_number_is_skipped():
    # An event of a batch that names another business address is acknowledged, not stored.
    body = json.dumps(events("sms_received.json", to="15550001111")).encode()
    [part] = acs.AcsWebhook(lambda: None).parse(WebhookRequest("https://sb.example.com", {}, {}, body), SMS).parts
    with pytest.raises(Skipped, match="its business address is not one of this account's") as skipped:
        part.read()
    assert "5550001111" not in str(skipped.value)  # it is logged, and logs name no number


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b"[1]", b'[{"id": "x"}]', "\xff".encode("latin-1")])
def test_malformed_deliveries_are_bad_requests(body):
    with pytest.raises(BadRequest):
        parse_events(body)


def test_a_cloudevents_batch_and_an_event_grid_batch_parse_alike():
    grid = events("advanced_message_received_text.json") + events("sms_received.json")
    cloud = [{"specversion": "1.0", "id": e["id"], "type": e["eventType"], "source": e["topic"], "data": e["data"]}
             for e in grid]
    assert [(e.id, e.type, dict(e.data)) for e in parse_events(json.dumps(grid).encode())] == \
        [(e.id, e.type, dict(e.data)) for e in parse_events(json.dumps(cloud).encode())]
