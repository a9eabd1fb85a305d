"""Cost estimates from a rate table (core/pricing.py), the admin's table as entered
(conversations/admin/rates.py) and what facts and reports make of the estimates."""

from decimal import Decimal

import pytest

from conversations.admin.rates import parse_rates
from conversations.reports.figures import figures
from core.errors import ValidationFailed
from core.facts import Facts
from core.pricing import SERVICE, Cost, Rate, RateTable, estimate
from core.reports import CATEGORY, Entry, keys_of

TABLE = RateTable("USD", (
    Rate("1", "marketing", Decimal("0.025")), Rate("*", "marketing", Decimal("0.05")),
    Rate("*", "utility", Decimal("0.004")), Rate("44", "authentication", Decimal("0.03")),
))


def test_a_template_is_priced_by_the_customers_calling_code_first():
    assert estimate(TABLE, "1", "marketing", template=True) == Cost("marketing", Decimal("0.025"), "USD")


def test_a_calling_code_without_its_own_row_takes_the_default_row():
    assert estimate(TABLE, "33", "marketing", template=True) == Cost("marketing", Decimal("0.05"), "USD")
    assert estimate(TABLE, None, "utility", template=True) == Cost("utility", Decimal("0.004"), "USD")


def test_no_category_no_rate_or_no_table_is_unpriced():
    assert estimate(TABLE, "1", None, template=True) is None
    assert estimate(TABLE, "33", "authentication", template=True) is None  # only +44 priced, no default
    assert estimate(None, "1", "marketing", template=True) is None


def test_a_free_form_reply_costs_nothing_and_counts_only_when_service_is_priced():
    assert estimate(TABLE, "1", None, template=False) is None
    priced = RateTable("EUR", (*TABLE.rates, Rate("*", SERVICE, Decimal("0"))))
    assert estimate(priced, "1", None, template=False) == Cost(SERVICE, Decimal(0), "EUR")


def body(**change):
    rates = [{"calling_code": "*", "category": c, "price": "0.01"} for c in ("marketing", "utility", "authentication")]
    return {"currency": "USD", "rates": rates, **change}


def test_the_table_as_entered_keeps_prices_as_decimals():
    own = {"calling_code": "44", "category": "marketing", "price": "0.0705"}
    table = parse_rates(body(rates=[*body()["rates"], own]))
    assert table.price("44", "marketing") == Decimal("0.0705")
    assert table.to_dict()["rates"][-1] == {"calling_code": "44", "category": "marketing", "price": "0.0705"}


@pytest.mark.parametrize("change, field", [
    ({"currency": "usd"}, "currency"),
    ({"rates": [{"calling_code": "*", "category": "marketing", "price": 0.01}]}, "rates[0].price"),
    ({"rates": [{"calling_code": "+1", "category": "marketing", "price": "0.01"}]}, "rates[0].calling_code"),
    ({"rates": [{"calling_code": "1", "category": "promo", "price": "0.01"}]}, "rates[0].category"),
    ({"rates": [{"calling_code": "*", "category": "marketing", "price": "1e3"}]}, "rates[0].price"),
    ({"rates": [{"calling_code": "*", "category": "marketing", "price": "0.01"}]}, "rates"),  # no utility default
    ({"rates": [*body()["rates"], {"calling_code": "*", "category": "utility", "price": "0.02"}]},
     "rates[3].calling_code"),  # priced twice
])
def test_a_bad_table_is_refused_naming_the_field(change, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_rates(body(**change))
    assert refused.value.field == field


def test_facts_add_up_costs_per_category_and_reports_sum_them_by_category():
    facts = Facts()._costed("marketing", Decimal("0.025"))._costed("marketing", Decimal("0.025"))
    facts = facts._costed("utility", Decimal("0.004"))
    assert facts.costs == (("marketing", "0.050"), ("utility", "0.004"))
    assert facts.estimated_cost == "0.054"
    assert Facts.from_dict(facts.to_dict()) == facts
    e = Entry(9, None, (), "whatsapp", True, False, False, None, None, None, None, costs=facts.costs)
    bare = Entry(9, None, (), "whatsapp", True, False, False, None, None, None, None)
    assert keys_of(e, "2026-01-01", CATEGORY) == ("marketing", "utility")
    assert keys_of(bare, "2026-01-01", CATEGORY) == ("",)
    assert figures([e, bare])["estimated_cost"] == "0.054"
    assert figures([e], "utility")["estimated_cost"] == "0.004"
    assert Entry.from_list(e.to_list()) == e
