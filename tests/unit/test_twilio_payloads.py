"""Twilio's inbound webhook: every media item of an MMS, and the Advanced Opt-Out reading."""

from __future__ import annotations

from channels.twilio import Form, TwilioInbound
from tests.support.twilio import FIXTURES
from tests.support.records import account

SMS_ACCOUNT = account("twilio", "sms", "acc")
WHATSAPP_ACCOUNT = account("twilio", "whatsapp", "acc")


def parse(name: str) -> TwilioInbound:
    return TwilioInbound.from_form(Form.parse((FIXTURES / name).read_bytes()))


def test_a_multi_media_mms_keeps_every_item_in_order():
    inbound = parse("twilio_mms_inbound_two_media.txt").to_inbound(SMS_ACCOUNT)
    assert inbound.body == "Here are the photos"
    assert [(m.content_type, m.url.rsplit("/", 1)[1]) for m in inbound.media] == [
        ("image/jpeg", "ME" + "1" * 32), ("image/png", "ME" + "2" * 32)]


def test_opt_out_type_is_passed_on_as_a_keyword():
    assert parse("twilio_sms_optout_stop.txt").to_inbound(SMS_ACCOUNT).keyword == "stop"
    assert parse("twilio_sms_inbound.txt").to_inbound(SMS_ACCOUNT).keyword is None


def test_a_whatsapp_message_keeps_the_profile_name_and_drops_the_prefixes():
    message = parse("twilio_whatsapp_inbound.txt")
    assert message.channel == "whatsapp"
    inbound = message.to_inbound(WHATSAPP_ACCOUNT)
    assert (inbound.business, inbound.customer, inbound.body, inbound.customer_name) == (
        "+14155238886", "+5582982136275", "Olá", "Jhonata")
    assert parse("twilio_sms_inbound.txt").channel == "sms"
    assert parse("twilio_sms_inbound.txt").to_inbound(SMS_ACCOUNT).customer_name is None


def test_a_whatsapp_image_is_kept_with_its_caption():
    inbound = parse("twilio_whatsapp_inbound_image.txt").to_inbound(WHATSAPP_ACCOUNT)
    assert inbound.body == "Foto do recibo"
    [media] = inbound.media
    assert media.content_type == "image/jpeg" and media.url.startswith("https://api.twilio.com/2010-04-01/Accounts/")
