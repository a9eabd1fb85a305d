"""The Twilio adapter on a WhatsApp account, against a recording stand-in for Twilio's API
(and a second one for its media CDN), and Prism serving Twilio's own OpenAPI description."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterator

import pytest

from core.messages import OutboundMessage
from channels.twilio_api import TwilioSender
from core.errors import NotFound, ProviderError, ProviderOutsideWindow
from core.records import Account, Media, Number, TemplateRef
from localhost.services import Prism
from tests.support import contracts
from tests.support import twilio as tw
from tests.support.recorder import Recorder, serve

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
MESSAGES = f"/2010-04-01/Accounts/{tw.ACCOUNT_SID}/Messages.json"
MEDIA_PATH = f"/2010-04-01/Accounts/{tw.ACCOUNT_SID}/Messages/MM{'d' * 32}/Media/ME{'e' * 32}"
CONTENT_SID = "HX" + "0123456789abcdef" * 2
WHATSAPP = Account(id="acc", name="n", channel="whatsapp", provider="twilio",
                   credentials={"account_sid": tw.ACCOUNT_SID, "auth_token": tw.AUTH_TOKEN},
                   numbers=(Number(tw.WHATSAPP_BUSINESS, "long_code"),), created_at=NOW, updated_at=NOW)
CALLBACK = "https://sb.example.com/api/twilio/acc/status"


def message(**fields) -> OutboundMessage:
    return OutboundMessage(business=tw.WHATSAPP_BUSINESS, customer=tw.WHATSAPP_CUSTOMER,
                           status_callback=CALLBACK, **{"body": "Olá!", **fields})


def _served() -> Iterator[Recorder]:
    recorder = Recorder()
    running = serve(recorder)
    yield recorder
    running.shutdown()


@pytest.fixture
def api() -> Iterator[Recorder]:
    yield from _served()


@pytest.fixture
def cdn() -> Iterator[Recorder]:
    yield from _served()


@pytest.fixture(scope="module")
def prism() -> Iterator[Prism]:
    with Prism.start(contracts.TWILIO) as service:
        yield service


def test_whatsapp_addresses_carry_the_prefix_on_the_wire_only(api):
    api.on("POST", MESSAGES, tw.message_created("SM" + "1" * 32))
    result = TwilioSender(api.base_url).send(WHATSAPP, message(
        body="Your invoice", media=(Media("https://cdn.example.com/invoice.pdf", "application/pdf"),)))
    assert result.provider_message_id == "SM" + "1" * 32
    [sent] = api.calls("POST", MESSAGES)
    assert sent.form == {"To": ["whatsapp:+5582982136275"], "From": ["whatsapp:+14155238886"],
                         "Body": ["Your invoice"], "MediaUrl": ["https://cdn.example.com/invoice.pdf"],
                         "StatusCallback": [CALLBACK]}


def test_a_template_with_a_content_sid_goes_through_the_content_api(api):
    api.on("POST", MESSAGES, tw.message_created("SM" + "2" * 32))
    ref = TemplateRef("order_update", "en", ("Ana", "A-17"), CONTENT_SID)
    TwilioSender(api.base_url).send(WHATSAPP, message(body="Hi Ana, order A-17 has shipped.", template=ref))
    [sent] = api.calls("POST", MESSAGES)
    assert sent.form["ContentSid"] == [CONTENT_SID] and "Body" not in sent.form
    assert json.loads(sent.form["ContentVariables"][0]) == {"1": "Ana", "2": "A-17"}


def test_a_content_template_without_placeholders_sends_no_variables(api):
    api.on("POST", MESSAGES, tw.message_created("SM" + "4" * 32))
    TwilioSender(api.base_url).send(WHATSAPP, message(template=TemplateRef("hello", "en", (), CONTENT_SID)))
    [sent] = api.calls("POST", MESSAGES)
    assert sent.form["ContentSid"] == [CONTENT_SID] and "ContentVariables" not in sent.form


def test_a_template_without_a_content_sid_goes_as_its_text(api):
    api.on("POST", MESSAGES, tw.message_created("SM" + "3" * 32))
    ref = TemplateRef("welcome", "en", ())
    TwilioSender(api.base_url).send(WHATSAPP, message(body="Welcome back!", template=ref))
    [sent] = api.calls("POST", MESSAGES)
    assert sent.form["Body"] == ["Welcome back!"] and "ContentSid" not in sent.form


def test_error_63016_is_the_whatsapp_window_refusal(api):
    api.on("POST", MESSAGES, (400, {"code": 63016, "status": 400, "message": "Failed to send freeform message "
                                    "because you are outside the allowed window."}))
    with pytest.raises(ProviderOutsideWindow) as refused:
        TwilioSender(api.base_url).send(WHATSAPP, message())
    assert (refused.value.status, refused.value.code, refused.value.provider_code) == (
        409, "outside_whatsapp_window", "63016")


def test_media_is_fetched_with_the_account_credentials_which_the_cdn_never_sees(api, cdn):
    api.on("GET", MEDIA_PATH, (307, b"", {"Location": cdn.base_url + "/v1/file.jpg?sig=abc"}))
    cdn.on("GET", "/v1/file.jpg", (200, b"\xff\xd8jpeg bytes", {"Content-Type": "image/jpeg"}))
    fetched = TwilioSender(api.base_url).fetch_media(WHATSAPP, Media(tw.API_HOST + MEDIA_PATH, "image/jpeg"))
    assert b"".join(fetched.chunks) == b"\xff\xd8jpeg bytes" and fetched.content_type == "image/jpeg"
    [asked] = api.calls("GET", MEDIA_PATH)
    assert asked.headers["Authorization"] == tw.basic_auth()
    [served] = cdn.calls("GET", "/v1/file.jpg")
    assert "Authorization" not in served.headers


def test_media_errors_and_foreign_urls(api):
    api.on("GET", MEDIA_PATH, (404, {"code": 20404, "message": "not found"}))
    sender = TwilioSender(api.base_url)
    with pytest.raises(ProviderError) as gone:
        sender.fetch_media(WHATSAPP, Media(tw.API_HOST + MEDIA_PATH, "image/jpeg"))
    assert gone.value.provider_code == "404"
    with pytest.raises(NotFound):  # credentials go to Twilio only
        sender.fetch_media(WHATSAPP, Media("https://evil.example.com" + MEDIA_PATH, "image/jpeg"))
    assert len(api.requests) == 1


# MediaUrl is left out: Prism reads a form field as a string and refuses it as "must be array"
# however many values it has; the recorder tests above check its name and values.
@pytest.mark.parametrize("fields", [
    {"body": "Olá!"},
    {"template": TemplateRef("order_update", "en", ("Ana", "A-17"), CONTENT_SID)},
], ids=["text", "content-template"])
def test_whatsapp_sends_are_valid_messages_creates(prism, fields):
    result = TwilioSender(prism.base_url).send(WHATSAPP, message(**fields))
    assert result.provider_message_id.startswith("SM")
