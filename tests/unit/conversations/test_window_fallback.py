"""The closed-window fallback's decision: which template replaces a refused automated
message, and its parameters as sent; and the setting as an admin gives it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from conversations.admin.window_fallbacks import parse_fallbacks
from conversations.messaging import policies, window_fallback
from core.errors import Conflict, ValidationFailed
from core.records import Conversation
from core.settings import Survey, WindowFallback, WorkstreamSettings

LAST = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
CLOSING = WindowFallback("chat_closed", "en", ["{{customer_name}}", "see {{ link }}"])
SETTINGS = WorkstreamSettings(window_fallbacks={"closing": CLOSING},
                              survey=Survey(True, "{{link}}", "https://survey.example.com/1"))


def conversation(**changes) -> Conversation:
    c = Conversation("c" * 44, "closed", "whatsapp", "acs", "a", None, "+14254360097", "chan", None, LAST, LAST,
                     LAST, 480)
    return replace(c, **changes)


def window_refusal() -> Conflict:
    with pytest.raises(Conflict) as refused:
        policies.check_free_form_reply(conversation(), LAST + timedelta(hours=25))
    return refused.value


def test_the_fallback_replaces_only_what_the_closed_window_refused():
    assert window_fallback.chosen(SETTINGS, "closing", window_refusal()) is CLOSING
    assert window_fallback.chosen(SETTINGS, "survey", window_refusal()) is None  # none named for it
    assert window_fallback.chosen(SETTINGS, "closing", None) is None  # nothing refused it
    opted_out = Conflict("the customer opted out", code="recipient_opted_out")
    assert window_fallback.chosen(SETTINGS, "closing", opted_out) is None
    assert window_fallback.chosen(None, "closing", window_refusal()) is None  # a number without a workstream


def test_placeholders_are_filled_when_sent():
    named = conversation(contact_name="Ada Lovelace", customer_name="ada")
    assert window_fallback.parameters(CLOSING, named, SETTINGS) == ["Ada Lovelace", "see https://survey.example.com/1"]
    assert window_fallback.parameters(CLOSING, conversation(customer_name="ada"), SETTINGS)[0] == "ada"
    assert window_fallback.parameters(CLOSING, conversation(), SETTINGS)[0] == window_fallback.UNNAMED
    by_name = WindowFallback("chat_closed", "en", {"name": "{{customer_name}}"})
    assert window_fallback.parameters(by_name, named, SETTINGS) == {"name": "Ada Lovelace"}


def test_the_setting_round_trips_through_storage_form():
    parsed = parse_fallbacks({"survey": {"name": "rate_us", "language": "en", "parameters": {"1": "{{link}}"}}})
    settings = WorkstreamSettings(window_fallbacks=parsed)
    assert WorkstreamSettings.from_dict(settings.to_dict()) == settings
    assert settings.to_dict()["window_fallbacks"] == {"survey": {"name": "rate_us", "language": "en",
                                                                 "parameters": {"1": "{{link}}"}}}


@pytest.mark.parametrize("value, field", [
    ([], "window_fallbacks"),
    ({"greeting": {"name": "x", "language": "en"}}, "window_fallbacks.greeting"),
    ({"closing": "chat_closed"}, "window_fallbacks.closing"),
    ({"closing": {"language": "en"}}, "window_fallbacks.closing.name"),
    ({"closing": {"name": "x", "language": "en", "extra": 1}}, "window_fallbacks.closing.extra"),
    ({"closing": {"name": "x", "language": "en", "parameters": "x"}}, "window_fallbacks.closing.parameters"),
])
def test_a_malformed_fallback_is_refused_naming_its_field(value, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_fallbacks(value)
    assert refused.value.field == field
