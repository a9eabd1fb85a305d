"""Twilio WhatsApp over HTTP through the local host: the sandbox number entered with "+",
real-shaped webhooks (whatsapp: prefixes, ProfileName, WaId), replies inside and outside
the 24-hour window, Content API templates, error 63016, and customers' media opened by
agents; with recorders standing in for Twilio's API and its media CDN."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from channels.twilio import Form, TwilioInbound
from functions.settings import Settings
from functions.wiring import build
from tests.conftest import FakeClock
from tests.support.recorder import Recorder, recording
from tests.support.twilio import (
    ACCOUNT_SID, API_HOST, AUTH_TOKEN, WHATSAPP_BUSINESS, WHATSAPP_CUSTOMER, account_body, basic_auth, encode,
    fixture_form, message_created, whatsapp_account_body,
)

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
VCARDS = Path(__file__).parents[1] / "fixtures" / "vcard"
CONTENT_SID = "HX" + "0123456789abcdef" * 2
TEMPLATES = [
    {"name": "order_update", "language": "en", "text": "Hi {{1}}, order {{2}} has shipped.",
     "content_sid": CONTENT_SID},
    {"name": "welcome_back", "language": "en", "text": "Welcome back, {{1}}!"},
]


@pytest.fixture(scope="module")
def cdn() -> Iterator[Recorder]:
    with recording() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def account(api) -> dict[str, Any]:
    created = api.call("POST", "/admin/accounts", whatsapp_account_body())
    assert created.status_code == 201, created.text
    workstream = api.call("POST", "/admin/workstreams", {"name": "WhatsApp support", "account_id": created.json()["id"],
                                                          "number": WHATSAPP_BUSINESS, "templates": TEMPLATES,
                                                          "auto_close_after_minutes": 2880,
                                                          "attachments": {"customers_can_send": True,
                                                                          "agents_can_send": True}})
    assert workstream.status_code == 201, workstream.text
    return created.json()


def whatsapp_in(api, account: dict, fixture: str = "twilio_whatsapp_inbound.txt", **fields: str) -> requests.Response:
    form = fixture_form(fixture, **fields)
    return api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN)


def conversation_of(api, account: dict, customer: str) -> dict[str, Any]:
    [found] = [c for c in api.call("GET", "/conversations").json()["conversations"]
               if c["account_id"] == account["id"] and c["customer"] == customer]
    return api.call("GET", f"/conversations/{found['id']}").json()


def test_the_sandbox_number_is_entered_with_or_without_a_plus(api, account):
    assert account["channel"] == "whatsapp" and account["numbers"][0]["number"] == WHATSAPP_BUSINESS
    assert account["callback"]["inbound_url"] == f"{api.base}/twilio/{account['id']}/inbound"
    assert "When a message comes in" in account["callback"]["setup"]
    digits = api.call("POST", "/admin/accounts", whatsapp_account_body(
        numbers=[{"number": WHATSAPP_BUSINESS.lstrip("+"), "type": "long_code"}]))
    assert digits.status_code == 409  # the same number as the fixture's account, however it is typed
    for number, kind in (("+1415523888", "long_code"), ("+14155238886", "short_code")):
        refused = api.call("POST", "/admin/accounts", whatsapp_account_body(
            numbers=[{"number": number, "type": kind}]))
        assert refused.status_code == 422
        assert refused.json()["error"]["field"] in ("numbers[0].number", "numbers[0].type")


def test_a_whatsapp_message_is_answered_over_whatsapp(api, account):
    assert whatsapp_in(api, account).status_code == 200
    conversation = conversation_of(api, account, WHATSAPP_CUSTOMER)
    assert (conversation["channel"], conversation["business"], conversation["customer_name"]) == (
        "whatsapp", WHATSAPP_BUSINESS, "Jhonata")
    last = datetime.fromisoformat(conversation["last_customer_message_at"])
    assert datetime.fromisoformat(conversation["reply_window_ends_at"]) == last + timedelta(hours=24)
    assert [m["body"] for m in conversation["messages"]] == ["Olá"]
    cid = conversation["id"]

    api.twilio.on("POST", MESSAGES, message_created("SM" + "c" * 32))
    reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "Olá Jhonata! Como podemos ajudar?",
                                                                 "agent": "alice"})
    assert reply.status_code == 201, reply.text
    sent = api.twilio.calls("POST", MESSAGES)[-1]
    assert sent.form["To"] == [f"whatsapp:{WHATSAPP_CUSTOMER}"]
    assert sent.form["From"] == [f"whatsapp:{WHATSAPP_BUSINESS}"]
    assert sent.form["Body"] == ["Olá Jhonata! Como podemos ajudar?"]
    assert sent.form["StatusCallback"] == [f"{api.base}/twilio/{account['id']}/status?m={reply.json()['id']}"]

    read = fixture_form("twilio_whatsapp_status_read.txt")
    assert api.webhook(f"/twilio/{account['id']}/status", read, AUTH_TOKEN).status_code == 204
    late = {**read, "EventType": "DELIVERED", "MessageStatus": "delivered", "SmsStatus": "delivered"}
    assert api.webhook(f"/twilio/{account['id']}/status", late, AUTH_TOKEN).status_code == 204  # read stays
    renamed = whatsapp_in(api, account, MessageSid="SM" + "d" * 32, Body="Obrigado", ProfileName="Jhonata S.")
    assert renamed.status_code == 200
    shown = api.call("GET", f"/conversations/{cid}").json()
    assert shown["customer_name"] == "Jhonata S."
    assert [(m["direction"], m["status"]) for m in shown["messages"]] == [
        ("inbound", "received"), ("outbound", "read"), ("inbound", "received")]


def test_a_message_of_another_channel_is_refused_and_not_stored(api, account):
    sms = fixture_form("twilio_sms_inbound.txt", To=WHATSAPP_BUSINESS, From="+12065550141", MessageSid="SM" + "e" * 32)
    assert api.webhook(f"/twilio/{account['id']}/inbound", sms, AUTH_TOKEN).status_code == 404
    assert not [c for c in api.call("GET", "/conversations").json()["conversations"]
                if c["customer"] == "+12065550141"]


def test_outside_the_window_only_templates_go_out(api, account):
    # The customer wrote 25 hours ago: ingest through the engine with a clock set back.
    services = build(Settings.from_env(api.env), clock=FakeClock(datetime.now(timezone.utc) - timedelta(hours=25)))
    stored = services.stores.accounts.get(account["id"])
    form = fixture_form("twilio_whatsapp_inbound.txt", From="whatsapp:+5582981110000", MessageSid="SM" + "f" * 32)
    inbound = TwilioInbound.from_form(Form.parse(encode(form))).to_inbound(stored)
    cid = services.messaging.ingest.message(stored, inbound).conversation_id

    before = len(api.twilio.requests)
    late = api.call("POST", f"/conversations/{cid}/messages", {"body": "Sorry for the wait"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "outside_whatsapp_window"
    assert len(api.twilio.requests) == before

    api.twilio.on("POST", MESSAGES, message_created("SM" + "1a" * 16))
    sent = api.call("POST", f"/conversations/{cid}/template",
                    {"name": "order_update", "parameters": ["Ana", "A-17"], "agent": "alice"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["body"] == "Hi Ana, order A-17 has shipped."
    assert sent.json()["template"] == {"name": "order_update", "language": "en"}
    request = api.twilio.calls("POST", MESSAGES)[-1].form
    assert request["ContentSid"] == [CONTENT_SID] and "Body" not in request
    assert json.loads(request["ContentVariables"][0]) == {"1": "Ana", "2": "A-17"}
    assert request["To"] == ["whatsapp:+5582981110000"]

    # A template without a content_sid goes as its text; Twilio refuses that outside the window (63016).
    api.twilio.on("POST", MESSAGES, (400, {"code": 63016, "status": 400, "message": "Failed to send freeform "
                                           "message because you are outside the allowed window."}))
    refused = api.call("POST", f"/conversations/{cid}/template", {"name": "welcome_back", "parameters": ["Ana"]})
    assert refused.status_code == 409, refused.text
    assert (refused.json()["error"]["code"], refused.json()["error"]["provider_code"]) == (
        "outside_whatsapp_window", "63016")
    assert api.twilio.calls("POST", MESSAGES)[-1].form["Body"] == ["Welcome back, Ana!"]
    last = api.call("GET", f"/conversations/{cid}").json()["messages"][-1]
    assert (last["body"], last["status"], last["error"]["code"]) == ("Welcome back, Ana!", "failed", "63016")


def test_customers_media_open_through_switchboard_with_the_account_credentials(api, account, cdn):
    media_path = (f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MMe7a3c0f1b2d4e6f8091a2b3c4d5e6f70"
                  "/Media/MEa1b2c3d4e5f60718293a4b5c6d7e8f90")  # MediaUrl0 of the fixture
    api.twilio.on("GET", media_path, (307, b"", {"Location": cdn.base_url + "/whatsapp/receipt.jpg?Expires=1"}))
    cdn.on("GET", "/whatsapp/receipt.jpg", (200, b"\xff\xd8receipt", {"Content-Type": "image/jpeg"}))
    assert whatsapp_in(api, account, "twilio_whatsapp_inbound_image.txt",
                       From="whatsapp:+5582981112222").status_code == 200
    conversation = conversation_of(api, account, "+5582981112222")
    [message] = conversation["messages"]
    [media] = message["media"]
    assert message["body"] == "Foto do recibo" and media["content_type"] == "image/jpeg"
    assert media["url"] == API_HOST + media_path
    assert media["download_url"] == f"{api.base}/conversations/{conversation['id']}/messages/{message['id']}/media/0"

    download = requests.get(media["download_url"], headers=api.auth(), timeout=30)
    assert download.status_code == 200 and download.content == b"\xff\xd8receipt"
    assert download.headers["Content-Type"].startswith("image/jpeg")
    assert api.twilio.calls("GET", media_path)[-1].headers["Authorization"] == basic_auth()
    assert "Authorization" not in cdn.calls("GET", "/whatsapp/receipt.jpg")[-1].headers
    assert AUTH_TOKEN not in download.text and AUTH_TOKEN not in json.dumps(conversation)
    assert requests.get(media["download_url"], timeout=30).status_code == 401


def test_a_shared_contact_card_shows_its_names_and_numbers_read_once(api, account, cdn):
    """The vCard (RFC 2426's two cards) is fetched with the account's credentials when the
    conversation is first read, kept on the message, and not fetched again; a vCard Twilio
    no longer has is kept as read with no cards, and not asked for on every read either."""
    card_path = (f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM62738495a6b7c8d9e0f1a2b3c4d5e6f7"
                 "/Media/ME1c2d3e4f5061728394a5b6c7d8e9f0a1")  # MediaUrl0 of the fixture
    api.twilio.on("GET", card_path, (307, b"", {"Location": cdn.base_url + "/whatsapp/card.vcf"}))
    cdn.on("GET", "/whatsapp/card.vcf", (200, (VCARDS / "rfc2426_examples.vcf").read_bytes(),
                                         {"Content-Type": "text/vcard"}))
    assert whatsapp_in(api, account, "twilio_whatsapp_inbound_contacts.txt",
                       From="whatsapp:+5582981113333").status_code == 200

    [message] = conversation_of(api, account, "+5582981113333")["messages"]
    assert (message["kind"], message["body"], message["media"][0]["content_type"]) == (
        "contacts", "Contact card", "text/vcard")
    assert message["contacts"] == [
        {"name": "Frank Dawson", "phones": [{"number": "+1-919-676-9515", "type": "voice, msg, work"},
                                            {"number": "+1-919-676-9564", "type": "fax, work"}]},
        {"name": "Tim Howes", "phones": [{"number": "+1-415-937-3419", "type": "voice, msg, work"},
                                         {"number": "+1-415-528-4164", "type": "fax, work"}]}]
    assert api.twilio.calls("GET", card_path)[-1].headers["Authorization"] == basic_auth()
    assert conversation_of(api, account, "+5582981113333")["messages"][0]["contacts"] == message["contacts"]
    assert len(api.twilio.calls("GET", card_path)) == 1 and len(cdn.calls("GET", "/whatsapp/card.vcf")) == 1

    gone_path = card_path.replace("MM6273", "MM0000").replace("ME1c2d", "ME0000")
    api.twilio.on("GET", gone_path, (404, {"code": 20404, "message": "The requested resource was not found"}))
    assert whatsapp_in(api, account, "twilio_whatsapp_inbound_contacts.txt", From="whatsapp:+5582981114444",
                       MessageSid="MM0000" + "62738495a6b7c8d9e0f1a2b3c4d5e6f7"[4:],
                       MediaUrl0=API_HOST + gone_path).status_code == 200
    for _ in range(2):
        assert conversation_of(api, account, "+5582981114444")["messages"][0]["contacts"] == []
    assert len(api.twilio.calls("GET", gone_path)) == 1


def test_one_attachment_per_whatsapp_reply(api, account):
    cid = conversation_of(api, account, WHATSAPP_CUSTOMER)["id"]
    api.twilio.on("POST", MESSAGES, message_created("SM" + "2b" * 16))
    pdf = {"url": "https://cdn.example.com/invoice.pdf", "content_type": "application/pdf"}
    out = api.call("POST", f"/conversations/{cid}/messages", {"body": "Your invoice", "media": [pdf]})
    assert out.status_code == 201, out.text
    sent = api.twilio.calls("POST", MESSAGES)[-1].form
    assert (sent["MediaUrl"], sent["Body"]) == (["https://cdn.example.com/invoice.pdf"], ["Your invoice"])
    assert "download_url" not in out.json()["media"][0]
    two = api.call("POST", f"/conversations/{cid}/messages", {"media": [pdf, pdf]})
    assert two.status_code == 422 and two.json()["error"]["field"] == "media"


def test_mms_replies_carry_up_to_ten_attachments_and_every_inbound_item_opens(api):
    sms = api.call("POST", "/admin/accounts", account_body())
    assert sms.status_code == 201, sms.text
    form = dict(fixture_form("twilio_mms_inbound_two_media.txt"), From="+12065550142")
    assert api.webhook(f"/twilio/{sms.json()['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [listed] = [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == "+12065550142"]
    [message] = api.call("GET", f"/conversations/{listed['id']}").json()["messages"]
    assert [m["download_url"].rsplit("/", 1)[1] for m in message["media"]] == ["0", "1"]
    second = message["media"][1]["url"][len(API_HOST):]
    api.twilio.on("GET", second, (200, b"\x89PNG", {"Content-Type": "image/png"}))
    download = requests.get(message["media"][1]["download_url"], headers=api.auth(), timeout=30)
    assert download.status_code == 200 and download.content == b"\x89PNG"

    api.twilio.on("POST", MESSAGES, message_created("MM" + "3c" * 16))
    photos = [{"url": f"https://cdn.example.com/{i}.jpg", "content_type": "image/jpeg"} for i in range(11)]
    assert api.call("POST", f"/conversations/{listed['id']}/messages", {"media": photos}).status_code == 422
    out = api.call("POST", f"/conversations/{listed['id']}/messages", {"body": "Photos", "media": photos[:3]})
    assert out.status_code == 201, out.text
    sent = api.twilio.calls("POST", MESSAGES)[-1].form
    assert sent["MediaUrl"] == [p["url"] for p in photos[:3]] and sent["To"] == ["+12065550142"]

