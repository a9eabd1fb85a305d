import pytest

from core.errors import ValidationFailed
from conversations.admin.workstream_settings import parse_settings
from core.settings import WorkstreamSettings

FULL = {
    "language": "en-GB",
    "operating_hours": {"time_zone": "Europe/London", "weekly": [{"day": "monday", "open": "09:00", "close": "17:00"}],
                        "closures": ["2026-12-25"]},
    "allow_automated_messages": True,
    "automated_messages": {"greeting": {"text": "Hi!"}, "out_of_hours": {"text": "We are closed."},
                           "closing": {"text": "Bye."}},
    "attachments": {"customers_can_send": True, "agents_can_send": False},
    "survey": {"enabled": True, "text": "Rate us: {{link}}", "url": "https://survey.example.com/s/1"},
    "queues": ["general", "billing"],
    "default_queue": "general",
    "routing_rules": [{"name": "Billing", "conditions": [{"field": "body", "operator": "contains", "value": "bill"}],
                       "queue": "billing"}],
    "distribution": {"mode": "push", "assignment": "round_robin", "keep_same_agent": True,
                     "offer_timeout_seconds": 45},
}


def test_defaults_match_the_reference_product():
    s = WorkstreamSettings()
    assert s.language == "en-US" and s.operating_hours is None and not s.allow_automated_messages
    assert not s.customers_can_send_attachments and not s.agents_can_send_attachments and not s.survey.enabled


def test_round_trip_through_the_stored_form():
    settings = parse_settings(FULL)
    assert parse_settings(settings.to_dict()) == settings
    assert settings.to_dict()["automated_messages"] == FULL["automated_messages"]
    assert settings.survey.message() == "Rate us: https://survey.example.com/s/1"
    assert settings.automated("greeting") == "Hi!"


def test_automated_messages_need_the_switch():
    assert parse_settings({**FULL, "allow_automated_messages": False}).automated("greeting") is None


def test_patch_replaces_only_what_it_names():
    settings = parse_settings({"language": "fr-FR"}, parse_settings(FULL))
    assert settings.language == "fr-FR" and settings.queues == ("general", "billing")


@pytest.mark.parametrize("patch,field", [
    ({"language": "english please"}, "language"),
    ({"allow_automated_messages": "yes"}, "allow_automated_messages"),
    ({"automated_messages": {"goodbye": {"text": "x"}}}, "automated_messages.goodbye"),
    ({"automated_messages": {"greeting": {"text": ""}}}, "automated_messages.greeting.text"),
    ({"attachments": {"customers_can_send": 1}}, "attachments.customers_can_send"),
    ({"survey": {"enabled": True, "text": "no link", "url": "https://x.example.com"}}, "survey.text"),
    ({"survey": {"enabled": True, "text": "{{link}}", "url": "ftp://x"}}, "survey.url"),
    ({"survey": {"enabled": False, "text": {"a": 1}}}, "survey.text"),
    ({"survey": {"enabled": False, "url": 5}}, "survey.url"),
    ({"default_queue": "nowhere"}, "default_queue"),
    ({"queues": ["general"]}, "routing_rules[0].queue"),
    ({"queues": ["a", "a"]}, "queues"),
    ({"queues": ["General", "general"]}, "queues"),
])
def test_wrong_settings_name_the_field(patch, field):
    with pytest.raises(ValidationFailed) as error:
        parse_settings(patch, parse_settings(FULL))
    assert error.value.field == field


def test_distribution_defaults_to_push_by_highest_capacity():
    d = WorkstreamSettings().distribution
    assert (d.mode, d.assignment, d.keep_same_agent, d.offer_timeout_seconds) == ("push", "highest_capacity", False, 60)


def test_distribution_fields_left_out_keep_their_values():
    current = parse_settings(FULL)
    changed = parse_settings({"distribution": {"mode": "pick"}}, current).distribution
    assert (changed.mode, changed.assignment, changed.keep_same_agent) == ("pick", "round_robin", True)


