"""Workstream settings as an admin gives them, checked field by field (422 naming the
field); the settings themselves are core.settings.WorkstreamSettings."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from conversations.admin.hours import parse_hours
from conversations.admin.overflow import check_overflow, parse_overflow, parse_waiting_message
from conversations.admin.quick_replies import parse_quick_replies
from conversations.admin.routing import parse_rules
from conversations.admin.service_levels import check_counted, parse_service_levels
from conversations.admin.window_fallbacks import parse_fallbacks
from core.content import Interactive
from core.errors import ValidationFailed
from core.interactive import read_setting
from core.settings import (ASSIGNMENTS, AUTOMATED, LINK, MAX_QUEUE_NAME, PICK, PUSH, QUESTION, SURVEY_MODES,
                           Distribution, Survey, WorkstreamSettings, WrapUp)

FIELDS = ("language", "operating_hours", "allow_automated_messages", "automated_messages", "attachments",
          "survey", "queues", "default_queue", "routing_rules", "distribution", "quick_replies",
          "retention_days", "service_levels", "overflow", "waiting_message", "wrap_up", "window_fallbacks")
MIN_OFFER_SECONDS, MAX_OFFER_SECONDS = 10, 3600
MAX_WIDEN_SECONDS = 86_400
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
MAX_TEXT = 1600
# Bounds that keep a whole workstream inside one table entity (1 MiB), whatever it holds.
MAX_QUEUES = 50
MAX_URL = 2048
MAX_RETENTION_DAYS = 3650
MAX_SURVEY_WINDOW = 10080  # a week, in minutes
MAX_DISPOSITIONS = 50


def parse_settings(body: Mapping[str, Any], current: WorkstreamSettings = WorkstreamSettings()) -> WorkstreamSettings:
    """``current`` with every setting that ``body`` names replaced (PATCH and POST alike)."""
    s = current
    if "language" in body:
        value = body["language"]
        if not isinstance(value, str) or not _LANGUAGE.match(value):
            raise ValidationFailed("language", "must be a BCP 47 language tag, e.g. en-US")
        s = replace(s, language=value)
    if "operating_hours" in body:
        s = replace(s, operating_hours=parse_hours(body["operating_hours"]))
    if "allow_automated_messages" in body:
        s = replace(s, allow_automated_messages=_flag(body["allow_automated_messages"], "allow_automated_messages"))
    if "automated_messages" in body:
        texts, offers = _automated(body["automated_messages"])
        s = replace(s, automated_messages=texts, automated_interactive=offers)
    if "attachments" in body:
        value = _object(body["attachments"], "attachments", ("customers_can_send", "agents_can_send"))
        s = replace(
            s,
            customers_can_send_attachments=_flag(value.get("customers_can_send", False), "attachments.customers_can_send"),
            agents_can_send_attachments=_flag(value.get("agents_can_send", False), "attachments.agents_can_send"),
        )
    if "survey" in body:
        s = replace(s, survey=_survey(body["survey"]))
    if "window_fallbacks" in body:
        s = replace(s, window_fallbacks=parse_fallbacks(body["window_fallbacks"]))
    if "quick_replies" in body:
        s = replace(s, quick_replies=parse_quick_replies(body["quick_replies"]))
    if "queues" in body:
        s = replace(s, queues=_queues(body["queues"]))
    if "default_queue" in body:
        s = replace(s, default_queue=body["default_queue"])
    if s.default_queue is not None and s.default_queue not in s.queues:
        raise ValidationFailed("default_queue", "must be one of the workstream's queues")
    if "distribution" in body:
        s = replace(s, distribution=_distribution(body["distribution"], s.distribution))
    if "retention_days" in body:
        s = replace(s, retention_days=_retention(body["retention_days"]))
    return _promises(body, s)


def _promises(body: Mapping[str, Any], s: WorkstreamSettings) -> WorkstreamSettings:
    """What the workstream promises and does for a waiting customer (service levels,
    routing rules, overflow, the waiting message) and asks of an agent closing (wrap-up),
    each checked against its queues and hours as they are now."""
    if "service_levels" in body:
        s = replace(s, service_levels=parse_service_levels(body["service_levels"], s.service_levels))
    if "service_levels" in body or "operating_hours" in body:
        check_counted(s.service_levels, s.operating_hours is not None)
    if "routing_rules" in body:
        s = replace(s, routing_rules=parse_rules(body["routing_rules"], s.queues))
    elif "queues" in body:
        parse_rules([r.to_dict() for r in s.routing_rules], s.queues)  # rules must still point at queues
    if "overflow" in body:
        s = replace(s, overflow=parse_overflow(body["overflow"], s.queues))
    elif "queues" in body:
        check_overflow(s.overflow, s.queues)
    if "waiting_message" in body:
        s = replace(s, waiting_message=parse_waiting_message(body["waiting_message"]))
    if "wrap_up" in body:
        s = replace(s, wrap_up=_wrap_up(body["wrap_up"]))
    return s


def _wrap_up(value: Any) -> WrapUp:
    value = _object(value, "wrap_up", ("dispositions", "required"))
    names = value.get("dispositions", [])
    if not isinstance(names, list) or len(names) > MAX_DISPOSITIONS or not all(
            isinstance(n, str) and n.strip() and len(n) <= MAX_QUEUE_NAME for n in names):
        raise ValidationFailed("wrap_up.dispositions", f"must be a list of at most {MAX_DISPOSITIONS} names of 1 to "
                                                       f"{MAX_QUEUE_NAME} characters")
    if len({n.strip().casefold() for n in names}) != len(names):
        raise ValidationFailed("wrap_up.dispositions", "names a disposition twice")
    required = _flag(value.get("required", False), "wrap_up.required")
    if required and not names:
        raise ValidationFailed("wrap_up.required", "needs at least one disposition to choose from")
    return WrapUp(tuple(n.strip() for n in names), required)


def _retention(value: Any) -> int | None:
    """Days a closed conversation is kept, or None (null) to keep it."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or not 1 <= value <= MAX_RETENTION_DAYS):
        raise ValidationFailed("retention_days", f"must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, "
                                                 "or null to keep closed conversations")
    return value


