"""Overflow rules and the waiting message as an admin gives them (core/overflow.py says
what they do), checked field by field against the workstream's queues; the buttons or list
a message offers are read as an automated message's are (core/interactive.py)."""

from __future__ import annotations

from typing import Any

from conversations.admin.validation import objects, reject_unknown
from core.errors import ValidationFailed
from core.interactive import read_setting
from core.overflow import (ACTIONS, CLOSE, CONDITIONS, MESSAGE, MOVE, THRESHOLDS, WAITING_OVER, OverflowRule,
                           WaitingMessage)

MAX_RULES, MAX_NAME, MAX_TEXT = 20, 100, 1600
MAX_WAITING, MAX_SECONDS, MIN_SECONDS = 1000, 86_400, 10
_FIELDS = ("name", "queue", "when", "threshold", "action", "to_queue", "text", "interactive")


def parse_overflow(value: Any, queues: tuple[str, ...]) -> tuple[OverflowRule, ...]:
    rules: list[OverflowRule] = []
    for prefix, item in objects(value, "overflow", _FIELDS, at_most=MAX_RULES, allow_empty=True):
        rule = _rule(item, prefix, queues)
        if any(r.name == rule.name for r in rules):
            raise ValidationFailed(prefix + "name", "names another rule: each rule needs its own name")
        rules.append(rule)
    return tuple(rules)


def _rule(item: dict[str, Any], prefix: str, queues: tuple[str, ...]) -> OverflowRule:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ValidationFailed(prefix + "name", f"must be a non-empty string of at most {MAX_NAME} characters")
    queue = item.get("queue")
    if queue is not None and queue not in queues:
        raise ValidationFailed(prefix + "queue", "must be one of the workstream's queues, or null for the "
                                                 "conversations no queue took")
    when = item.get("when")
    if when not in CONDITIONS:
        raise ValidationFailed(prefix + "when", f"must be one of {', '.join(CONDITIONS)}")
    action = item.get("action")
    if action not in ACTIONS:
        raise ValidationFailed(prefix + "action", f"must be one of {', '.join(ACTIONS)}")
    to_queue = item.get("to_queue")
    if action == MOVE and (to_queue not in queues or to_queue == queue):
        raise ValidationFailed(prefix + "to_queue", "must be another of the workstream's queues")
    text = item.get("text", "")
    if action in (MESSAGE, CLOSE) and (not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT):
        raise ValidationFailed(prefix + "text", f"must be a non-empty string of at most {MAX_TEXT} characters")
    if action == MOVE and "interactive" in item:
        raise ValidationFailed(prefix + "interactive", "is for a rule that messages or closes; a move sends nothing")
    return OverflowRule(name.strip(), queue, when, action, _threshold(item.get("threshold"), when, prefix),
                        to_queue if action == MOVE else None, text if action != MOVE else "",
                        read_setting(item, text, prefix))


def _threshold(value: Any, when: str, prefix: str) -> int | None:
    if when not in THRESHOLDS:
        if value is not None:
            raise ValidationFailed(prefix + "threshold", f"is only for {' and '.join(THRESHOLDS)}; leave it out")
        return None
    low, high, unit = (1, MAX_WAITING, "conversations") if when == WAITING_OVER else (MIN_SECONDS, MAX_SECONDS,
                                                                                       "seconds")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(prefix + "threshold", f"must be a whole number of {unit} from {low} to {high}")
    return value


def check_overflow(rules: tuple[OverflowRule, ...], queues: tuple[str, ...]) -> None:
    """Rules kept while the queues change must still name queues the workstream has (their
    buttons were read when they were set)."""
    parse_overflow([{k: v for k, v in r.to_dict().items() if k != "interactive"} for r in rules], queues)


def parse_waiting_message(value: Any) -> WaitingMessage | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationFailed("waiting_message", "must be an object {after_seconds, text, interactive}, or null")
    reject_unknown(value, ("after_seconds", "text", "interactive"), "waiting_message.")
    after = value.get("after_seconds")
    if isinstance(after, bool) or not isinstance(after, int) or not MIN_SECONDS <= after <= MAX_SECONDS:
        raise ValidationFailed("waiting_message.after_seconds",
                               f"must be a whole number of seconds from {MIN_SECONDS} to {MAX_SECONDS}")
    text = value.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise ValidationFailed("waiting_message.text", f"must be a non-empty string of at most {MAX_TEXT} characters")
    return WaitingMessage(after, text, read_setting(value, text, "waiting_message."))
