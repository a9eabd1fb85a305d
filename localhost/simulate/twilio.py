"""Twilio's webhooks: "A message comes in" (SMS or WhatsApp) and the status callback.

Form fields as Twilio documents them (tests/fixtures/twilio_*.txt are captured ones),
signed as Twilio signs: X-Twilio-Signature over the public URL the app will rebuild.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from localhost.simulate.delivery import (
    DEFAULT_CUSTOMER, Delivery, Options, SimulationError, business_address, digits, plus,
)
from localhost.simulate.target import Target

API_VERSION = "2010-04-01"
MAX_MEDIA = 10


def message(target: Target, options: Options) -> Delivery:
    """A customer's message to one of the account's numbers."""
    account = target.account
    if len(options.media_urls) > MAX_MEDIA:
        raise SimulationError(f"Twilio delivers at most {MAX_MEDIA} media items per message")
    sid = options.id or ("MM" if options.media_urls else "SM") + secrets.token_hex(16)
    customer, business = plus(options.from_ or DEFAULT_CUSTOMER), plus(business_address(account, options.to))
    form = {
        "AccountSid": account.credentials["account_sid"], "ApiVersion": API_VERSION,
        "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "SmsStatus": "received",
        "From": _address(account.channel, customer), "To": _address(account.channel, business),
        "Body": options.body, "NumMedia": str(len(options.media_urls)), "NumSegments": "1", "ReferralNumMedia": "0",
    }
    for index, url in enumerate(options.media_urls):
        form[f"MediaUrl{index}"] = url
        form[f"MediaContentType{index}"] = options.media_type
    if account.channel == "whatsapp":
        form["WaId"] = digits(customer)
    return _signed(target, "inbound", f"Twilio {_channel_name(account.channel)} message", form, {"MessageSid": sid})


def status(target: Target, options: Options) -> Delivery:
    """Twilio's report on a message the app sent: From the business, To the customer."""
    account = target.account
    if not options.message_id:
        raise SimulationError("a status callback is about a message: give its Twilio sid with --message-id")
    if options.id:
        raise SimulationError("a status callback has no id of its own: --message-id names the message")
    state, customer = options.status.lower(), plus(options.to or DEFAULT_CUSTOMER)
    form = {
        "AccountSid": account.credentials["account_sid"], "ApiVersion": API_VERSION,
        "MessageSid": options.message_id, "SmsSid": options.message_id, "MessageStatus": state, "SmsStatus": state,
        "From": _address(account.channel, plus(business_address(account, options.from_))),
        "To": _address(account.channel, customer),
    }
    if options.error_code:
        form["ErrorCode"] = options.error_code
    if account.channel == "whatsapp":
        form.update(ChannelPrefix="whatsapp", ChannelToAddress=customer)
    return _signed(target, "status", f"Twilio status callback ({state})", form, {"MessageSid": options.message_id})


def _signed(target: Target, hook: str, what: str, form: dict[str, str], ids: dict[str, str]) -> Delivery:
    path = f"/api/twilio/{target.account.id}/{hook}"
    signature = RequestValidator(target.account.credentials["auth_token"]).compute_signature(
        target.public_base_url + path, form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature,
               "User-Agent": "TwilioProxy/1.1"}
    return Delivery(what, path, urlencode(form).encode(), headers, ids)


def _address(channel: str, number: str) -> str:
    return f"whatsapp:{number}" if channel == "whatsapp" else number


def _channel_name(channel: str) -> str:
    return "WhatsApp" if channel == "whatsapp" else "SMS"
