"""The rate table admins keep (core/pricing.py): what each WhatsApp message category costs
per country calling code, in the business's currency, with a default row ("*") for each
template category so that every template is priced."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from conversations.admin.validation import choice, objects, reject_unknown, require_object
from core.errors import ValidationFailed
from core.ports import Rates
from core.pricing import ANY_CODE, MAX_PRICE, MAX_RATES, PRICED, Rate, RateTable
from core.templates import CATEGORIES

_CURRENCY = re.compile(r"^[A-Z]{3}\Z")
_CALLING_CODE = re.compile(r"^[1-9][0-9]{0,2}\Z")
_PRICE = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,6})?\Z")


class RateAdmin:
    def __init__(self, rates: Rates) -> None:
        self._rates = rates

    def get(self) -> RateTable | None:
        return self._rates.read()

    def put(self, body: Any) -> RateTable:
        table = parse_rates(body)
        self._rates.write(table)
        return table


def parse_rates(body: Any) -> RateTable:
    body = require_object(body)
    reject_unknown(body, ("currency", "rates"))
    currency = body.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ValidationFailed("currency", "must be an ISO 4217 currency code in capitals, such as USD or EUR")
    rates: list[Rate] = []
    for prefix, item in objects(body.get("rates"), "rates", ("calling_code", "category", "price"), at_most=MAX_RATES):
        rate = Rate(_calling_code(item, prefix), choice(item, "category", PRICED, prefix), _price(item, prefix))
        if any((r.calling_code, r.category) == (rate.calling_code, rate.category) for r in rates):
            raise ValidationFailed(prefix + "calling_code", f"is priced twice for {rate.category}")
        rates.append(rate)
    missing = [c for c in CATEGORIES if not any(r.category == c and r.calling_code == ANY_CODE for r in rates)]
    if missing:
        raise ValidationFailed("rates", f"must hold a default row (calling_code \"{ANY_CODE}\") for {missing[0]}")
    return RateTable(currency, tuple(rates))


def _calling_code(item: dict[str, Any], prefix: str) -> str:
    value = item.get("calling_code")
    if not isinstance(value, str) or not (value == ANY_CODE or _CALLING_CODE.match(value)):
        raise ValidationFailed(prefix + "calling_code", f"must be a country calling code such as 1 or 44, "
                                                        f"or \"{ANY_CODE}\" for every other")
    return value


def _price(item: dict[str, Any], prefix: str) -> Decimal:
    """A decimal string, never a JSON number: money is not a float."""
    value = item.get("price")
    if not isinstance(value, str) or not _PRICE.match(value) or Decimal(value) > MAX_PRICE:
        raise ValidationFailed(prefix + "price", f"must be a decimal string such as \"0.025\", from 0 to {MAX_PRICE}, "
                                                 "with at most 6 decimals")
    return Decimal(value)
