"""Reply buttons and lists on the survey question, the waiting message and overflow messages
as an admin sets them: read within WhatsApp's limits, each refusal named under its setting,
and kept through the stored form."""

from __future__ import annotations

import pytest

from conversations.admin.workstream_settings import parse_settings
from core.errors import ValidationFailed
from core.overflow import OverflowRule, WaitingMessage
from core.settings import SURVEY, WAITING, Survey, WorkstreamSettings

QUEUES = {"queues": ["general", "billing"]}
SCORES = {"buttons": [{"id": "5", "title": "Great"}, {"id": "3", "title": "Fine"}, {"id": "1", "title": "Poor"}]}
LIST = {"button": "Pick a time", "sections": [{"title": "Today", "rows": [{"id": "cb", "title": "Call me back"}]}]}
QUESTION = {"enabled": True, "mode": "question", "text": "How did we do?", "interactive": SCORES}
WAITING_MESSAGE = {"after_seconds": 60, "text": "You are number {{position}}.", "interactive": LIST}


def rule(action: str = "message", **fields) -> dict:
    return {"name": "Slow", "queue": "general", "when": "wait_over", "threshold": 60, "action": action,
            "text": "Sorry for the wait.", **fields}


def refusal(body: dict) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_settings({**QUEUES, **body})
    assert caught.value.status == 422
    return caught.value.field


def test_each_may_offer_buttons_or_a_list_kept_through_the_stored_form():
    settings = parse_settings({**QUEUES, "survey": QUESTION, "waiting_message": WAITING_MESSAGE,
                               "overflow": [rule("close", interactive=SCORES), rule(name="Plain")]})
    assert [b.id for b in settings.survey.interactive.buttons] == ["5", "3", "1"]
    assert settings.waiting_message.interactive.sections[0].rows[0].title == "Call me back"
    assert [r.interactive is not None for r in settings.overflow] == [True, False]
    assert WorkstreamSettings.from_dict(settings.to_dict()) == settings
    assert settings.offered(SURVEY) == settings.survey.interactive and settings.offered(WAITING) is None
    assert "interactive" not in settings.overflow[1].to_dict()
    assert OverflowRule.from_dict(settings.overflow[0].to_dict()) == settings.overflow[0]
    assert WaitingMessage.from_dict(settings.waiting_message.to_dict()) == settings.waiting_message
    assert Survey.from_dict(settings.survey.to_dict()) == settings.survey


def test_settings_stored_before_stay_without():
    stored = {"survey": {"enabled": True, "mode": "question", "text": "How did we do?"},
              "waiting_message": {"after_seconds": 60, "text": "Still there"}}
    settings = WorkstreamSettings.from_dict(stored)
    assert settings.survey.interactive is None and settings.waiting_message.interactive is None


@pytest.mark.parametrize(("body", "field"), [
    ({"survey": {**QUESTION, "interactive": {"buttons": [{"id": str(i), "title": str(i)} for i in range(1, 6)]}}},
     "survey.interactive.buttons[3]"),
    ({"survey": {"enabled": True, "text": "Rate us: {{link}}", "url": "https://s.example.com", "interactive": SCORES}},
     "survey.interactive"),
    ({"survey": {**QUESTION, "text": "q" * 1025}}, "survey.text"),
    ({"waiting_message": {**WAITING_MESSAGE, "interactive": {"buttons": [{"id": "a", "title": "t" * 21}]}}},
     "waiting_message.interactive.buttons[0].title"),
    ({"waiting_message": {**WAITING_MESSAGE, "interactive": {"sections": LIST["sections"]}}},
     "waiting_message.interactive.button"),
    ({"overflow": [rule(name="A"), rule(interactive={"buttons": []})]}, "overflow[1].interactive.buttons"),
    ({"overflow": [rule("move", to_queue="billing", text="", interactive=SCORES)]}, "overflow[0].interactive"),
])
def test_each_refusal_names_its_field(body, field):
    assert refusal(body) == field


def test_rules_with_buttons_are_kept_while_the_queues_change():
    settings = parse_settings({**QUEUES, "overflow": [rule(interactive=SCORES)]})
    changed = parse_settings({"queues": ["general"]}, settings)
    assert changed.overflow == settings.overflow