@pytest.mark.parametrize("value, field", [
    ({"mode": "broadcast"}, "distribution.mode"),
    ({"assignment": "random"}, "distribution.assignment"),
    ({"keep_same_agent": "yes"}, "distribution.keep_same_agent"),
    ({"offer_timeout_seconds": 5}, "distribution.offer_timeout_seconds"),
    ({"offer_timeout_seconds": True}, "distribution.offer_timeout_seconds"),
    ({"offer_timeout_seconds": 3601}, "distribution.offer_timeout_seconds"),
    ({"timeout": 30}, "distribution"),
    ("push", "distribution"),
])
def test_distribution_is_checked(value, field):
    with pytest.raises(ValidationFailed) as caught:
        parse_settings({"distribution": value})
    assert caught.value.field.startswith(field)


def test_retention_is_whole_days_or_null_and_survives_storage():
    assert parse_settings({}).retention_days is None
    kept = parse_settings({"retention_days": 90})
    assert kept.retention_days == 90 and WorkstreamSettings.from_dict(kept.to_dict()).retention_days == 90
    assert parse_settings({"retention_days": None}, kept).retention_days is None
    for bad in (0, 3651, 1.5, "30", True):
        with pytest.raises(ValidationFailed) as refused:
            parse_settings({"retention_days": bad})
        assert refused.value.field == "retention_days"


QUESTION = {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5", "window_minutes": 60,
            "thanks": "Thanks!"}


def test_a_survey_is_a_link_unless_it_asks_a_question():
    link = parse_settings(FULL).survey
    assert (link.mode, link.window_minutes, link.thanks, link.asks) == ("link", 1440, "Thank you for your answer.",
                                                                        False)
    question = parse_settings({"survey": QUESTION}).survey
    assert (question.mode, question.url, question.window_minutes, question.thanks) == ("question", "", 60, "Thanks!")
    assert question.asks and question.message() == "How did we do? Reply 1 to 5"
    assert not parse_settings({"survey": {**QUESTION, "enabled": False}}).survey.asks


def test_the_survey_thanks_is_sent_in_question_mode_only():
    assert parse_settings({"survey": QUESTION}).automated_text("survey_thanks") == "Thanks!"
    assert parse_settings(FULL).automated_text("survey_thanks") is None
    assert parse_settings(FULL).automated_text("survey") == "Rate us: https://survey.example.com/s/1"
    assert parse_settings({**FULL, "allow_automated_messages": False}).automated_text("survey") is not None


def test_a_survey_stored_before_modes_reads_as_a_link():
    stored = {"survey": {"enabled": True, "text": "Rate us: {{link}}", "url": "https://survey.example.com/s/1"}}
    survey = WorkstreamSettings.from_dict(stored).survey
    assert (survey.mode, survey.window_minutes, survey.thanks) == ("link", 1440, "Thank you for your answer.")
    question = parse_settings({"survey": QUESTION})
    assert WorkstreamSettings.from_dict(question.to_dict()) == question
    assert question.to_dict()["survey"] == {**QUESTION, "url": ""}


@pytest.mark.parametrize("survey, field", [
    ({**QUESTION, "mode": "poll"}, "survey.mode"),
    ({**QUESTION, "mode": None}, "survey.mode"),
    ({**QUESTION, "window_minutes": 0}, "survey.window_minutes"),
    ({**QUESTION, "window_minutes": 10081}, "survey.window_minutes"),
    ({**QUESTION, "window_minutes": 1.5}, "survey.window_minutes"),
    ({**QUESTION, "window_minutes": True}, "survey.window_minutes"),
    ({**QUESTION, "window_minutes": None}, "survey.window_minutes"),
    ({**QUESTION, "thanks": ""}, "survey.thanks"),
    ({**QUESTION, "thanks": "x" * 1601}, "survey.thanks"),
    ({**QUESTION, "enabled": False, "thanks": 5}, "survey.thanks"),
    ({**QUESTION, "text": ""}, "survey.text"),
    ({**QUESTION, "text": "Rate us: {{link}}"}, "survey.url"),
    ({**QUESTION, "url": "not a url"}, "survey.url"),
    ({**QUESTION, "answers": 5}, "survey.answers"),
])
def test_wrong_survey_settings_name_the_field(survey, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_settings({"survey": survey})
    assert refused.value.field == field


def test_the_answer_window_is_one_minute_to_a_week():
    for minutes in (1, 10080):
        assert parse_settings({"survey": {**QUESTION, "window_minutes": minutes}}).survey.window_minutes == minutes
