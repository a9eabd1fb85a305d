"""The provider adapters against stand-ins for the providers' APIs: what they send, how
they read refusals, and what ``validate`` makes of each answer. Twilio's contract is
checked with Prism serving Twilio's own OpenAPI description."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Iterator

import pytest
from telesign.rest import RestClient

from core.messages import OutboundMessage, Validation
from channels.telesign_api import TeleSignSender
from channels.twilio_api import TwilioSender
from core.errors import ProviderError, ProviderUnreachable
from core.records import Account, Number
from localhost.services import Prism, free_port
from tests.support import contracts
from tests.support import telesign as ts
from tests.support import twilio as tw
from tests.support.recorder import Recorder, serve

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
PROBE = "/v1/messaging/" + "0" * 32


def account(provider: str, credentials: dict[str, str]) -> Account:
    return Account(id="acc", name="n", channel="sms", provider=provider, credentials=credentials,
                   numbers=(Number(ts.BUSINESS_E164, "long_code"),), created_at=NOW, updated_at=NOW)


TELESIGN = account("telesign", {"customer_id": ts.CUSTOMER_ID, "api_key": ts.API_KEY})
TWILIO = account("twilio", {"account_sid": tw.ACCOUNT_SID, "auth_token": tw.AUTH_TOKEN})
HELLO = OutboundMessage(business=ts.BUSINESS_E164, customer=ts.CUSTOMER, body="Hello from Contoso",
                        status_callback="https://sb.example.com/api/telesign/acc/inbound")


@pytest.fixture(scope="module")
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    running = serve(recorder)
    yield recorder
    running.shutdown()


@pytest.fixture
def api(server: Recorder) -> Recorder:
    server.requests.clear()
    server.routes.clear()
    return server


@pytest.fixture(scope="module")
def prism() -> Iterator[Prism]:
    with Prism.start(contracts.TWILIO) as service:
        yield service


def test_telesign_send_is_a_signed_arn_message_from_the_business_number(api):
    api.on("POST", "/v1/messaging", ts.message_accepted("B56259E45884010488343BAA15FB0002"))
    result = TeleSignSender(api.base_url).send(TELESIGN, HELLO)
    assert (result.provider_message_id, result.status) == ("B56259E45884010488343BAA15FB0002", "queued")
    [sent] = api.calls("POST", "/v1/messaging")
    assert sent.form == {"phone_number": ["15017122661"], "message": ["Hello from Contoso"], "message_type": ["ARN"],
                         "sender_id": ["14252306549"], "external_id": ["+14252306549|+15017122661"]}
    expected = RestClient.generate_telesign_headers(
        ts.CUSTOMER_ID, ts.API_KEY, "POST", "/v1/messaging", sent.body.decode(),
        date_rfc2616=sent.headers["Date"], nonce=sent.headers["x-ts-nonce"])
    assert sent.headers["Authorization"] == expected["Authorization"]


def test_telesign_refusal_carries_its_error_code(api):
    api.on("POST", "/v1/messaging", ts.refused(400, 11000, "Invalid value for parameter phone_number."))
    with pytest.raises(ProviderError) as refused:
        TeleSignSender(api.base_url).send(TELESIGN, HELLO)
    assert (refused.value.status, refused.value.provider_code) == (502, "11000")
    assert refused.value.message == "Invalid value for parameter phone_number."


@pytest.mark.parametrize("answer,expected", [
    ((404, {"status": {"code": 500}, "errors": [{"code": -10001, "description": "CustomerID/ReferenceID not found"}]}),
     True),
    ((400, {"errors": [{"code": 11011, "description": "Invalid value for parameter reference_id"}]}), True),
    (ts.refused(401, -30006, "Invalid signature"), False),
    (ts.refused(401, -30000, "Invalid Customer ID"), False),
    ((200, {"errors": [{"code": 10022, "description": "Invalid API Key."}]}), False),
])
def test_telesign_validate_reads_auth_errors_as_invalid(api, answer, expected):
    api.on("GET", PROBE, answer)
    validation = TeleSignSender(api.base_url).validate(TELESIGN)
    assert validation.valid is expected
    assert len(api.calls("GET", PROBE)) == 1
    assert api.requests[0].headers["Authorization"].startswith(f"TSA {ts.CUSTOMER_ID}:")
    if not expected:
        assert str(answer[1]["errors"][0]["code"]) in validation.detail


def test_telesign_outage_is_not_invalid(api):
    api.on("GET", PROBE, (503, {"status": {"code": 10000}, "errors": [{"code": 10000, "description": "System Unavailable"}]}))
    with pytest.raises(ProviderError) as failed:
        TeleSignSender(api.base_url).validate(TELESIGN)
    assert failed.value.status == 502 and not isinstance(failed.value, ProviderUnreachable)
    unreachable = TeleSignSender(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(ProviderUnreachable):
        unreachable.validate(TELESIGN)
    with pytest.raises(ProviderUnreachable):
        unreachable.send(TELESIGN, HELLO)


def test_twilio_send_and_validate_meet_twilios_contract(prism):
    sender = TwilioSender(prism.base_url)
    assert sender.send(TWILIO, HELLO).status == "queued"
    validation = sender.validate(TWILIO)
    assert validation == Validation(True, validation.detail) and "active" in validation.detail


def test_twilio_validate_reads_401_as_invalid_and_an_outage_as_unreachable(api):
    api.on("GET", f"/2010-04-01/Accounts/{tw.ACCOUNT_SID}.json",
           (401, {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003",
                  "status": 401}))
    validation = TwilioSender(api.base_url).validate(TWILIO)
    assert not validation.valid and "20003" in validation.detail
    [fetched] = api.requests
    assert fetched.method == "GET" and fetched.headers["Authorization"].startswith("Basic ")
    with pytest.raises(ProviderUnreachable):
        TwilioSender(f"http://127.0.0.1:{free_port()}", timeout=2).validate(TWILIO)


def test_twilio_suspended_account_is_invalid(api):
    api.on("GET", f"/2010-04-01/Accounts/{tw.ACCOUNT_SID}.json",
           (200, {"sid": tw.ACCOUNT_SID, "status": "suspended", "friendly_name": "Contoso"}))
    validation = TwilioSender(api.base_url).validate(TWILIO)
    assert not validation.valid and "suspended" in validation.detail


def test_twilio_finds_a_try_in_doubt_among_the_messages_sent_since_it_began(api):
    def listed(sid: str, body: str, at: datetime, direction: str = "outbound-api", media: int = 0) -> dict:
        return {"sid": sid, "status": "sent", "body": body, "direction": direction, "num_media": str(media),
                "date_created": format_datetime(at), "to": tw.CUSTOMER, "from": tw.BUSINESS_E164}

    later = NOW + timedelta(seconds=5)
    api.on("GET", r"/2010-04-01/Accounts/[^/]+/Messages\.json", (200, {"messages": [
        listed("SMinbound", "Hello from Contoso", later, direction="inbound"),
        listed("SMother", "Something else", later),
        listed("SMmedia", "Hello from Contoso", later, media=1),
        listed("SMtrial", "Sent from your Twilio trial account - Hello from Contoso", later),
        listed("SMbefore", "Hello from Contoso", NOW - timedelta(minutes=5)),
    ], "page": 0, "page_size": 50, "next_page_uri": None}))
    found = TwilioSender(api.base_url).find_sent(TWILIO, replace(HELLO, business=tw.BUSINESS_E164,
                                                                 customer=tw.CUSTOMER), NOW)
    assert [(f.provider_message_id, f.status) for f in found] == [("SMtrial", "sent")]
    [asked] = api.calls("GET", r"/2010-04-01/Accounts/[^/]+/Messages\.json")
    assert (asked.query["To"], asked.query["From"]) == ([tw.CUSTOMER], [tw.BUSINESS_E164])
