"""The bot stage as decisions on a conversation (no I/O): entering it, a customer message
while in it (a handoff keyword ends it), the handoff itself, and what is said to and read
from Direct Line: the customer's activity, the context, the bot's replies split to the
channel's limit, and what a ``handoff.initiate`` event carries."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any, Mapping

from conversations.messaging import policies
from core.bots import BOT, BOT_REMOVED, BY_KEYWORD, FULL, HIDDEN, Activity, BotSession, BotSettings, Handoff
from core.content import Interactive
from core.errors import SwitchboardError, ValidationFailed
from core.interactive import check_body, check_sendable, from_suggested
from core.records import Contact, Conversation, Media, Message

MAX_PART = 1600  # what one message carries on every channel (conversations/messaging/outbox.py MAX_BODY)
MAX_CONTEXT, MAX_SUMMARY, MAX_LINES, MAX_LINE = 4000, 1000, 30, 500  # kept of a handoff: it rides on the head
# Where a handoff event says why: Bot Framework bots' own value, Copilot Studio's private message to the agent
SUMMARY_KEYS = ("summary", "va_AgentMessage")
_WORD = re.compile(r"[\w']+")


def enter(conversation: Conversation, now: datetime) -> Conversation:
    """A new conversation of a workstream with a bot: the bot answers it first."""
    return replace(conversation, stage=BOT, bot=BotSession(waiting_since=now))


def opening(conversation: Conversation, bot: BotSettings, body: str, now: datetime) -> tuple[Conversation, bool]:
    """A new conversation of a workstream with a bot, its first message ``body``: the bot
    answers it first (a wait for it begins), unless that message is a handoff keyword:
    then it goes to an agent without asking the bot."""
    entered = enter(conversation, now)
    if _is_keyword(body, bot.handoff_keywords):
        return handed_off(entered, BY_KEYWORD, now), False
    return entered, True


def after_customer(conversation: Conversation, bot: BotSettings | None, body: str,
                   now: datetime) -> tuple[Conversation, bool]:
    """The conversation after a customer message in the bot stage (a handoff keyword, or a
    bot removed from the workstream, ends it), and whether a wait for the bot begins."""
    if conversation.stage != BOT:
        return conversation, False
    if bot is None or _is_keyword(body, bot.handoff_keywords):
        return handed_off(conversation, BY_KEYWORD if bot else BOT_REMOVED, now), False
    session = conversation.bot or BotSession()
    if session.waiting_since is not None:
        return conversation, False
    return replace(conversation, bot=replace(session, waiting_since=now)), True


def _is_keyword(body: str, keywords: tuple[str, ...]) -> bool:
    """The whole message is one of the keywords ("Agent!", "human"), in any case."""
    words = _WORD.findall(body.lower())
    return len(words) == 1 and words[0] in keywords


def handed_off(conversation: Conversation, reason: str, now: datetime, summary: str | None = None,
               context: Mapping[str, Any] | None = None, transcript: tuple[Mapping[str, str], ...] = ()) -> Conversation:
    """Out of the bot stage and into its queue, from ``now``, with why and what the bot said."""
    session = replace(conversation.bot, waiting_since=None) if conversation.bot else None
    return replace(conversation, stage=None, bot=session, queued_at=now,
                   handoff=Handoff(reason, now, summary, context or {}, transcript))


def user_id(conversation_id: str) -> str:
    """Who the customer is to the bot: an opaque id per conversation, never their number."""
    return "sb-" + hashlib.sha256(conversation_id.encode()).hexdigest()[:24]


def customer_activity(conversation: Conversation, message: Message, language: str, links: list[str | None],
                      context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A customer's message as a Direct Line message activity, each attachment at its link
    (conversations/bots/media.py); the first one of a conversation carries the ``context`` too."""
    attachments = [{"contentType": m.content_type, "contentUrl": url, **({"name": m.file_name} if m.file_name else {})}
                   for m, url in zip(message.media, links) if url]
    ours = {"conversation_id": conversation.id, "message_id": message.id, **({"context": dict(context)} if context else {})}
    return {"type": "message", "from": _from(conversation), "text": message.body, "locale": language,
            **({"attachments": attachments} if attachments else {}), "channelData": {"switchboard": ours}}


def greeting_activity(conversation: Conversation, name: str, context: Mapping[str, Any],
                      language: str) -> dict[str, Any]:
    return {"type": "event", "name": name, "from": _from(conversation), "locale": language, "value": dict(context)}


