"""ACS over HTTP through the local host: an admin adds ACS accounts, Event Grid delivers
documented payloads (both schemas, batches, handshakes, Entra tokens), agents answer
through Prism mocks of the ACS APIs, and delivery reports come back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
import requests

from channels import acs
from channels.eventgrid import Event
from functions.settings import Settings
from functions.wiring import build
from tests.conftest import FakeClock
from tests.support.acs import (
    ACCESS_KEY, APP_ID, CHANNEL_ID, CUSTOMER, FIXTURES, SMS_BUSINESS, TENANT, Entra, events, sms_account,
    whatsapp_account,
)
from tests.support.recorder import recording

SEND = "/messages/notifications:send"
ENTRA_CHANNEL = "5b4f0d1e-0a47-4b8e-9d6c-1f2e3d4c5b6a"


@pytest.fixture(scope="module")
def entra(tmp_path_factory) -> Iterator[Entra]:
    with recording() as recorder:
        yield Entra(recorder, tmp_path_factory.mktemp("entra"))


@pytest.fixture(scope="module")
def extra_env(entra) -> dict[str, str]:
    return {"ENTRA_AUTHORITY_HOST": entra.authority, "AUTO_CLOSE_SCHEDULE": "0 0 0 1 1 *"}


def _create(api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.call("POST", "/admin/accounts", body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def whatsapp(api, acs_messages_api) -> dict[str, Any]:
    account = _create(api, whatsapp_account(acs_messages_api.base_url))
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "WhatsApp", "account_id": account["id"], "number": CHANNEL_ID,
        "templates": [{"name": "order_update", "language": "en_US", "text": "Hi {{1}}, order {{2}} has shipped."}],
        "attachments": {"customers_can_send": True, "agents_can_send": True},
    })
    assert workstream.status_code == 201, workstream.text
    return account


@pytest.fixture(scope="module")
def guarded(api, acs_messages_api) -> dict[str, Any]:
    body = whatsapp_account(acs_messages_api.base_url, eventgrid_app_id=APP_ID, eventgrid_tenant_id=TENANT)
    body["channels"] = [{"name": "Sales", "channel_id": ENTRA_CHANNEL}]
    return _create(api, body)


@pytest.fixture(scope="module")
def sms(api, acs_sms_api) -> dict[str, Any]:
    return _create(api, sms_account(acs_sms_api.base_url))


def deliver(api, account: dict, payload: Any, token: str | None = None, cloud: bool = False) -> requests.Response:
    headers = {"Content-Type": "application/cloudevents-batch+json" if cloud else "application/json",
               "aeg-event-type": "Notification"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return requests.post(f"{api.base}/acs/{account['id']}/events", data=data, headers=headers, timeout=30)


def conversations_of(api, account: dict, customer: str = CUSTOMER) -> list[dict]:
    listed = api.call("GET", "/conversations").json()["conversations"]
    return [c for c in listed if c["account_id"] == account["id"] and c["customer"] == customer]


def test_account_answer_masks_the_connection_string_and_gives_the_events_url(api, whatsapp, guarded):
    assert whatsapp["callback"] == {"events_url": f"{api.base}/acs/{whatsapp['id']}/events"}
    assert whatsapp["credentials"]["connection_string"] == "****" + ACCESS_KEY[-4:]
    assert whatsapp["channels"] == [{"name": "Support", "channel_id": CHANNEL_ID, "number": ""}]
    assert ACCESS_KEY not in api.call("GET", f"/admin/accounts/{whatsapp['id']}").text
    assert guarded["credentials"]["eventgrid_app_id"] == APP_ID
    half = whatsapp_account("http://127.0.0.1:1", eventgrid_app_id=APP_ID)
    half["channels"] = [{"name": "x", "channel_id": "6b4f0d1e-0a47-4b8e-9d6c-1f2e3d4c5b6a"}]
    refused = api.call("POST", "/admin/accounts", half)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "credentials.eventgrid_tenant_id"
    taken = api.call("POST", "/admin/accounts", whatsapp_account("http://127.0.0.1:1"))
    assert taken.status_code == 409


def test_both_validation_handshakes(api, whatsapp):
    answer = deliver(api, whatsapp, events("eventgrid_subscription_validation.json"))
    assert answer.status_code == 200
    assert answer.json() == {"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}
    options = requests.options(f"{api.base}/acs/{whatsapp['id']}/events", timeout=30,
                               headers={"WebHook-Request-Origin": "eventgrid.azure.net"})
    assert options.status_code == 200
    assert options.headers["WebHook-Allowed-Origin"] == "eventgrid.azure.net" and options.headers["Allow"] == "POST"


def test_whatsapp_message_to_answer_to_delivery_status(api, whatsapp, acs_messages_api):
    received = deliver(api, whatsapp, events("advanced_message_received_text.json", event_id="e2e-text-1"))
    assert received.status_code == 200 and received.json()["stored"] == 1
    [conversation] = conversations_of(api, whatsapp)
    assert (conversation["channel"], conversation["business"]) == ("whatsapp", CHANNEL_ID)
    last = datetime.fromisoformat(conversation["last_customer_message_at"])
    assert datetime.fromisoformat(conversation["reply_window_ends_at"]) == last + timedelta(hours=24)
    cid = conversation["id"]

    reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "Hello! How can we help?", "agent": "alice"})
    assert reply.status_code == 201, reply.text
    sent = acs_messages_api.calls("POST", SEND)[-1]
    assert sent.json() == {"channelRegistrationId": CHANNEL_ID, "to": [CUSTOMER], "kind": "text",
                           "content": "Hello! How can we help?"}
    provider_id = reply.json()["provider_message_id"]  # Prism's placeholder receipt id

    for value in ("Delivered", "sent"):
        status = events("advanced_message_delivery_status_sent.json", event_id=f"e2e-{value}",
                        message_id=provider_id, status=value, **{"from": CHANNEL_ID})
        assert deliver(api, whatsapp, status).json()["status"] == 1
    messages = api.call("GET", f"/conversations/{cid}").json()["messages"]
    assert [(m["direction"], m["status"]) for m in messages] == [("inbound", "received"), ("outbound", "delivered")]


def test_outside_the_window_the_agent_is_told_to_use_a_template(api, whatsapp, acs_messages_api):
    # The customer wrote 25 hours ago: ingest through the engine with a clock set back.
    services = build(Settings.from_env(api.env), clock=FakeClock(datetime.now(timezone.utc) - timedelta(hours=25)))
    account = services.stores.accounts.get(whatsapp["id"])
    event = Event.from_json(events("advanced_message_received_text.json", event_id="e2e-old",
                                   **{"from": "14255550123"})[0])
    cid = services.messaging.ingest.message(account, acs.AdvancedMessageReceived.from_event(event).to_inbound(account)).conversation_id
    view = api.call("GET", f"/conversations/{cid}").json()
    assert datetime.fromisoformat(view["reply_window_ends_at"]) < datetime.now(timezone.utc)

    before = len(acs_messages_api.calls("POST", SEND))
    late = api.call("POST", f"/conversations/{cid}/messages", {"body": "Sorry for the wait"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "outside_whatsapp_window" and "template" in late.json()["error"]["message"]
    wrong = api.call("POST", f"/conversations/{cid}/template", {"name": "order_update", "parameters": ["Ana"]})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "parameters"
    unknown = api.call("POST", f"/conversations/{cid}/template", {"name": "nope", "parameters": []})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "name"
    assert len(acs_messages_api.calls("POST", SEND)) == before

    sent = api.call("POST", f"/conversations/{cid}/template",
                    {"name": "order_update", "parameters": ["Ana", "A-17"], "agent": "alice"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["body"] == "Hi Ana, order A-17 has shipped."
    request = acs_messages_api.calls("POST", SEND)[-1]
    assert request.json()["kind"] == "template" and request.json()["to"] == ["+14255550123"]
    assert request.json()["template"]["values"][1] == {"name": "p2", "kind": "text", "text": "A-17"}


def test_attachments_out_and_inbound_media_for_agents(api, whatsapp, acs_messages_api):
    # Prism checks the download request but cannot serialise application/octet-stream answers
    # ("Cannot find serializer"), so the recorder in front of it answers this one route itself.
    acs_messages_api.on("GET", r"/messages/streams/[^/]+", (200, b"\xff\xd8jpeg", {"Content-Type": "image/jpeg"}))
    image = events("advanced_message_received_image.json", event_id="e2e-image", **{"from": "14255550124"})
    image[0]["data"]["media"]["id"] = "d19e68ec-bdd6-4a50-8dfb-cbb1642df6ab"
    assert deliver(api, whatsapp, image).json()["stored"] == 1
    [conversation] = conversations_of(api, whatsapp, "+14255550124")
    cid = conversation["id"]
    [message] = api.call("GET", f"/conversations/{cid}").json()["messages"]
    [media] = message["media"]
    assert media["content_type"] == "image/jpeg" and media["caption"] == "This is a media caption"
    assert "media_id" not in media and media["download_url"].endswith(f"/messages/{message['id']}/media/0")
    download = requests.get(media["download_url"], headers=api.auth(), timeout=30)
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("image/jpeg")
    assert download.content == b"\xff\xd8jpeg"
    assert acs_messages_api.calls("GET", "/messages/streams/d19e68ec-bdd6-4a50-8dfb-cbb1642df6ab")
    assert requests.get(media["download_url"], timeout=30).status_code == 401  # the agent API's key is needed

    out = api.call("POST", f"/conversations/{cid}/messages",
                   {"body": "Here is the invoice", "media": [
                       {"url": "https://cdn.example.com/Invoice%20March.pdf?sig=abc", "content_type": "application/pdf"}]})
    assert out.status_code == 201, out.text
    request = acs_messages_api.calls("POST", SEND)[-1].json()
    assert (request["kind"], request["mediaUri"], request["caption"], request["fileName"]) == (
        "document", "https://cdn.example.com/Invoice%20March.pdf?sig=abc", "Here is the invoice", "Invoice March.pdf")
    two = api.call("POST", f"/conversations/{cid}/messages", {"media": [
        {"url": "https://cdn.example.com/a.png", "content_type": "image/png"},
        {"url": "https://cdn.example.com/b.png", "content_type": "image/png"}]})
    assert two.status_code == 422 and two.json()["error"]["field"] == "media"


def test_a_mixed_batch_is_taken_once_even_when_redelivered(api, whatsapp):
    batch = (events("advanced_message_received_button.json", event_id="e2e-b1", **{"from": "14255550125"})
             + events("advanced_message_received_reaction.json", event_id="e2e-b2", **{"from": "14255550125"})
             + events("sms_received.json")
             + [{"id": "x1", "eventType": "Microsoft.Communication.CallStarted", "subject": "", "data": {}}])
    first = deliver(api, whatsapp, batch)
    assert first.status_code == 200
    assert first.json() == {"stored": 2, "duplicate": 0, "status": 0, "ignored": 2, "failed": 0}
    again = deliver(api, whatsapp, batch)
    assert again.json() == {"stored": 0, "duplicate": 2, "status": 0, "ignored": 2, "failed": 0}
    [conversation] = conversations_of(api, whatsapp, "+14255550125")
    bodies = [m["body"] for m in api.call("GET", f"/conversations/{conversation['id']}").json()["messages"]]
    assert bodies == ["Yes", "Reacted 👍 to a message Switchboard does not hold"]


def test_sms_in_cloudevents_schema_answered_through_acs_sms(api, sms, acs_sms_api):
    cloud = json.loads((FIXTURES / "cloudevents_sms_received.json").read_text())
    cloud["data"]["To"] = SMS_BUSINESS
    cloud["data"]["From"] = "14255550126"
    assert deliver(api, sms, [cloud], cloud=True).json()["stored"] == 1
    [conversation] = conversations_of(api, sms, "+14255550126")
    reply = api.call("POST", f"/conversations/{conversation['id']}/messages", {"body": "Thanks!"})
    assert reply.status_code == 201, reply.text
    body = acs_sms_api.calls("POST", "/sms")[-1].json()
    assert body["from"] == "+" + SMS_BUSINESS and body["smsRecipients"][0]["to"] == "+14255550126"
    assert body["smsSendOptions"] == {"enableDeliveryReport": True, "tag": reply.json()["id"]}
    report = events("sms_delivery_report.json", event_id="e2e-report", message_id=reply.json()["provider_message_id"],
                    to="+14255550126", **{"from": SMS_BUSINESS})
    assert deliver(api, sms, report).json()["status"] == 1
    assert api.call("GET", f"/conversations/{conversation['id']}").json()["messages"][-1]["status"] == "delivered"


@pytest.mark.parametrize("token", [
    None,
    lambda e: e.token(expires_in=-600),
    lambda e: e.token(audience="api://other"),
    lambda e: e.token(issuer="https://sts.windows.net/00000000-0000-0000-0000-000000000001/"),
    lambda e: e.token(app_id="11111111-2222-3333-4444-555555555555"),
    lambda e: Entra.unsigned(),
], ids=["missing", "expired", "wrong-audience", "wrong-issuer", "wrong-app-id", "unsigned"])
def test_entra_guarded_account_refuses_bad_tokens_and_stores_nothing(api, guarded, entra, token):
    payload = events("advanced_message_received_text.json", event_id="e2e-guarded", to=ENTRA_CHANNEL,
                     **{"from": "14255550127"})
    answer = deliver(api, guarded, payload, token(entra) if token else None)
    assert answer.status_code == 401 and "error" in answer.json()
    assert conversations_of(api, guarded, "+14255550127") == []


def test_entra_guarded_account_takes_a_valid_token(api, guarded, entra):
    handshake = deliver(api, guarded, events("eventgrid_subscription_validation.json"), entra.token())
    assert handshake.status_code == 200 and "validationResponse" in handshake.json()
    payload = events("advanced_message_received_text.json", event_id="e2e-guarded-ok", to=ENTRA_CHANNEL,
                     **{"from": "14255550128"})
    assert deliver(api, guarded, payload, entra.token(version=2, issuer=f"{entra.authority}/{TENANT}/v2.0")
                   ).json()["stored"] == 1
    assert len(conversations_of(api, guarded, "+14255550128")) == 1


def test_malformed_or_misdirected_deliveries(api, whatsapp, twilio_api):
    assert deliver(api, whatsapp, b"{not json").status_code == 400
    assert deliver(api, {"id": "nope"}, events("advanced_message_received_text.json")).status_code == 404


def test_an_item_that_is_no_event_holds_back_none_of_the_batch(api, whatsapp):
    good = events("advanced_message_received_text.json", event_id="e2e-among-bad", **{"from": "14255550135"})
    answer = deliver(api, whatsapp, ["not an event", None, 5, {"eventType": "no id"}] + good)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored": 1, "duplicate": 0, "status": 0, "ignored": 4, "failed": 0}
    assert len(conversations_of(api, whatsapp, "+14255550135")) == 1
    nothing = deliver(api, whatsapp, ["not an event", {"id": "x"}])
    assert nothing.status_code == 400 and nothing.json()["error"]["code"] == "bad_request"


def test_one_odd_event_holds_back_none_of_the_others(api, sms):
    def sms_in(n: int, sender: str, text: str) -> list[dict[str, Any]]:
        return events("sms_received.json", event_id=f"odd-{n}", message_id=f"Incoming_odd_{n}", message=text,
                      to=SMS_BUSINESS, **{"from": sender})

    answer = deliver(api, sms, sms_in(1, "14255550131", "x" * 40_000) + sms_in(2, "+1425/555", "hi")
                     + sms_in(3, "14255550132", "still here"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] + answer.json()["ignored"] + answer.json()["failed"] == 3
    [later] = conversations_of(api, sms, "+14255550132")
    assert [m["body"] for m in api.call("GET", f"/conversations/{later['id']}").json()["messages"]] == ["still here"]
    [cut] = conversations_of(api, sms, "+14255550131")
    assert len(api.call("GET", f"/conversations/{cut['id']}").json()["messages"][0]["body"]) == 16_000
