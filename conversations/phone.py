"""Phone numbers as admins enter them and as providers send them."""

from __future__ import annotations

import re

import phonenumbers

from conversations.errors import ValidationFailed

_DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")
_SHORT_CODE = re.compile(r"^[0-9]{3,8}$")


def parse_entered(value: object, field: str, *, leading_plus: bool = False) -> str:
    """An admin-entered number (country code + number, digits only) as E.164 with "+".

    ``leading_plus`` is for channels whose console form asks for "+<digits>" instead.
    """
    if not isinstance(value, str):
        raise ValidationFailed(field, "must be a string of digits")
    digits = value
    if leading_plus:
        if not value.startswith("+"):
            raise ValidationFailed(field, "must start with + and the country code, e.g. +14252306549")
        digits = value[1:]
    if not _DIGITS.match(digits):
        hint = "+ followed by " if leading_plus else ""
        raise ValidationFailed(field, f"must be {hint}the country code and number, digits only, no spaces or "
                                      "special characters, e.g. 14252306549")
    return _valid_e164("+" + digits, field)


def parse_short_code(value: object, field: str) -> str:
    if not isinstance(value, str) or not _SHORT_CODE.match(value):
        raise ValidationFailed(field, "a short code must be 3 to 8 digits")
    return value


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
