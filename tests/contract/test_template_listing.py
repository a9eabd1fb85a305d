"""Listing an account's templates, checked against the providers' published contracts
(Prism): Twilio's Content API (GET /v1/ContentAndApprovals) and ACS Advanced Messaging
(GET /messages/channels/{channelId}/templates, 2024-08-30). Prism answers with each
contract's own example, which the adapters turn into the catalogue's records."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from channels.templates import ProviderTemplates
from core.records import Account, ChannelRegistration
from core.templates import APPROVED, REJECTED, UNKNOWN, TemplateParameter
from localhost.services import Prism
from tests.support import contracts
from tests.support.acs import CHANNEL_ID, connection_string
from tests.support.recorder import Recorded, Recorder, forward_to, serve
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN

TWILIO_EXAMPLE = json.loads(contracts.TWILIO_CONTENT.read_text())["paths"]["/v1/ContentAndApprovals"]["get"][
    "responses"]["200"]["content"]["application/json"]["examples"]["readResults"]["value"]
ACS_EXAMPLE = json.loads((contracts.CONTRACTS / "examples" / "Template_ListTemplates.json").read_text())[
    "responses"]["200"]["body"]


def checked(spec: Path, path: str, example: dict[str, Any]) -> Iterator[Recorder]:
    """A stand-in that has Prism check each request, then answers with ``example``."""
    with Prism.start(spec) as prism:
        check = forward_to(prism.base_url)

        def answer(request: Recorded):
            status, body, _headers = check(request)
            assert status == 200, body
            return 200, example

        recorder = Recorder()
        recorder.on("GET", path, answer)
        server = serve(recorder)
        try:
            yield recorder
        finally:
            server.shutdown()


@pytest.fixture(scope="module")
def twilio_content() -> Iterator[Recorder]:
    yield from checked(contracts.TWILIO_CONTENT, "/v1/ContentAndApprovals", TWILIO_EXAMPLE)


@pytest.fixture(scope="module")
def acs_messages() -> Iterator[Recorder]:
    yield from checked(contracts.acs_messages(), r"/messages/channels/[^/]+/templates", ACS_EXAMPLE)


def account(provider: str, credentials: dict[str, str], channels: tuple[ChannelRegistration, ...] = ()) -> Account:
    now = datetime.now(timezone.utc)
    return Account(id="a1", name="t", channel="whatsapp", provider=provider, credentials=credentials, numbers=(),
                   channels=channels, created_at=now, updated_at=now)


def test_twilio_content_and_approvals_is_a_valid_list_request(twilio_content):
    listed = ProviderTemplates(twilio_content.base_url).list_templates(
        account("twilio", {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}))
    by_id = {t.provider_id: t for t in listed}
    approved = by_id["HX5fcd48a417c1cb59da349ad6d5da4607"]
    assert (approved.name, approved.language, approved.status, approved.category) == ("Media Test", "en", APPROVED,
                                                                                       "utility")
    assert approved.parameters == (TemplateParameter("1"), TemplateParameter("2"))
    rejected = by_id["HX15c711fcc6d9ea5268d7ab77938a20ff"]
    assert rejected.status == REJECTED and rejected.reason.startswith("INVALID_FORMAT")
    assert [p.name for p in rejected.parameters] == ["1", "2", "3"]  # {{3}} is in the media URL
    assert by_id["HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"].status == UNKNOWN  # never submitted to WhatsApp
    [request] = twilio_content.requests
    assert request.headers["Authorization"].startswith("Basic ") and request.query == {"PageSize": ["500"]}


def test_acs_list_templates_is_a_valid_request(acs_messages):
    listed = ProviderTemplates(None).list_templates(account(
        "acs", {"connection_string": connection_string(acs_messages.base_url)},
        (ChannelRegistration("main", CHANNEL_ID),)))
    [template] = listed
    assert (template.name, template.language, template.status, template.category) == (
        "sample_shipping_confirmation", "en_US", APPROVED, None)
    assert template.body.startswith("Your package has been shipped")
    assert template.parameters == (TemplateParameter("1"),)
    assert [r.path for r in acs_messages.requests] == [f"/messages/channels/{CHANNEL_ID}/templates"]
