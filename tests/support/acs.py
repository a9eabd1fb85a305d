"""ACS-shaped test data: documented Event Grid payloads with our ids, accounts, and Entra
tokens from the local development tenant, its metadata and key set served by a recorder."""

from __future__ import annotations

import base64
import copy
import json
import re
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable

import jwt

from localhost.entra import PATH_PREFIX, LocalTenant, authority
from tests.support.recorder import Recorded, Recorder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "acs"

CHANNEL_ID = "0f0eb78e-a576-1dfc-b414-0f0756de3338"
CUSTOMER_DIGITS = "14254360097"
CUSTOMER = "+" + CUSTOMER_DIGITS
SMS_BUSINESS = "14252306549"
ACCESS_KEY = base64.b64encode(b"0" * 32).decode()  # AzureKeyCredential signs with a base64 key
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP_ID = "b3f1d9a2-5c7e-4d8f-9a0b-1c2d3e4f5a6b"
EVENT_GRID_APP = "4962773b-9cdb-44cf-a8bf-237846a00ab7"

_PLACEHOLDERS = {"{sender@id}": CUSTOMER_DIGITS, "{receiver@id}": CUSTOMER_DIGITS, "{channel-id}": CHANNEL_ID}


def events(name: str, event_id: str | None = None, **data: Any) -> list[dict[str, Any]]:
    """A fixture as a list of events, placeholders filled, the first event's id and data
    fields overridden (``message_id`` sets ``messageId``). Its ``receivedTimestamp`` is now
    unless given: the documented samples' dates would put every message years back."""
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    for placeholder, value in _PLACEHOLDERS.items():
        raw = raw.replace(placeholder, value)
    loaded = json.loads(raw)
    found = copy.deepcopy(loaded if isinstance(loaded, list) else [loaded])
    if event_id is not None:
        found[0]["id"] = event_id
    if "receivedTimestamp" in found[0]["data"]:
        data.setdefault("receivedTimestamp", datetime.now(timezone.utc).isoformat())
    for key, value in data.items():
        found[0]["data"]["messageId" if key == "message_id" else key] = value
    return found


def connection_string(endpoint: str) -> str:
    return f"endpoint={endpoint}/;accesskey={ACCESS_KEY}"


def whatsapp_account(endpoint: str, **credentials: str) -> dict[str, Any]:
    return {
        "name": "Contoso WhatsApp", "channel": "whatsapp", "provider": "acs",
        "credentials": {"resource_name": "contoso-acs", "connection_string": connection_string(endpoint),
                        **credentials},
        "channels": [{"name": "Support", "channel_id": CHANNEL_ID}],
    }


def whatsapp_with_workstream(api, endpoint: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An ACS WhatsApp account on ``endpoint`` (a stand-in) and a workstream on its channel,
    created over HTTP through the local host's ``api``."""
    account = api.call("POST", "/admin/accounts", whatsapp_account(endpoint))
    assert account.status_code == 201, account.text
    workstream = api.call("POST", "/admin/workstreams", {"name": "WhatsApp", "account_id": account.json()["id"],
                                                         "number": CHANNEL_ID})
    assert workstream.status_code == 201, workstream.text
    return account.json(), workstream.json()


def sms_account(endpoint: str, number: str = SMS_BUSINESS) -> dict[str, Any]:
    return {
        "name": "Contoso SMS (ACS)", "channel": "sms", "provider": "acs",
        "credentials": {"resource_name": "contoso-acs", "connection_string": connection_string(endpoint)},
        "numbers": [{"number": number, "type": "toll_free"}],
    }


class Entra:
    """A stand-in tenant: the local Entra tenant of `localhost.entra`, served by a recorder,
    minting tokens with every claim a test may want wrong."""

    def __init__(self, recorder: Recorder, folder: Path) -> None:
        self.tenant = LocalTenant(folder / "entra.pem")
        self.stranger = LocalTenant(folder / "stranger.pem")  # a key the tenant's key set does not list
        self.authority = authority(recorder.base_url)
        recorder.on("GET", re.escape(PATH_PREFIX) + r"/.*",
                    lambda r: self.tenant.answer(r.path.removeprefix(PATH_PREFIX), recorder.base_url))

    def token(self, *, audience: str = APP_ID, issuer: str | None = None, app_id: str = EVENT_GRID_APP,
              expires_in: int = 3600, signer: LocalTenant | None = None, version: int = 1) -> str:
        claims = {"aud": audience, "iss": issuer or f"https://sts.windows.net/{TENANT}/", "tid": TENANT,
                  "sub": EVENT_GRID_APP, "appid" if version == 1 else "azp": app_id}
        return (signer or self.tenant).token(claims, lifetime=expires_in)

    @staticmethod
    def unsigned(audience: str = APP_ID) -> str:
        now = int(time.time())
        return jwt.encode({"aud": audience, "iss": f"https://sts.windows.net/{TENANT}/", "exp": now + 3600,
                           "appid": EVENT_GRID_APP}, None, algorithm="none")


class RepeatableAcs:
    """ACS's send APIs as they treat repeatable requests: a request with a
    Repeatability-Request-ID seen before (its first-sent time within 5 minutes) is
    answered the first one's result and executed once. ``sent`` lists what was executed."""

    WINDOW = 300

    def __init__(self, recorder: Recorder, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.now = now  # ACS's clock (a test's, when the app runs on one)
        self.sent: list[dict[str, Any]] = []
        self.request_ids: list[str] = []  # of each request executed, in the order of ``sent``
        self._answers: dict[str, tuple[int, dict[str, Any]]] = {}
        recorder.on("POST", "/messages/notifications:send", self._whatsapp)
        recorder.on("POST", "/sms", self._sms)

    def _whatsapp(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        return self._once(request.headers["Repeatability-Request-ID"], request.headers["Repeatability-First-Sent"],
                          request.json(), lambda n: (202, {"receipts": [{"messageId": f"wa-{n}", "to": CUSTOMER}]}))

    def _sms(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        body = request.json()
        [recipient] = body["smsRecipients"]

        def answer(n: int) -> tuple[int, dict[str, Any]]:
            return 202, {"value": [{"to": recipient["to"], "messageId": f"Outgoing_{n}", "httpStatusCode": 202,
                                    "repeatabilityResult": "accepted", "successful": True}]}

        return self._once(recipient["repeatabilityRequestId"], recipient["repeatabilityFirstSent"], body, answer)

    def _once(self, request_id: str, first_sent: str, body: dict[str, Any], answer: Any) -> tuple[int, dict[str, Any]]:
        age = (self.now() - parsedate_to_datetime(first_sent)).total_seconds()
        if age > self.WINDOW:
            return 412, {"error": {"code": "PreconditionFailed", "message": "Repeatability-First-Sent is outside "
                                                                             "the 5 minute window"}}
        if request_id not in self._answers:
            self.sent.append(body)
            self.request_ids.append(request_id)
            self._answers[request_id] = answer(len(self.sent))
        return self._answers[request_id]
