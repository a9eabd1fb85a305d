"""Phone numbers as admins enter them and as providers send them."""

from __future__ import annotations

import re

import phonenumbers

from conversations.errors import ValidationFailed
from conversations.models import Account

_DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")
_SHORT_CODE = re.compile(r"^[0-9]{3,8}$")


EXAMPLE = "+14252306549"


def parse_entered(value: object, field: str) -> str:
    """A number as a person types it, the country code and number in digits with or
    without a leading "+", as E.164 with "+"."""
    if not isinstance(value, str):
        raise ValidationFailed(field, f"must be a string: the country code and number, e.g. {EXAMPLE}")
    digits = value[1:] if value.startswith("+") else value
    if not _DIGITS.match(digits):
        raise ValidationFailed(field, "must be the country code and number in digits, with or without a leading +, "
                                      f"no spaces or other characters, e.g. {EXAMPLE}")
    return _valid_e164("+" + digits, field)


def parse_short_code(value: object, field: str) -> str:
    if not isinstance(value, str) or not _SHORT_CODE.match(value):
        raise ValidationFailed(field, "a short code must be 3 to 8 digits, e.g. 87654")
    return value


def business_address(account: Account, value: object, field: str) -> str:
    """One of ``account``'s business addresses as a person typed it: a number (with or
    without "+"), a short code, or a channel registration id (in any case)."""
    what = "channel_id values" if account.channels else "numbers"
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(field, f"is required: one of the account's {what}")
    value = value.strip()
    if account.channels:
        candidate = value.lower()
    elif _SHORT_CODE.match(value):
        candidate = value
    else:
        candidate = "+" + value.removeprefix("+")
    if not account.owns(candidate):
        raise ValidationFailed(field, f"must be one of the account's {what}")
    return candidate


def normalise_address(value: str) -> str:
    """A number from a provider payload ("+1425...", "1425...", "whatsapp:+1425...") as
    E.164; short codes and other non-numbers pass through trimmed."""
    value = value.strip()
    if ":" in value:
        value = value.split(":", 1)[1]
    digits = value[1:] if value.startswith("+") else value
    if digits.isdigit() and len(digits) > 8:
        return "+" + digits
    return value


def _valid_e164(candidate: str, field: str) -> str:
    try:
        parsed = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(field, f"is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed(field, "is not a valid phone number for its country code")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


MAX_USER_ID = 64  # WhatsApp's business-scoped user ids are far shorter


def possible_customer(address: str, *, user_ids: bool = False) -> bool:
    """Whether a provider's (normalised) address for a customer can be one: a phone number
    or short code, or where the channel hides numbers (``user_ids``) a short printable id."""
    if is_e164(address) or (_SHORT_CODE.match(address) and address.isascii()):
        return True
    return (user_ids and 0 < len(address) <= MAX_USER_ID and address.isascii() and address.isprintable()
            and " " not in address)


def country_of(address: str) -> str | None:
    """The ISO region of an E.164 number (``US``, ``GB``), or None when unknown."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(address, None))
    except phonenumbers.NumberParseException:
        return None


def is_e164(address: str) -> bool:
    """Whether a provider address is a phone number in E.164 form (not a short code, a
    WhatsApp BSUID or anything else a provider may send)."""
    return address.startswith("+") and address[1:].isdecimal() and address[1:].isascii() and 7 <= len(address) <= 16
