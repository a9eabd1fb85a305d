"""What the simulator sends is what the app's own parsers and signature checks accept."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from pathlib import Path

import jwt
import pytest

from channels import acs as acs_events
from channels.entra import EVENT_GRID_APP_ID
from channels.eventgrid import parse_events, validation_code
from channels.telesign import TeleSignDeliveryReport, TeleSignInbound, parse_callback
from channels.telesign import signature_is_valid as telesign_signature_is_valid
from channels.twilio import Form, TwilioInbound, signature_is_valid, status_from_form
from core.records import Account, ChannelRegistration, Number
from localhost.entra import LocalTenant
from localhost.simulate import acs, telesign, twilio
from localhost.simulate.__main__ import _delivery
from localhost.simulate.delivery import DEFAULT_CUSTOMER, Options, SimulationError
from localhost.simulate.target import Target

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
API_KEY = base64.b64encode(bytes(range(64))).decode()
CUSTOMER_ID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
CHANNEL = "0f0eb78e-a576-1dfc-b414-0f0756de3338"
TENANT, APP = "72f988bf-86f1-41af-91ab-2d7cd011db47", "b3f1d9a2-5c7e-4d8f-9a0b-1c2d3e4f5a6b"
PUBLIC = "https://sb.example.com"


def target(tmp_path: Path, provider: str, channel: str = "sms", **credentials: str) -> Target:
    now = datetime.now(timezone.utc)
    given = {"twilio": {"account_sid": "AC" + "0" * 32, "auth_token": AUTH_TOKEN},
             "telesign": {"customer_id": CUSTOMER_ID, "api_key": API_KEY},
             "acs": {"resource_name": "contoso-acs", "connection_string": "endpoint=https://x/;accesskey=k"}}[provider]
    registered = provider == "acs" and channel == "whatsapp"
    account = Account(id="a1", name="t", channel=channel, provider=provider, credentials={**given, **credentials},
                      numbers=() if registered else (Number("+14252306549", "long_code"),), created_at=now,
                      updated_at=now, channels=(ChannelRegistration("s", CHANNEL),) if registered else ())
    return Target(account, "http://localhost:7071", PUBLIC, LocalTenant(tmp_path / "entra.pem"))


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_a_twilio_message_is_signed_over_the_public_url_and_parses(tmp_path, channel):
    aim = target(tmp_path, "twilio", channel)
    delivery = twilio.message(aim, Options(body="Where is my order?", media_urls=("https://example.com/a.jpg",)))
    form = Form.parse(delivery.body)
    assert delivery.path == "/api/twilio/a1/inbound"
    assert signature_is_valid(PUBLIC + delivery.path, form, delivery.headers["X-Twilio-Signature"], AUTH_TOKEN)
    assert not signature_is_valid("http://localhost:7071" + delivery.path, form,
                                  delivery.headers["X-Twilio-Signature"], AUTH_TOKEN)
    parsed = TwilioInbound.from_form(form)
    assert parsed.channel == channel and parsed.message_sid == delivery.ids["MessageSid"]
    assert parsed.message_sid.startswith("MM") and len(parsed.message_sid) == 34
    inbound = parsed.to_inbound(aim.account)
    assert (inbound.customer, inbound.business, inbound.body) == (DEFAULT_CUSTOMER, "+14252306549",
                                                                  "Where is my order?")
    assert [(m.url, m.content_type) for m in inbound.media] == [("https://example.com/a.jpg", "image/jpeg")]


def test_a_twilio_status_callback_names_the_message_and_its_error(tmp_path):
    aim = target(tmp_path, "twilio", "whatsapp")
    delivery = twilio.status(aim, Options(message_id="SM" + "b" * 32, status="undelivered", error_code="63016"))
    form = Form.parse(delivery.body)
    assert signature_is_valid(PUBLIC + "/api/twilio/a1/status", form, delivery.headers["X-Twilio-Signature"],
                              AUTH_TOKEN)
    update = status_from_form(form, aim.account)
    assert (update.provider_message_id, update.status, update.error_code) == ("SM" + "b" * 32, "undelivered", "63016")
    assert (update.business, update.customer) == ("+14252306549", DEFAULT_CUSTOMER)
    assert form.first("From") == "whatsapp:+14252306549"


def test_a_telesign_message_and_report_are_signed_and_parse(tmp_path):
    aim = target(tmp_path, "telesign")
    delivery = telesign.message(aim, Options(from_="+442071838750", body="Hello"))
    assert telesign_signature_is_valid(delivery.body, delivery.headers["Authorization"], CUSTOMER_ID, API_KEY)
    inbound = parse_callback(delivery.body)
    assert isinstance(inbound, TeleSignInbound) and inbound.reference_id == delivery.ids["reference_id"]
    assert (inbound.to_inbound(aim.account).customer, inbound.to_inbound(aim.account).business) == ("+442071838750", "+14252306549")
    report = parse_callback(telesign.status(aim, Options(message_id="R1", status="delivered")).body)
    assert isinstance(report, TeleSignDeliveryReport)
    update = report.to_status(aim.account)
    assert update is not None and (update.status, update.customer) == ("delivered", DEFAULT_CUSTOMER)
    code = parse_callback(telesign.status(aim, Options(message_id="R1", status="207")).body)
    assert isinstance(code, TeleSignDeliveryReport) and code.to_status(aim.account).status == "undelivered"


@pytest.mark.parametrize("cloudevents", [False, True])
def test_acs_whatsapp_events_parse_as_the_app_reads_them(tmp_path, cloudevents):
    aim = target(tmp_path, "acs", "whatsapp")
    delivery = acs.message(aim, Options(body="Hello", cloudevents=cloudevents))
    [event] = parse_events(delivery.body)
    assert event.id == delivery.ids["event id"]
    inbound = acs_events.AdvancedMessageReceived.from_event(event).to_inbound(aim.account)
    assert (inbound.business, inbound.customer, inbound.body) == (CHANNEL, DEFAULT_CUSTOMER, "Hello")
    assert "Authorization" not in delivery.headers
    [report] = parse_events(acs.status(aim, Options(message_id="m1", status="failed", error_code="131026")).body)
    update = acs_events.whatsapp_status(report, aim.account)
    assert (update.provider_message_id, update.status, update.error_code) == ("m1", "failed", "131026")


def test_acs_sms_events_parse_as_the_app_reads_them(tmp_path):
    aim = target(tmp_path, "acs")
    [event] = parse_events(acs.message(aim, Options(from_="+14255550100")).body)
    inbound = acs_events.SmsReceived.from_event(event).to_inbound(aim.account)
    assert (inbound.business, inbound.customer) == ("+14252306549", "+14255550100")
    assert inbound.provider_message_id.startswith("Incoming_")
    [report] = parse_events(acs.status(aim, Options(message_id="Outgoing_1", status="Expired")).body)
    update = acs_events.sms_report(report, aim.account)
    assert (update.status, update.error_message) == ("expired", "Expired (simulated)")


def test_an_entra_account_gets_event_grid_tokens_from_the_local_tenant(tmp_path):
    aim = target(tmp_path, "acs", "whatsapp", eventgrid_app_id=APP, eventgrid_tenant_id=TENANT)
    delivery = acs.handshake(aim, Options())
    assert validation_code(parse_events(delivery.body)) == delivery.ids["validationCode"]
    token = delivery.headers["Authorization"].removeprefix("Bearer ")
    key = jwt.PyJWKSet.from_dict(aim.tenant.jwks())[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=APP)
    assert (claims["iss"], claims["appid"]) == (f"https://sts.windows.net/{TENANT}/", EVENT_GRID_APP_ID)


def test_the_cloudevents_handshake_is_an_options_request(tmp_path):
    delivery = acs.handshake(target(tmp_path, "acs", "whatsapp"), Options(cloudevents=True))
    assert (delivery.method, delivery.headers["WebHook-Request-Origin"]) == ("OPTIONS", "eventgrid.azure.net")


@pytest.mark.parametrize(("provider", "kind", "options", "says"), [
    ("twilio", "status", Options(), "--message-id"),
    ("twilio", "handshake", Options(), "no handshake"),
    ("telesign", "message", Options(cloudevents=True), "ACS accounts only"),
    ("twilio", "message", Options(media_urls=("https://e.com/x",) * 11), "at most 10"),
    ("telesign", "message", Options(media_urls=("https://e.com/x",)), "Twilio"),
    ("telesign", "status", Options(message_id="R1", status="lost"), "status code"),
    ("acs", "status", Options(message_id="m1", status="read"), "one of delivered"),
    ("acs", "status", Options(message_id="m1", status="failed", error_code="1"), "no error code"),
])
def test_what_cannot_be_simulated_is_refused_saying_why(tmp_path, provider, kind, options, says):
    with pytest.raises(SimulationError, match=says):
        _delivery(kind, target(tmp_path, provider), options)
