"""Routing rules as an admin gives them, checked field by field (core.routing holds
what they mean and how they route)."""

from __future__ import annotations

from typing import Any

from conversations.admin.contacts import FIELD_NAME
from conversations.admin.skills import parse_needs
from core.errors import ValidationFailed
from core.routing import OPERATORS, Condition, Rule

_FIELDS = ("body", "customer", "country")
# Bounds that keep a workstream's settings inside one table entity.
MAX_RULES, MAX_CONDITIONS, MAX_NAME, MAX_VALUE = 50, 10, 200, 200


def parse_rules(value: Any, queues: tuple[str, ...], field: str = "routing_rules") -> tuple[Rule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValidationFailed(field, "must be a list of {name, conditions, queue, skills}")
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
                item["queue"], parse_needs(item.get("skills", []), f"{field}.skills"))


def _condition(item: Any, field: str) -> Condition:
    if not isinstance(item, dict):
        raise ValidationFailed(field, "must be an object")
    name = item.get("field")
    if not isinstance(name, str) or not (
            name in _FIELDS or (name.startswith("contact.") and FIELD_NAME.fullmatch(name[8:]))):
        raise ValidationFailed(f"{field}.field", "must be body, customer, country or contact.<field>")
    operator = item.get("operator")
    if operator not in OPERATORS:
        raise ValidationFailed(f"{field}.operator", f"must be one of {', '.join(OPERATORS)}")
    value = item.get("value")
    if operator != "exists" and (not isinstance(value, str) or not value or len(value) > MAX_VALUE):
        raise ValidationFailed(f"{field}.value", f"must be a non-empty string of at most {MAX_VALUE} characters")
    return Condition(name, operator, value if operator != "exists" else None)
