"""Routing rules: the first rule whose conditions all hold picks a new conversation's queue.
Fields: ``body`` (the first message), ``customer`` (E.164), ``country`` (ISO region of the
customer's number) and ``contact.<field>`` (the linked contact's fields)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from core.skills import SkillNeed

OPERATORS = ("equals", "contains", "starts_with", "exists")


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
    """Sends a conversation to ``queue``, needing ``skills`` of whoever is offered it."""

    name: str
    conditions: tuple[Condition, ...]
    queue: str
    skills: tuple[SkillNeed, ...] = ()

    def matches(self, facts: Mapping[str, Any]) -> bool:
        return all(c.holds(facts) for c in self.conditions)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "conditions": [c.to_dict() for c in self.conditions], "queue": self.queue,
                "skills": [n.to_dict() for n in self.skills]}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> "Rule":
        """A rule as ``to_dict`` wrote it (stored, so already checked)."""
        return cls(value["name"], tuple(Condition(**c) for c in value["conditions"]), value["queue"],
                   tuple(SkillNeed.from_dict(n) for n in value.get("skills", ())))


def route(rules: tuple[Rule, ...], facts: Mapping[str, Any],
          default_queue: str | None) -> tuple[str | None, tuple[SkillNeed, ...]]:
    """The queue of the first rule that matches and the skills it needs, else the default
    queue, needing none."""
    rule = next((r for r in rules if r.matches(facts)), None)
    return (rule.queue, rule.skills) if rule else (default_queue, ())