def _from(conversation: Conversation) -> dict[str, str]:
    """Neither the number nor a profile name: only what ``context`` allows reaches the bot."""
    return {"id": user_id(conversation.id), "name": "customer"}


def context_of(conversation: Conversation, bot: BotSettings, contact: Contact | None, language: str) -> dict[str, Any]:
    """What the workstream lets its bot know of the customer."""
    shown = bot.context
    context: dict[str, Any] = {"conversation_id": conversation.id}
    if shown.channel:
        context["channel"] = conversation.channel
    if shown.customer_number != HIDDEN:
        number = conversation.customer
        context["customer_number"] = number if shown.customer_number == FULL else _masked(number)
    if shown.language:
        context["language"] = language
    if contact is not None and shown.contact_fields:
        context["contact"] = {k: contact.fields[k] for k in shown.contact_fields if k in contact.fields}
    return context


def _masked(number: str) -> str:
    return number[:3] + "*" * max(len(number) - 5, 0) + number[-2:] if len(number) > 5 else "*" * len(number)


def replies(activity: Activity, provider: str, channel: str) -> list[tuple[str, tuple[Media, ...]]]:
    """What a bot's message activity sends the customer: its text (and cards' text) split
    at whitespace into parts of at most MAX_PART characters, attachments by URL with the
    first part where the channel carries them, dropped where it does not."""
    texts = [activity.text] + [_card_text(a.get("content")) for a in activity.attachments if not a.get("contentUrl")]
    parts = split("\n\n".join(t for t in texts if t))
    media = tuple(Media(url=a["contentUrl"], content_type=str(a.get("contentType") or "application/octet-stream"))
                  for a in activity.attachments if str(a.get("contentUrl", "")).startswith(("https://", "http://")))
    if media:
        try:
            policies.check_media(provider, channel, parts[0] if parts else "", media)
        except ValidationFailed:
            media = ()
    if not parts and not media:
        return []
    return [(parts[0] if parts else "", media)] + [(p, ()) for p in parts[1:]]


def offered(activity: Activity, parts: list[tuple[str, tuple[Media, ...]]], provider: str,
            channel: str) -> Interactive | None:
    """The bot's suggested actions as reply buttons or a list on its reply's last part, where
    that part is text only and the provider takes them within their limits; else none, and
    the text goes alone."""
    if not activity.suggested or not parts or parts[-1][1] or not parts[-1][0]:
        return None
    try:
        interactive = from_suggested(activity.suggested)
        check_body(parts[-1][0])
        check_sendable(interactive, provider, channel)
    except SwitchboardError:
        return None
    return interactive


def _card_text(content: Any) -> str:
    if not isinstance(content, dict):
        return ""
    return "\n".join(str(content[k]) for k in ("title", "subtitle", "text") if isinstance(content.get(k), str))


def split(text: str, limit: int = MAX_PART) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at the last whitespace."""
    parts, rest = [], text.strip()
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        cut = max(cut, rest.rfind("\n", 0, limit + 1))
        cut = cut if cut > 0 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts + ([rest] if rest else [])


def handoff_of(activity: Activity) -> tuple[str | None, dict[str, Any], tuple[dict[str, str], ...]]:
    """A ``handoff.initiate`` event's summary (SUMMARY_KEYS of its value, else its text),
    context (its value) and transcript (its ``Transcript`` attachment of activities),
    bounded to what the head row keeps."""
    value = activity.value if isinstance(activity.value, dict) else {}
    said = [value.get(k) for k in SUMMARY_KEYS if isinstance(value.get(k), str)] + [activity.text]
    summary = next((s for s in said if s), None)
    context = {k: v for k, v in value.items() if k != "summary"}
    if len(json.dumps(context, default=str)) > MAX_CONTEXT:
        context = {"truncated": True}
    lines: list[dict[str, str]] = []
    for attachment in activity.attachments:
        content = attachment.get("content")
        if isinstance(content, list):
            lines += [_line(a) for a in content if isinstance(a, dict) and isinstance(a.get("text"), str)]
    return (summary[:MAX_SUMMARY] if summary else None), context, tuple(lines[-MAX_LINES:])


def _line(a: dict[str, Any]) -> dict[str, str]:
    role = (a.get("from") or {}).get("role") if isinstance(a.get("from"), dict) else None
    return {"from": "bot" if role == "bot" else "customer", "text": a["text"][:MAX_LINE]}
