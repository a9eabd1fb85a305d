"""What a WhatsApp message is estimated to cost: the admin's rate table (a price per country
calling code and category, in the business's currency) and the estimate of one message.
Money is Decimal throughout, kept and shown as decimal strings, never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.templates import CATEGORIES

SERVICE = "service"  # a free-form message inside the 24-hour window: Meta charges nothing for it
PRICED = (*CATEGORIES, SERVICE)
ANY_CODE = "*"  # the row that prices a category for every calling code without its own
MAX_RATES = 500
MAX_PRICE = Decimal("1000")


@dataclass(frozen=True)
class Rate:
    calling_code: str  # "1", "44", ... or ANY_CODE
    category: str
    price: Decimal

    def to_dict(self) -> dict[str, str]:
        return {"calling_code": self.calling_code, "category": self.category, "price": str(self.price)}


@dataclass(frozen=True)
class RateTable:
    currency: str  # ISO 4217
    rates: tuple[Rate, ...] = ()

    def price(self, calling_code: str | None, category: str) -> Decimal | None:
        """The rate of the code's own row, else the category's ANY_CODE row; None: unpriced."""
        found = {r.calling_code: r.price for r in self.rates if r.category == category}
        return found.get(calling_code or ANY_CODE, found.get(ANY_CODE))

    def to_dict(self) -> dict[str, Any]:
        return {"currency": self.currency, "rates": [r.to_dict() for r in self.rates]}


@dataclass(frozen=True)
class Cost:
    """A message's estimated cost, as priced when it was sent."""

    category: str
    amount: Decimal
    currency: str

    def to_dict(self) -> dict[str, str]:
        return {"category": self.category, "amount": str(self.amount), "currency": self.currency}

    @classmethod
    def from_dict(cls, value: dict[str, str]) -> Cost:
        return cls(value["category"], Decimal(value["amount"]), value["currency"])


def estimate(table: RateTable | None, calling_code: str | None, category: str | None,
             template: bool) -> Cost | None:
    """A sent message's cost: a template's by its category's rate; a free-form message's
    (inside the window) is 0 under SERVICE when the table prices that category at all, so
    reports count it. None (unpriced) without a table, a category or a rate."""
    if table is None:
        return None
    if not template:
        return Cost(SERVICE, Decimal(0), table.currency) if table.price(calling_code, SERVICE) is not None else None
    price = table.price(calling_code, category) if category else None
    return Cost(category, price, table.currency) if category and price is not None else None


def total(amounts: Any) -> str:
    """Decimal strings added up, as a decimal string ("0" for none)."""
    return str(sum((Decimal(a) for a in amounts), Decimal(0)))
