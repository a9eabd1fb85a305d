"""Routing rules: the first rule whose conditions all hold picks a new conversation's queue.

Fields: ``body`` (the first message), ``customer`` (E.164), ``country`` (ISO region of the
customer's number) and ``contact.<field>`` (the linked contact's fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from conversations.errors import ValidationFailed

OPERATORS = ("equals", "contains", "starts_with", "exists")
_FIELDS = ("body", "customer", "country")
# Bounds that keep a workstream's settings inside one table entity.
MAX_RULES, MAX_CONDITIONS, MAX_NAME, MAX_FIELD, MAX_VALUE = 50, 10, 200, 100, 200


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str | None

    def holds(self, facts: Mapping[str, Any]) -> bool:
        actual = facts.get(self.field)
        if self.operator == "exists":
            return actual not in (None, "")
        if actual is None or self.value is None:
            return False
        actual, expected = str(actual).casefold(), self.value.casefold()
        if self.operator == "equals":
            return actual == expected
        if self.operator == "contains":
            return expected in actual
        return actual.startswith(expected)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "operator": self.operator, "value": self.value}


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: tuple[Condition, ...]
    queue: str

    def matches(self, facts: Mapping[str, Any]) -> bool:
        return all(c.holds(facts) for c in self.conditions)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "conditions": [c.to_dict() for c in self.conditions], "queue": self.queue}


def route(rules: tuple[Rule, ...], facts: Mapping[str, Any], default_queue: str | None) -> str | None:
    return next((r.queue for r in rules if r.matches(facts)), default_queue)


def parse_rules(value: Any, queues: tuple[str, ...], field: str = "routing_rules") -> tuple[Rule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValidationFailed(field, "must be a list of {name, conditions, queue}")
    if len(value) > MAX_RULES:
        raise ValidationFailed(field, f"must hold at most {MAX_RULES} rules")
    return tuple(_rule(item, queues, f"{field}[{i}]") for i, item in enumerate(value))


def _rule(item: Any, queues: tuple[str, ...], field: str) -> Rule:
    if not isinstance(item, dict):
        raise ValidationFailed(field, "must be an object")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ValidationFailed(f"{field}.name", f"must be a non-empty string of at most {MAX_NAME} characters")
    if item.get("queue") not in queues:
        raise ValidationFailed(f"{field}.queue", "must be one of the workstream's queues")
    conditions = item.get("conditions")
    if not isinstance(conditions, list) or not 0 < len(conditions) <= MAX_CONDITIONS:
        raise ValidationFailed(f"{field}.conditions", f"must be a list of 1 to {MAX_CONDITIONS} conditions")
    return Rule(name.strip(), tuple(_condition(c, f"{field}.conditions[{i}]") for i, c in enumerate(conditions)),
                item["queue"])


def _condition(item: Any, field: str) -> Condition:
    if not isinstance(item, dict):
        raise ValidationFailed(field, "must be an object")
    name = item.get("field")
    if not isinstance(name, str) or len(name) > MAX_FIELD or not (
            name in _FIELDS or (name.startswith("contact.") and len(name) > 8)):
        raise ValidationFailed(f"{field}.field", "must be body, customer, country or contact.<field>")
    operator = item.get("operator")
    if operator not in OPERATORS:
        raise ValidationFailed(f"{field}.operator", f"must be one of {', '.join(OPERATORS)}")
    value = item.get("value")
    if operator != "exists" and (not isinstance(value, str) or not value or len(value) > MAX_VALUE):
        raise ValidationFailed(f"{field}.value", f"must be a non-empty string of at most {MAX_VALUE} characters")
    return Condition(name, operator, value if operator != "exists" else None)
