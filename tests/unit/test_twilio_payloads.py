"""Twilio's inbound webhook: every media item of an MMS, and the Advanced Opt-Out reading."""

from __future__ import annotations

from channels.twilio import Form, TwilioInbound
from tests.support.twilio import FIXTURES


def parse(name: str) -> TwilioInbound:
    return TwilioInbound.from_form(Form.parse((FIXTURES / name).read_bytes()))


def test_a_multi_media_mms_keeps_every_item_in_order():
    inbound = parse("twilio_mms_inbound_two_media.txt").to_inbound("acc")
    assert inbound.body == "Here are the photos"
    assert [(m.content_type, m.url.rsplit("/", 1)[1]) for m in inbound.media] == [
        ("image/jpeg", "ME" + "1" * 32), ("image/png", "ME" + "2" * 32)]


def test_opt_out_type_is_passed_on_as_a_keyword():
    assert parse("twilio_sms_optout_stop.txt").to_inbound("acc").keyword == "stop"
    assert parse("twilio_sms_inbound.txt").to_inbound("acc").keyword is None