def _distribution(value: Any, current: Distribution) -> Distribution:
    """Distribution settings; those the body leaves out keep their current values."""
    value = _object(value, "distribution", ("mode", "assignment", "keep_same_agent", "offer_timeout_seconds",
                                            "widen_skills_after_seconds"))
    d = current
    if "mode" in value:
        if value["mode"] not in (PUSH, PICK):
            raise ValidationFailed("distribution.mode", "must be push or pick")
        d = replace(d, mode=value["mode"])
    if "assignment" in value:
        if value["assignment"] not in ASSIGNMENTS:
            raise ValidationFailed("distribution.assignment", f"must be one of {', '.join(ASSIGNMENTS)}")
        d = replace(d, assignment=value["assignment"])
    if "keep_same_agent" in value:
        d = replace(d, keep_same_agent=_flag(value["keep_same_agent"], "distribution.keep_same_agent"))
    if "offer_timeout_seconds" in value:
        seconds = value["offer_timeout_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not MIN_OFFER_SECONDS <= seconds <= MAX_OFFER_SECONDS:
            raise ValidationFailed("distribution.offer_timeout_seconds",
                                   f"must be a whole number from {MIN_OFFER_SECONDS} to {MAX_OFFER_SECONDS}")
        d = replace(d, offer_timeout_seconds=seconds)
    if "widen_skills_after_seconds" in value:
        seconds = value["widen_skills_after_seconds"]
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)
                                    or not 0 <= seconds <= MAX_WIDEN_SECONDS):
            raise ValidationFailed("distribution.widen_skills_after_seconds",
                                   f"must be a whole number from 0 to {MAX_WIDEN_SECONDS}, or null never to widen")
        d = replace(d, widen_skills_after_seconds=seconds)
    return d


