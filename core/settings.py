"""What admins set on a workstream beyond its number: language, hours, automated
messages, attachments, survey, queues and routing. Checked when an admin sets them
(conversations/admin/workstream_settings.py); read back from storage as they were written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from core.content import Interactive, offer_in, with_offer
from core.hours import OperatingHours
from core.overflow import OverflowRule, WaitingMessage
from core.routing import Rule
from core.sla import ServiceTargets

GREETING, OUT_OF_HOURS, CLOSING, SURVEY = "greeting", "out_of_hours", "closing", "survey"
SURVEY_THANKS = "survey_thanks"  # the acknowledgement of an answer to the survey question
WAITING, OVERFLOW = "waiting", "overflow"  # told to a customer waiting in a queue (core/overflow.py)
AUTOMATED = (GREETING, OUT_OF_HOURS, CLOSING)
BOT = "bot"  # a bot's reply, for its closed-window fallback
# What may fall back to a template when the WhatsApp window has closed: what is sent after
# a customer's last message (greeting and out-of-hours answer one, so their window is open).
FALLBACK_KINDS = (CLOSING, SURVEY, WAITING, OVERFLOW, BOT)
LINK, QUESTION = "link", "question"  # how a survey asks: a link to an outside page, or a question in the channel
SURVEY_MODES = (LINK, QUESTION)
PUSH, PICK = "push", "pick"
MAX_QUEUE_NAME = 100  # characters of a queue's name
HIGHEST_CAPACITY, ROUND_ROBIN, LEAST_ACTIVE = "highest_capacity", "round_robin", "least_active"
ASSIGNMENTS = (HIGHEST_CAPACITY, ROUND_ROBIN, LEAST_ACTIVE)


@dataclass(frozen=True)
class Distribution:
    """How a workstream's conversations reach agents: offered to one agent at a time
    (``push``, chosen by ``assignment``; ``offer_timeout_seconds`` to accept) or taken by
    agents from their queues (``pick``). ``keep_same_agent`` offers a returning customer's
    new conversation first to whoever held their previous one. A conversation that needs
    skills is offered only to agents who have them, or after ``widen_skills_after_seconds``
    of waiting, when none is there, to the closest match (core/dispatch.py)."""

    mode: str = PUSH
    assignment: str = HIGHEST_CAPACITY
    keep_same_agent: bool = False
    offer_timeout_seconds: int = 60
    widen_skills_after_seconds: int | None = None  # then the closest match is offered when nobody fits; None: never

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "assignment": self.assignment, "keep_same_agent": self.keep_same_agent,
                "offer_timeout_seconds": self.offer_timeout_seconds,
                "widen_skills_after_seconds": self.widen_skills_after_seconds}


@dataclass(frozen=True)
class Survey:
    """Sent when a conversation closes: a link to an outside page (``link``), or a question
    the customer answers in the channel with 1 to 5 (``question``), an answer counting for
    ``window_minutes`` after the survey went out and acknowledged with ``thanks``. A question
    may offer reply buttons or a list (``interactive``): an option chosen scores as its id or
    title would typed (conversations/messaging/satisfaction.py)."""

    enabled: bool = False
    text: str = ""
    url: str = ""
    mode: str = LINK
    window_minutes: int = 1440
    thanks: str = "Thank you for your answer."
    interactive: Interactive | None = None

    @property
    def asks(self) -> bool:
        """Whether it asks a question whose answer Switchboard keeps."""
        return self.enabled and self.mode == QUESTION

    def message(self) -> str:
        return self.text.replace("{{link}}", self.url)

    def to_dict(self) -> dict[str, Any]:
        return with_offer({"enabled": self.enabled, "text": self.text, "url": self.url, "mode": self.mode,
                           "window_minutes": self.window_minutes, "thanks": self.thanks}, self.interactive)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> "Survey":
        """As ``to_dict`` wrote it; a survey stored before modes existed is a link."""
        default = cls()
        return cls(value.get("enabled", False), value.get("text", ""), value.get("url", ""),
                   value.get("mode", LINK), value.get("window_minutes", default.window_minutes),
                   value.get("thanks", default.thanks), offer_in(value))


@dataclass(frozen=True)
class WindowFallback:
    """An approved template sent instead of an automated message once the WhatsApp window
    has closed (conversations/messaging/window_fallback.py). ``parameters``: a list, or an
    object by name, whose values may hold {{customer_name}} and {{link}}, filled when sent."""

    name: str
    language: str
    parameters: list[str] | dict[str, str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "language": self.language, "parameters": self.parameters}


@dataclass(frozen=True)
class WrapUp:
    """What an agent records when closing: one of ``dispositions`` (needed when
    ``required``), and a note."""

    dispositions: tuple[str, ...] = ()
    required: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"dispositions": list(self.dispositions), "required": self.required}


@dataclass(frozen=True)
class QuickReply:
    """A canned answer agents pick in the composer; placeholders are filled in there. With
    ``interactive``, the reply buttons or list it offers (core/interactive.py)."""

    name: str
    text: str
    interactive: Interactive | None = None

    def to_dict(self) -> dict[str, Any]:
        return with_offer({"name": self.name, "text": self.text}, self.interactive)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> QuickReply:
        return cls(value["name"], value["text"], offer_in(value))


@dataclass(frozen=True)
class WorkstreamSettings:
    language: str = "en-US"
    operating_hours: OperatingHours | None = None
    allow_automated_messages: bool = False
    automated_messages: Mapping[str, str] = field(default_factory=dict)
    automated_interactive: Mapping[str, Interactive] = field(default_factory=dict)  # buttons or a list they offer
    customers_can_send_attachments: bool = False
    agents_can_send_attachments: bool = False
    survey: Survey = Survey()
    queues: tuple[str, ...] = ()
    default_queue: str | None = None
    quick_replies: tuple[QuickReply, ...] = ()
    routing_rules: tuple[Rule, ...] = ()
    distribution: Distribution = Distribution()
    retention_days: int | None = None  # closed conversations are deleted this long after closing; None keeps them
    service_levels: ServiceTargets = ServiceTargets()  # answer-time targets (core/sla.py)
    overflow: tuple[OverflowRule, ...] = ()  # what swamped or unstaffed queues do (core/overflow.py)
    waiting_message: WaitingMessage | None = None  # told to a customer who has waited a while
    wrap_up: WrapUp = WrapUp()
    window_fallbacks: Mapping[str, WindowFallback] = field(default_factory=dict)  # by FALLBACK_KINDS

    def automated(self, name: str) -> str | None:
        """The text of an automated message, when automated messages are allowed."""
        return self.automated_messages.get(name) if self.allow_automated_messages else None

    def automated_text(self, kind: str) -> str | None:
        """What an automated message of ``kind`` says, when it is sent at all: the survey
        and its thanks when the survey is enabled (the thanks in question mode only), the
        others when automated messages are allowed."""
        if kind == SURVEY:
            return self.survey.message() if self.survey.enabled else None
        if kind == SURVEY_THANKS:
            return self.survey.thanks if self.survey.asks else None
        return self.automated(kind)

    def offered(self, kind: str) -> Interactive | None:
        """The buttons or list an automated message of ``kind`` offers with its text."""
        return self.survey.interactive if kind == SURVEY else self.automated_interactive.get(kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "operating_hours": self.operating_hours.to_dict() if self.operating_hours else None,
            "allow_automated_messages": self.allow_automated_messages,
            "automated_messages": {k: with_offer({"text": v}, self.automated_interactive.get(k))
                                   for k, v in sorted(self.automated_messages.items())},
            "attachments": {"customers_can_send": self.customers_can_send_attachments,
                            "agents_can_send": self.agents_can_send_attachments},
            "survey": self.survey.to_dict(),
            "queues": list(self.queues),
            "default_queue": self.default_queue,
            "quick_replies": [q.to_dict() for q in self.quick_replies],
            "routing_rules": [r.to_dict() for r in self.routing_rules],
            "distribution": self.distribution.to_dict(),
            "retention_days": self.retention_days,
            "service_levels": self.service_levels.to_dict(),
            "overflow": [r.to_dict() for r in self.overflow],
            "waiting_message": self.waiting_message.to_dict() if self.waiting_message else None,
            "wrap_up": self.wrap_up.to_dict(),
            "window_fallbacks": {k: f.to_dict() for k, f in sorted(self.window_fallbacks.items())},
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> "WorkstreamSettings":
        """Settings as ``to_dict`` wrote them (stored, so already checked); a setting added
        since they were stored takes its default."""
        default = cls()
        hours = value.get("operating_hours")
        attachments = value.get("attachments", {})
        survey = value.get("survey", {})
        return cls(
            language=value.get("language", default.language),
            operating_hours=OperatingHours.from_dict(hours) if hours else None,
            allow_automated_messages=value.get("allow_automated_messages", False),
            automated_messages={k: v["text"] for k, v in value.get("automated_messages", {}).items()},
            automated_interactive={k: offered for k, v in value.get("automated_messages", {}).items()
                                   if (offered := offer_in(v))},
            customers_can_send_attachments=attachments.get("customers_can_send", False),
            agents_can_send_attachments=attachments.get("agents_can_send", False),
            survey=Survey.from_dict(survey),
            queues=tuple(value.get("queues", ())),
            default_queue=value.get("default_queue"),
            quick_replies=tuple(QuickReply.from_dict(q) for q in value.get("quick_replies", ())),
            routing_rules=tuple(Rule.from_dict(r) for r in value.get("routing_rules", ())),
            distribution=Distribution(**value.get("distribution", {})),
            retention_days=value.get("retention_days"),
            service_levels=ServiceTargets.from_dict(value.get("service_levels", {})),
            overflow=tuple(OverflowRule.from_dict(r) for r in value.get("overflow", ())),
            waiting_message=WaitingMessage.from_dict(value["waiting_message"]) if value.get("waiting_message")
            else None,
            wrap_up=WrapUp(tuple(value.get("wrap_up", {}).get("dispositions", ())),
                           value.get("wrap_up", {}).get("required", False)),
            window_fallbacks={k: WindowFallback(**f) for k, f in value.get("window_fallbacks", {}).items()},
        )
