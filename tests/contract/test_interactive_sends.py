"""Reply buttons and lists as we send them, checked against the providers' published
contracts: ACS's interactive notification (Messages API 2024-11-15-preview, the first with
kind "interactive"; Prism on it, and its discriminated parts, which Prism does not follow,
checked against their own schemas), and Twilio's Content API (POST and GET /v1/Content, Prism
on twilio_content_v1.json) then the Messages API's ContentSid (twilio_api_v2010.json)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest
from jsonschema import Draft4Validator

from azure.communication.messages import NotificationMessagesClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from channels.acs_send import REACTIONS_API, AcsSender, interactive_content
from channels.twilio_api import TwilioSender
from channels.twilio_interactive import InteractiveContent, friendly_name, content_types
from core.content import INTERACTIVE, Content
from core.interactive import read
from core.messages import OutboundMessage
from core.records import Account
from tests.support import contracts
from tests.support.acs import ACCESS_KEY, CHANNEL_ID, CUSTOMER_DIGITS, connection_string
from tests.support.recorder import Recorder, recording
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, WHATSAPP_BUSINESS, CUSTOMER

SEND = r"/messages/notifications:send"
BUTTONS = read({"buttons": [{"id": "yes", "title": "Yes, tomorrow"}, {"id": "no", "title": "No"}]})
LIST = read({"button": "Pick a slot", "sections": [
    {"title": "Morning", "rows": [{"id": "m9", "title": "9:00", "description": "Front desk"}, {"id": "m11", "title": "11:00"}]},
    {"title": "Afternoon", "rows": [{"id": "a3", "title": "15:00"}]}]})


@pytest.fixture(scope="module")
def acs_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.acs_messages_reactions())


@pytest.fixture(scope="module")
def acs_sdk_version_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.acs_messages())


@pytest.fixture(scope="module")
def content_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.TWILIO_CONTENT)


@pytest.fixture(scope="module")
def messages_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.TWILIO)


def account(provider: str, credentials: dict[str, str]) -> Account:
    now = datetime.now(timezone.utc)
    return Account(id="a1", name="t", channel="whatsapp", provider=provider, credentials=credentials, numbers=(),
                   created_at=now, updated_at=now)


def offered(business: str, customer: str, body: str, interactive) -> OutboundMessage:
    return OutboundMessage(business=business, customer=customer, body=body, message_id="m1",
                           attempt_id="3f0c3f5e-6f0e-4d59-9a55-2c0a7c1c1a02", first_sent=datetime.now(timezone.utc),
                           content=Content(kind=INTERACTIVE, interactive=interactive))


def discriminated(body: dict[str, Any]) -> list[str]:
    """The errors of an interactive notification against the preview contract's schemas,
    each discriminated part (the binding, its actions) against the schema its kind names."""
    spec = json.loads((contracts.CONTRACTS / "acs_messages_2024-11-15-preview.json").read_text())
    named = {d.get("x-ms-discriminator-value"): name for name, d in spec["definitions"].items()}

    def errors(value: Any, name: str) -> list[str]:
        schema = {"$ref": f"#/definitions/{name}", "definitions": spec["definitions"]}
        return [e.message for e in Draft4Validator(schema).iter_errors(value)]

    bindings = body["interactiveMessage"]["actionBindings"]
    found = errors(body, named["interactive"]) + errors(bindings, named[bindings["actionBindingKind"]])
    return found + [e for action in bindings["actions"] for e in errors(action, named[action["kind"]])]


@pytest.mark.parametrize("interactive", [BUTTONS, LIST], ids=["buttons", "list"])
def test_acs_sends_an_interactive_notification_of_the_preview_contract(acs_api, interactive):
    acs = account("acs", {"connection_string": connection_string(acs_api.base_url)})
    result = AcsSender({"retry_total": 0}).send(acs, offered(CHANNEL_ID, CUSTOMER_DIGITS, "When suits you?", interactive))
    assert result.provider_message_id and result.status == "accepted"
    call = acs_api.calls("POST", SEND)[-1]
    assert call.query["api-version"] == [REACTIONS_API] and call.status == 202
    body = call.json()
    assert discriminated(body) == []
    assert body["kind"] == "interactive" and body["interactiveMessage"]["body"] == {"kind": "text",
                                                                                    "text": "When suits you?"}


def test_acs_buttons_and_list_are_shaped_as_published():
    buttons = interactive_content(offered(CHANNEL_ID, CUSTOMER_DIGITS, "Tomorrow?", BUTTONS), BUTTONS)
    assert buttons["interactiveMessage"]["actionBindings"] == {"actionBindingKind": "whatsAppButton", "actions": [
        {"kind": "button", "id": "yes", "title": "Yes, tomorrow"}, {"kind": "button", "id": "no", "title": "No"}]}
    listed = interactive_content(offered(CHANNEL_ID, CUSTOMER_DIGITS, "When?", LIST), LIST)
    assert listed["interactiveMessage"]["actionBindings"] == {"actionBindingKind": "whatsAppList", "actions": [
        {"kind": "list", "title": "Pick a slot", "actionSet": [
            {"title": "Morning", "items": [{"id": "m9", "title": "9:00", "description": "Front desk"},
                                           {"id": "m11", "title": "11:00", "description": ""}]},
            {"title": "Afternoon", "items": [{"id": "a3", "title": "15:00", "description": ""}]}]}]}


def test_the_version_the_sdk_speaks_has_no_interactive_kind(acs_sdk_version_api):
    client = NotificationMessagesClient(acs_sdk_version_api.base_url, AzureKeyCredential(ACCESS_KEY), retry_total=0)
    with pytest.raises(HttpResponseError) as refused:
        client.send(interactive_content(offered(CHANNEL_ID, CUSTOMER_DIGITS, "Tomorrow?", BUTTONS), BUTTONS))
    assert refused.value.status_code == 422


@pytest.mark.parametrize("interactive", [BUTTONS, LIST], ids=["buttons", "list"])
def test_twilio_content_is_created_once_as_the_contract_has_it(content_api, interactive):
    twilio = account("twilio", {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
    contents = InteractiveContent(content_api.base_url)
    before = len(content_api.requests)
    sid = contents.sid_for(twilio, "When suits you?", interactive)
    assert sid.startswith("HX")
    looked, created = content_api.requests[before:]
    assert (looked.method, looked.path, looked.status) == ("GET", "/v1/Content", 200)
    assert (created.method, created.path, created.status) == ("POST", "/v1/Content", 201)
    types = content_types("When suits you?", interactive)
    assert created.json() == {"friendly_name": friendly_name(types), "language": "en", "types": types}
    assert contents.sid_for(twilio, "When suits you?", interactive) == sid  # known: no call
    assert len(content_api.requests) == before + 2


def test_twilio_list_picker_items_are_the_rows_flat():
    types = content_types("When?", LIST)
    assert types == {"twilio/list-picker": {"body": "When?", "button": "Pick a slot", "items": [
        {"id": "m9", "item": "9:00", "description": "Front desk"}, {"id": "m11", "item": "11:00"},
        {"id": "a3", "item": "15:00"}]}}
    assert friendly_name(types) == friendly_name(content_types("When?", LIST))
    assert friendly_name(types) != friendly_name(content_types("When??", LIST))


def test_twilio_sends_the_content_by_its_sid(messages_api):
    twilio = account("twilio", {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
    given = read({"content_sid": "HX" + "c" * 32})
    result = TwilioSender(messages_api.base_url).send(twilio, offered(WHATSAPP_BUSINESS, CUSTOMER, "Pick one", given))
    assert result.provider_message_id.startswith("SM")
    [sent] = messages_api.calls("POST", r"/2010-04-01/Accounts/[^/]+/Messages.json")
    assert sent.status == 201 and sent.form["ContentSid"] == ["HX" + "c" * 32] and "Body" not in sent.form


def test_twilio_content_made_before_is_found_by_its_name_not_made_again():
    twilio = account("twilio", {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
    name = friendly_name(content_types("When suits you?", BUTTONS))
    made = {"sid": "HX" + "d" * 32, "friendly_name": name}
    with recording() as content:  # the first page holds other content and a next page, the second ours
        content.on("GET", "/v1/Content", lambda r: (200, {"contents": [made], "meta": {"next_page_url": None}})
                   if r.query.get("Page") else (200, {"contents": [{"sid": "HX" + "e" * 32, "friendly_name": "x"}],
                   "meta": {"next_page_url": "https://content.twilio.com/v1/Content?PageSize=1000&Page=1"}}))
        assert InteractiveContent(content.base_url).sid_for(twilio, "When suits you?", BUTTONS) == made["sid"]
        assert [r.method for r in content.requests] == ["GET", "GET"]  # no POST
