"""Numbers and business addresses as people type them (admins, agents, integrations)."""

from __future__ import annotations

import re

from core.addresses import SHORT_CODE
from core.errors import ValidationFailed
from core.records import Account

_DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")
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
    if not isinstance(value, str) or not SHORT_CODE.match(value):
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
    elif SHORT_CODE.match(value):
        candidate = value
    else:
        candidate = "+" + value.removeprefix("+")
    if not account.owns(candidate):
        raise ValidationFailed(field, f"must be one of the account's {what}")
    return candidate


def _valid_e164(candidate: str, field: str) -> str:
    import phonenumbers  # its metadata is large: loaded on first use, not when the app starts

    try:
        parsed = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(field, f"is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed(field, "is not a valid phone number for its country code")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def country_of(address: str) -> str | None:
    """The ISO region of an E.164 number (``US``, ``GB``), or None when unknown."""
    import phonenumbers

    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(address, None))
    except phonenumbers.NumberParseException:
        return None

