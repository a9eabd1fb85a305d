import pytest

from core.errors import ValidationFailed
from conversations.admin.routing import parse_rules
from core.routing import route

QUEUES = ("billing", "vip", "uk", "general")
RULES = parse_rules([
    {"name": "VIP", "conditions": [{"field": "contact.tier", "operator": "equals", "value": "gold"}], "queue": "vip",
     "skills": [{"name": "Spanish", "min_proficiency": 6}, {"name": "Refunds"}]},
    {"name": "Billing", "conditions": [{"field": "body", "operator": "contains", "value": "invoice"}],
     "queue": "billing"},
    {"name": "UK", "conditions": [{"field": "country", "operator": "equals", "value": "GB"},
                                  {"field": "customer", "operator": "starts_with", "value": "+44"}], "queue": "uk"},
    {"name": "Known", "conditions": [{"field": "contact.name", "operator": "exists"}], "queue": "general"},
], QUEUES)


@pytest.mark.parametrize("facts,queue", [
    ({"body": "My INVOICE is wrong", "contact.tier": "gold"}, "vip"),  # first match wins
    ({"body": "my invoice"}, "billing"),
    ({"body": "hi", "country": "GB", "customer": "+442071838750"}, "uk"),
    ({"body": "hi", "country": "GB", "customer": "+14252306549"}, None),
    ({"body": "hi", "contact.name": "Ada"}, "general"),
    ({"body": "hi", "contact.name": ""}, None),
])
def test_first_matching_rule_picks_the_queue(facts, queue):
    assert route(RULES, facts, None)[0] == queue


def test_default_queue_when_nothing_matches():
    assert route(RULES, {"body": "hello"}, "general") == ("general", ())


def test_a_rule_needs_its_skills_the_default_queue_none():
    needs = route(RULES, {"contact.tier": "gold"}, None)[1]
    assert [(n.name, n.min_proficiency) for n in needs] == [("Spanish", 6), ("Refunds", 1)]
    assert route(RULES, {"body": "my invoice"}, "general")[1] == ()


@pytest.mark.parametrize("rule,field", [
    ({"name": "x", "conditions": [{"field": "body", "operator": "equals", "value": "a"}], "queue": "nope"},
     "routing_rules[0].queue"),
    ({"name": "x", "conditions": [{"field": "mood", "operator": "equals", "value": "a"}], "queue": "vip"},
     "routing_rules[0].conditions[0].field"),
    ({"name": "x", "conditions": [{"field": "body", "operator": "regex", "value": "a"}], "queue": "vip"},
     "routing_rules[0].conditions[0].operator"),
    ({"name": "x", "conditions": [{"field": "body", "operator": "equals"}], "queue": "vip"},
     "routing_rules[0].conditions[0].value"),
    ({"name": "x", "conditions": [], "queue": "vip"}, "routing_rules[0].conditions"),
    ({"name": "x", "conditions": [{"field": "contact.a b", "operator": "exists"}], "queue": "vip"},
     "routing_rules[0].conditions[0].field"),  # no contact field can have that name: it would never match
])
def test_wrong_rules_name_the_field(rule, field):
    with pytest.raises(ValidationFailed) as error:
        parse_rules([rule], QUEUES)
    assert error.value.field == field
