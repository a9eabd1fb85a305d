from urllib.parse import urlencode

import pytest

from channels.twilio import Form, TwilioInbound, signature_is_valid, status_from_form
from core.errors import BadRequest
from tests.support.twilio import AUTH_TOKEN, fixture_form, sign
from tests.support.records import account

SMS_ACCOUNT = account("twilio", "sms", "abc")
WHATSAPP_ACCOUNT = account("twilio", "whatsapp", "abc")

URL = "https://sb.example.com/api/twilio/abc/inbound"


def form_of(fields: dict[str, str]) -> Form:
    return Form.parse(urlencode(fields).encode())


def test_documented_sms_webhook_becomes_an_inbound_message():
    inbound = TwilioInbound.from_form(form_of(fixture_form("twilio_sms_inbound.txt"))).to_inbound(SMS_ACCOUNT)
    assert (inbound.provider_message_id, inbound.customer, inbound.business, inbound.body) == (
        "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "+15017122661", "+14252306549", "Ahoy")
    assert inbound.media == ()


def test_every_media_item_is_kept():
    fields = fixture_form("twilio_sms_inbound.txt", NumMedia="2",
                          MediaUrl0="https://api.twilio.com/m/ME0", MediaContentType0="image/jpeg",
                          MediaUrl1="https://api.twilio.com/m/ME1", MediaContentType1="application/pdf")
    media = TwilioInbound.from_form(form_of(fields)).media
    assert [(m.url, m.content_type) for m in media] == [
        ("https://api.twilio.com/m/ME0", "image/jpeg"), ("https://api.twilio.com/m/ME1", "application/pdf")]


def test_signature_checks_url_params_and_token():
    fields = fixture_form("twilio_sms_inbound.txt")
    good = sign(URL, fields)
    assert signature_is_valid(URL, form_of(fields), good, AUTH_TOKEN)
    assert signature_is_valid("https://sb.example.com:443/api/twilio/abc/inbound", form_of(fields), good, AUTH_TOKEN)
    assert not signature_is_valid(URL, form_of(dict(fields, Body="changed")), good, AUTH_TOKEN)
    assert not signature_is_valid(URL + "?x=1", form_of(fields), good, AUTH_TOKEN)
    assert not signature_is_valid(URL, form_of(fields), good, "0" * 32)
    assert not signature_is_valid(URL, form_of(fields), None, AUTH_TOKEN)


def test_status_callback_is_from_the_business_to_the_customer():
    update = status_from_form(form_of(fixture_form("twilio_status_delivered.txt", ErrorCode="30003")), SMS_ACCOUNT)
    assert (update.business, update.customer, update.status, update.error_code) == (
        "+14252306549", "+15017122661", "delivered", "30003")


@pytest.mark.parametrize("missing", ["MessageSid", "From"])
def test_malformed_webhooks_are_bad_requests(missing):
    fields = fixture_form("twilio_sms_inbound.txt")
    fields.pop(missing)
    fields.pop("SmsMessageSid")
    with pytest.raises(BadRequest):
        TwilioInbound.from_form(form_of(fields))


def test_whatsapp_status_callback_names_bare_numbers():
    update = status_from_form(form_of(fixture_form("twilio_whatsapp_status_read.txt")), WHATSAPP_ACCOUNT)
    assert (update.business, update.customer, update.status) == ("+14155238886", "+5582982136275", "read")


def test_num_media_is_not_trusted_beyond_twilios_ten():
    fields = fixture_form("twilio_sms_inbound.txt", NumMedia="1000000000",
                          **{f"MediaUrl{i}": f"https://api.twilio.com/m/ME{i}" for i in range(12)})
    assert len(TwilioInbound.from_form(form_of(fields)).media) == 10
