"""Addresses as providers send them: phone numbers in E.164, short codes, and the user ids
some channels use where they hide the number (WhatsApp BSUIDs)."""

from __future__ import annotations

import re

SHORT_CODE = re.compile(r"^[0-9]{3,8}\Z")
MAX_USER_ID = 64  # WhatsApp's business-scoped user ids are far shorter


def without_scheme(value: str) -> str:
    """An address without the provider's scheme before it ("whatsapp:+1425…", "tel:…")."""
    return value.split(":", 1)[1] if ":" in value else value


def normalise_address(value: str) -> str:
    """A number from a provider payload ("+1425...", "1425...", "whatsapp:+1425...") as
    E.164; short codes and other non-numbers pass through trimmed."""
    value = without_scheme(value.strip())
    digits = value[1:] if value.startswith("+") else value
    if digits.isdigit() and len(digits) > 8:
        return "+" + digits
    return value


def is_e164(address: str) -> bool:
    """Whether a provider address is a phone number in E.164 form (not a short code, a
    WhatsApp BSUID or anything else a provider may send)."""
    return address.startswith("+") and address[1:].isdecimal() and address[1:].isascii() and 7 <= len(address) <= 16


def possible_customer(address: str, *, user_ids: bool = False) -> bool:
    """Whether a provider's (normalised) address for a customer can be one: a phone number
    or short code, or where the channel hides numbers (``user_ids``) a short printable id."""
    if is_e164(address) or (SHORT_CODE.match(address) and address.isascii()):
        return True
    return (user_ids and 0 < len(address) <= MAX_USER_ID and address.isascii() and address.isprintable()
            and " " not in address)
