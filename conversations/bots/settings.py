"""A workstream's ``bot`` as an admin gives it, checked field by field (422 naming the
field), and its Direct Line secret checked with one call to Direct Line (token generation)
whenever it is new."""

from __future__ import annotations

from typing import Any

from conversations.admin.validation import reject_unknown, text
from core.bots import NUMBER_SHOWN, BotContext, BotSettings
from core.errors import ValidationFailed
from core.ports import DirectLine

FIELDS = ("secret", "name", "greeting_event", "answer_timeout_seconds", "context", "handoff_keywords")
_CONTEXT = ("channel", "customer_number", "contact_fields", "language")
MIN_TIMEOUT, MAX_TIMEOUT = 10, 3600
MAX_KEYWORDS, MAX_FIELDS = 20, 50


def parse_bot(value: Any, current: BotSettings | None, directline: DirectLine) -> BotSettings | None:
    """The bot ``value`` describes (None: no bot); fields it leaves out keep ``current``'s."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationFailed("bot", "must be an object, or null for no bot")
    reject_unknown(value, FIELDS, "bot.")
    secret = text(value, "secret", required=current is None, max_length=1000, prefix="bot.")
    base = current or BotSettings(secret or "")
    settings = BotSettings(
        secret=secret or base.secret,
        name=text(value, "name", max_length=100, prefix="bot.") if "name" in value else base.name,
        greeting_event=(text(value, "greeting_event", required=False, max_length=100, prefix="bot.")
                        if "greeting_event" in value else base.greeting_event),
        answer_timeout_seconds=(_timeout(value["answer_timeout_seconds"]) if "answer_timeout_seconds" in value
                                else base.answer_timeout_seconds),
        context=_context(value["context"]) if "context" in value else base.context,
        handoff_keywords=(_keywords(value["handoff_keywords"]) if "handoff_keywords" in value
                          else base.handoff_keywords),
    )
    if current is None or settings.secret != current.secret:
        checked = directline.validate(settings.secret)
        if not checked.valid:
            raise ValidationFailed("bot.secret", checked.detail)
    return settings


def _timeout(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
        raise ValidationFailed("bot.answer_timeout_seconds",
                               f"must be a whole number from {MIN_TIMEOUT} to {MAX_TIMEOUT}")
    return value


def _context(value: Any) -> BotContext:
    if not isinstance(value, dict):
        raise ValidationFailed("bot.context", "must be an object")
    reject_unknown(value, _CONTEXT, "bot.context.")
    default = BotContext()
    for flag in ("channel", "language"):
        if not isinstance(value.get(flag, True), bool):
            raise ValidationFailed(f"bot.context.{flag}", "must be true or false")
    number = value.get("customer_number", default.customer_number)
    if number not in NUMBER_SHOWN:
        raise ValidationFailed("bot.context.customer_number", f"must be one of {', '.join(NUMBER_SHOWN)}")
    return BotContext(value.get("channel", True), number,
                      _names(value.get("contact_fields", []), "bot.context.contact_fields", MAX_FIELDS),
                      value.get("language", True))


def _keywords(value: Any) -> tuple[str, ...]:
    return tuple(k.lower() for k in _names(value, "bot.handoff_keywords", MAX_KEYWORDS))


def _names(value: Any, name: str, at_most: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() and len(v) <= 100 for v in value):
        raise ValidationFailed(name, "must be a list of non-empty strings of at most 100 characters")
    if len(value) > at_most:
        raise ValidationFailed(name, f"must hold at most {at_most} items")
    return tuple(v.strip() for v in value)