def _queues(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(q, str) and q.strip() for q in value):
        raise ValidationFailed("queues", "must be a list of queue names")
    if len(value) > MAX_QUEUES or any(len(q) > MAX_QUEUE_NAME for q in value):
        raise ValidationFailed("queues", f"must hold at most {MAX_QUEUES} names of at most {MAX_QUEUE_NAME} "
                                         "characters each")
    if len({q.casefold() for q in value}) != len(value):  # "General" beside "general" reads as one queue
        raise ValidationFailed("queues", "names a queue twice (names differing in case only are one name)")
    return tuple(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(name, "must be true or false")
    return value


def _object(value: Any, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed(name, "must be an object")
    unknown = set(value) - set(keys)
    if unknown:
        raise ValidationFailed(f"{name}.{sorted(unknown)[0]}", "is not a known field")
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(name, "must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise ValidationFailed(name, f"must be at most {MAX_TEXT} characters")
    return value


def _automated(value: Any) -> tuple[dict[str, str], dict[str, Interactive]]:
    """Each automated message's text, and the buttons or list it offers (WhatsApp only)."""
    value = _object(value, "automated_messages", AUTOMATED)
    texts, offers = {}, {}
    for name, item in value.items():
        item = _object(item, f"automated_messages.{name}", ("text", "interactive"))
        texts[name] = _text(item.get("text"), f"automated_messages.{name}.text")
        offered = read_setting(item, texts[name], f"automated_messages.{name}.")
        if offered is not None:
            offers[name] = offered
    return texts, offers


def _survey(value: Any) -> Survey:
    """A survey: a link (``text`` with ``{{link}}`` filled from ``url``) or a question in the
    channel (``text`` alone, and the buttons or list it may offer), with how long an answer
    counts and the thanks for it."""
    value = _object(value, "survey", ("enabled", "text", "url", "mode", "window_minutes", "thanks", "interactive"))
    enabled = _flag(value.get("enabled", False), "survey.enabled")
    for name in ("text", "url"):
        if not isinstance(value.get(name, ""), str):
            raise ValidationFailed(f"survey.{name}", "must be a string")
    default = Survey()
    mode = value.get("mode", LINK)
    if mode not in SURVEY_MODES:
        raise ValidationFailed("survey.mode", f"must be one of {', '.join(SURVEY_MODES)}")
    window = value.get("window_minutes", default.window_minutes)
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_SURVEY_WINDOW:
        raise ValidationFailed("survey.window_minutes", f"must be a whole number of minutes from 1 to "
                                                        f"{MAX_SURVEY_WINDOW}")
    thanks = _text(value.get("thanks", default.thanks), "survey.thanks")
    if mode != QUESTION and "interactive" in value:
        raise ValidationFailed("survey.interactive", "is for a survey that asks its question in the channel "
                                                     "(mode question)")
    survey = Survey(enabled, value.get("text", ""), value.get("url", ""), mode, window, thanks)
    survey = replace(survey, interactive=read_setting(value, survey.message(), "survey."))
    return _asking(survey) if enabled else survey


def _asking(survey: Survey) -> Survey:
    """An enabled survey's text and url: a link needs both, a question its text (and a url
    only when the text has ``{{link}}``)."""
    text, url = _text(survey.text, "survey.text"), survey.url
    if survey.mode == LINK and "{{link}}" not in text:
        raise ValidationFailed("survey.text", "must contain the {{link}} placeholder")
    if ("{{link}}" in text or survey.mode == LINK or url) and (
            not re.match(r"^https?://\S+\Z", url) or len(url) > MAX_URL):
        raise ValidationFailed("survey.url", f"must be an http(s) URL of at most {MAX_URL} characters")
    if len(survey.message()) > MAX_TEXT:
        raise ValidationFailed("survey.text", f"with the link filled in must be at most {MAX_TEXT} characters")
    return survey
