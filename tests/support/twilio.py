"""Twilio-shaped test data: signed webhooks and Messages API answers."""

from __future__ import annotations

import base64
from pathlib import Path
from email.utils import format_datetime
from urllib.parse import parse_qsl, urlencode

from twilio.request_validator import RequestValidator

from core.messages import InboundMessage
from tests.support.recorder import Recorded, Recorder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f" * 8 + "0123456789abcdef" + "1" * 8
BUSINESS = "14252306549"  # as an admin enters it
BUSINESS_E164 = "+" + BUSINESS
CUSTOMER = "+15017122661"
WHATSAPP_BUSINESS = "+14155238886"  # Twilio's WhatsApp sandbox number, entered with "+"
WHATSAPP_CUSTOMER = "+5582982136275"  # the customer of the twilio_whatsapp_* fixtures


def fixture_form(name: str, **overrides: str) -> dict[str, str]:
    form = dict(parse_qsl((FIXTURES / name).read_text().strip(), keep_blank_values=True))
    form.update(overrides)
    return form


API_HOST = "https://api.twilio.com"
MESSAGES_PATH = r"/2010-04-01/Accounts/[^/]+/Messages\.json"


def basic_auth(sid: str = ACCOUNT_SID, token: str = AUTH_TOKEN) -> str:
    return "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def encode(form: dict[str, str]) -> bytes:
    return urlencode(form).encode()


def message_created(sid: str, status: str = "queued") -> tuple[int, dict]:
    """What Twilio answers to POST .../Messages.json (trimmed to the fields we read)."""
    return 201, {"sid": sid, "status": status, "account_sid": ACCOUNT_SID, "body": "", "error_code": None}


def account_body(**overrides) -> dict:
    body = {
        "name": "Contoso SMS",
        "channel": "sms",
        "provider": "twilio",
        "credentials": {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
        "numbers": [{"number": BUSINESS, "type": "long_code", "description": "Support line"}],
    }
    body.update(overrides)
    return body


def whatsapp_account_body(**overrides) -> dict:
    return account_body(**{"name": "Contoso WhatsApp", "channel": "whatsapp",
                           "numbers": [{"number": WHATSAPP_BUSINESS, "type": "long_code", "description": "Sandbox"}],
                           **overrides})


def inbound(account_id: str, sid: str, body: str = "hello", customer: str = CUSTOMER) -> InboundMessage:
    """A Twilio SMS as the engine receives it, for tests that skip the webhook."""
    return InboundMessage(provider="twilio", account_id=account_id, provider_message_id=sid,
                          business=BUSINESS_E164, customer=customer, body=body)


def serve_sent_list(recorder: Recorder) -> None:
    """Answer Twilio's Messages list (GET .../Messages.json?To=&From=) with the messages the
    recorder's scripts accepted, newest first, as Twilio lists them: what a send in doubt
    is looked for in."""

    def listed(request: Recorded) -> tuple[int, dict]:
        to, from_ = (request.query.get(name, [None])[0] for name in ("To", "From"))
        accepted = [r for r in recorder.calls("POST", MESSAGES_PATH) if r.status in (200, 201)
                    and isinstance(r.answer, dict) and (to is None or r.form.get("To") == [to])
                    and (from_ is None or r.form.get("From") == [from_])]
        return 200, {"messages": [_listed(r) for r in reversed(accepted)], "page": 0, "page_size": 50,
                     "next_page_uri": None, "uri": request.path}

    recorder.on("GET", MESSAGES_PATH, listed)


def _listed(r: Recorded) -> dict:
    form = {k: v[0] for k, v in r.form.items()}
    return {"sid": r.answer["sid"], "status": r.answer.get("status", "queued"), "body": form.get("Body", ""),
            "to": form.get("To"), "from": form.get("From"), "direction": "outbound-api",
            "num_media": str(len(r.form.get("MediaUrl", []))), "date_created": format_datetime(r.at),
            "account_sid": ACCOUNT_SID}
