"""TeleSign-shaped test data: callbacks signed as TeleSign signs them, and API answers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

CUSTOMER_ID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
API_KEY = base64.b64encode(bytes(range(64))).decode()  # TeleSign keys are 64 random bytes, base64
BUSINESS = "14252306549"
BUSINESS_E164 = "+" + BUSINESS
CUSTOMER = "+15017122661"


def fixture_json(name: str, **user_response: Any) -> dict[str, Any]:
    payload = json.loads((FIXTURES / name).read_text())
    if user_response:
        payload["user_response"] = {**payload["user_response"], **user_response}
    return payload


def signed(payload: dict[str, Any], api_key: str = API_KEY, customer_id: str = CUSTOMER_ID) -> tuple[bytes, dict]:
    """The raw body and headers of a TeleSign callback: TSA <customer id>:<HMAC-SHA256 of the body>."""
    raw = json.dumps(payload).encode()
    digest = hmac.new(base64.b64decode(api_key), raw, hashlib.sha256).digest()
    return raw, {"Content-Type": "application/json",
                 "Authorization": f"TSA {customer_id}:{base64.b64encode(digest).decode()}"}


def message_accepted(reference_id: str) -> tuple[int, dict]:
    """What TeleSign answers to POST /v1/messaging."""
    return 200, {"reference_id": reference_id,
                 "status": {"code": 290, "description": "Message in progress",
                            "updated_on": "2026-11-23T09:05:30.010101Z"},
                 "additional_info": {"message_parts_count": 1}}


def refused(http_status: int, code: int, description: str) -> tuple[int, dict]:
    return http_status, {"status": {"code": 501 if http_status == 401 else 500, "description": "Not authorized",
                                    "updated_on": "2026-11-23T09:05:30.010101Z"},
                         "errors": [{"code": code, "description": description}]}


def account_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Contoso TeleSign",
        "channel": "sms",
        "provider": "telesign",
        "credentials": {"customer_id": CUSTOMER_ID, "api_key": API_KEY},
        "numbers": [{"number": BUSINESS, "type": "long_code", "description": "Support line"}],
    }
    body.update(overrides)
    return body
