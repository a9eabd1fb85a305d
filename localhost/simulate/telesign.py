"""TeleSign's callbacks: an inbound SMS (MO) and a delivery report, to the one callback URL.

JSON as TeleSign documents it (tests/fixtures/telesign_*.json), signed as TeleSign signs:
`Authorization: TSA <customer_id>:<base64 HMAC-SHA256 of the raw body>`, keyed with the
base64-decoded API key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from channels.telesign import thread_reference
from conversations.admin.numbers import country_of
from localhost.simulate.delivery import (
    DEFAULT_CUSTOMER, Delivery, Options, SimulationError, business_address, digits, plus, refuse_media, timestamp,
)
from localhost.simulate.target import Target

# Our status words as TeleSign's codes (docs/providers.md has the whole table); a code works too.
STATUSES = {"delivered": (200, "Delivered to handset"), "sent": (203, "Delivered to gateway"),
            "queued": (290, "Message in progress")}


def message(target: Target, options: Options) -> Delivery:
    """A customer's SMS to one of the account's numbers."""
    refuse_media(options, "TeleSign")
    reference_id = options.id or secrets.token_hex(16).upper()
    customer, now = plus(options.from_ or DEFAULT_CUSTOMER), timestamp()
    payload = {
        "reference_id": reference_id,
        "status": {"code": 1500, "description": "Delivered to customer", "updated_on": now},
        "submit_timestamp": now, "errors": {}, "sub_resource": "mo_sms",
        "user_response": {"sender_id": digits(plus(business_address(target.account, options.to))),
                          "iso_country_code": country_of(customer) or "", "action": "generic", "keyword": "",
                          "phone_number": digits(customer), "mo_message": options.body},
    }
    return _signed(target, "TeleSign SMS message", payload, reference_id)


def status(target: Target, options: Options) -> Delivery:
    """TeleSign's delivery report on a message the app sent (it names it by reference_id)."""
    if not options.message_id:
        raise SimulationError("a delivery report is about a message: give its TeleSign reference_id "
                              "with --message-id")
    if options.id:
        raise SimulationError("a delivery report has no id of its own: --message-id names the message")
    if options.error_code:
        raise SimulationError("a TeleSign report's status code is its reason: give the code as --status (e.g. 207)")
    code, description = _code(options.status)
    now = timestamp()
    business = plus(business_address(target.account, options.from_))
    payload = {
        "reference_id": options.message_id,
        "status": {"code": code, "description": description, "updated_on": now},
        "submit_timestamp": now,
        "additional_info": {"message_parts_count": 1, "message_parts_reference_ids": options.message_id},
        "external_id": thread_reference(business, plus(options.to or DEFAULT_CUSTOMER)),
    }
    return _signed(target, f"TeleSign delivery report ({code})", payload, options.message_id)


def _code(status: str) -> tuple[int, str]:
    if status.isdigit():
        return int(status), ""
    if status.lower() not in STATUSES:
        raise SimulationError(f"TeleSign --status is a status code or one of {', '.join(STATUSES)}")
    return STATUSES[status.lower()]


def _signed(target: Target, what: str, payload: dict[str, Any], reference_id: str) -> Delivery:
    raw = json.dumps(payload).encode()
    credentials = target.account.credentials
    digest = hmac.new(base64.b64decode(credentials["api_key"]), raw, hashlib.sha256).digest()
    headers = {"Content-Type": "application/json",
               "Authorization": f"TSA {credentials['customer_id']}:{base64.b64encode(digest).decode()}"}
    return Delivery(what, f"/api/telesign/{target.account.id}/inbound", raw, headers, {"reference_id": reference_id})
