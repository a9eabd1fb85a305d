"""Numbers and business addresses as people type them (admins, agents, integrations)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.addresses import SHORT_CODE
from core.errors import ValidationFailed
from core.records import Account

# What people write between digits; "00" before a country code is the international prefix.
_SEPARATORS = re.compile(r"[\s().\-/]")
_WRITTEN = re.compile(r"^\+?[0-9]{3,17}\Z")
EXAMPLE = "+14252306549"


@dataclass(frozen=True)
class PhoneReader:
    """Numbers as the people the app serves type them. ``region`` is the PHONE_REGION app
    setting: the country whose national numbers they write without a country code ("(312)
    546-7890" in the US, "0151 1234 5678" in Germany). The wiring builds one and hands it to
    every service that reads a typed number: the region is in the open where it is used, and
    apps built side by side in one process (as tests build them) each keep their own."""

    region: str

    def __post_init__(self) -> None:
        import phonenumbers

        if self.region not in phonenumbers.SUPPORTED_REGIONS:  # refused as the services are built, not at a request
            raise ValueError(
                f"app setting PHONE_REGION must be an ISO 3166 country code such as US or DE, got {self.region!r}")

    def entered(self, value: object, field: str) -> str:
        """A number as a person writes it, as E.164 with "+": with "+" or "00" and the country
        code, or digits and the country code alone (as the API always took them), or a
        national number of the region; spaces, dashes, dots, slashes and brackets between the
        digits are dropped. A national reading that is a valid number wins over reading the
        digits as a country code and number."""
        if not isinstance(value, str):
            raise ValidationFailed(field, f"must be a string: a phone number, e.g. {EXAMPLE}")
        compact = _SEPARATORS.sub("", value)
        compact = "+" + compact[2:] if compact.startswith("00") else compact
        if not compact:
            raise ValidationFailed(field, f"is required: a phone number, e.g. {EXAMPLE}")
        if not _WRITTEN.match(compact):
            raise ValidationFailed(field, _refusal(self.region))
        readings = [(compact, None)] if compact.startswith("+") else [(compact, self.region), ("+" + compact, None)]
        for candidate, home in readings:
            found = _valid_e164(candidate, home)
            if found:
                return found
        raise ValidationFailed(field, _refusal(self.region))

    def business_address(self, account: Account, value: object, field: str) -> str:
        """One of ``account``'s business addresses as a person typed it: a number (in any form
        ``entered`` reads), a short code, or a channel registration id (in any case)."""
        what = "channel_id values" if account.channels else "numbers"
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(field, f"is required: one of the account's {what}")
        value = value.strip()
        if account.channels:
            candidate = value.lower()
        elif SHORT_CODE.match(value):
            candidate = value
        else:
            candidate = self._number_or_none(value, field) or value
        if not account.owns(candidate):
            raise ValidationFailed(field, f"must be one of the account's {what}")
        return candidate

    def _number_or_none(self, value: str, field: str) -> str | None:
        try:
            return self.entered(value, field)
        except ValidationFailed:
            return None


def parse_short_code(value: object, field: str) -> str:
    if not isinstance(value, str) or not SHORT_CODE.match(value):
        raise ValidationFailed(field, "a short code must be 3 to 8 digits, e.g. 87654")
    return value


def _valid_e164(candidate: str, region: str | None) -> str | None:
    import phonenumbers  # its metadata is large: loaded on first use, not when the app starts

    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _refusal(region: str) -> str:
    """What a person can write, with this region's own example of a national number."""
    import phonenumbers

    example = phonenumbers.example_number(region)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL) if example else None
    local = f", or as dialled within {region}, e.g. {national}" if national else ""
    return f"is not a valid phone number: write it with its country code, e.g. +1 425 230 6549{local}"


def calling_code_of(address: str) -> str | None:
    """The country calling code of an E.164 number ("1", "44"), or None when unknown."""
    import phonenumbers

    try:
        return str(phonenumbers.parse(address, None).country_code)
    except phonenumbers.NumberParseException:
        return None


def country_of(address: str) -> str | None:
    """The ISO region of an E.164 number (``US``, ``GB``), or None when unknown."""
    import phonenumbers

    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(address, None))
    except phonenumbers.NumberParseException:
        return None

