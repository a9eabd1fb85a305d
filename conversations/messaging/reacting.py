"""An agent's reaction to a customer's message (issue 25): an emoji on the message itself,
where the provider can send one to a given message (ACS WhatsApp; Twilio's Messages API
and SMS have none), within WhatsApp's 24-hour window, as Meta counts a reaction a service
message. It is stored and sent as a reply is (the outbox: once, through crashes), as an
outbound message of kind reaction that the API shows on the message it reacts to."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from conversations.access import Scope
from conversations.messaging import consent as consents, policies
from conversations.messaging.lookup import Lookup
from conversations.messaging.outbox import Outbox
from core import status as statuses
from core.clock import Clock
from core.content import REACTION, Content
from core.errors import Conflict, NotFound, ValidationFailed
from core.records import CLOSED, INBOUND, Conversation, Message

# (provider, channel) pairs that send a reaction to a given message: ACS Advanced Messaging
# (Messages API 2024-11-15-preview and later). Twilio's Messages API takes a body, media or
# a content template, nothing that lands on an earlier message.
SENDS_REACTIONS = {("acs", policies.WHATSAPP)}
UNSUPPORTED = {"twilio": "Twilio's Messages API sends no reaction to a customer's WhatsApp message"}
MAX_EMOJI = 16  # code points: an emoji with skin tone and joiners, not a sentence
UNSENT = (statuses.FAILED, statuses.NOT_SENT, "undelivered")  # a reaction the customer does not see


def refusal(conversation: Conversation, now: datetime) -> Conflict | None:
    """Why no reaction can be sent in the conversation now (the API shows it beside it), or None."""
    if conversation.channel != policies.WHATSAPP:
        return Conflict(f"{conversation.channel.upper()} messages take no reactions", code="reactions_unsupported")
    if (conversation.provider, conversation.channel) not in SENDS_REACTIONS:
        reason = UNSUPPORTED.get(conversation.provider, f"{conversation.provider} sends no WhatsApp reactions")
        return Conflict(reason, code="reactions_unsupported")
    if conversation.state == CLOSED:
        return Conflict("the conversation is closed", code="conversation_closed")
    try:
        consents.ensure_reachable(conversation)
        policies.check_free_form_reply(conversation, now)
    except Conflict as exc:
        return Conflict(exc.message.split(";")[0], code=exc.code)  # a template carries no reaction
    return None


def parse_emoji(value: object) -> str:
    """One emoji (with its modifiers), or "" to take the reaction back."""
    if not isinstance(value, str) or len(value) > MAX_EMOJI or value and not _one_emoji(value):
        raise ValidationFailed("emoji", f"must be one emoji (at most {MAX_EMOJI} characters), or \"\" to remove it")
    return value


_JOINER, _KEYCAP = "\u200d", "\u20e3"
_MODIFIERS = frozenset("\ufe0e\ufe0f") | {chr(c) for c in range(0x1F3FB, 0x1F400)} \
    | {chr(c) for c in range(0xE0020, 0xE0080)}  # presentation, skin tones, a flag's tags
_REGIONAL = range(0x1F1E6, 0x1F200)


def _one_emoji(value: str) -> bool:
    """Whether ``value`` reads as one emoji: symbols joined by zero-width joiners, each with
    its modifiers; a flag (two regional indicators); a keycap ("1\ufe0f\u20e3")."""
    for part in value.split(_JOINER):
        bases = [c for c in part if c not in _MODIFIERS]
        flag = len(bases) == 2 and all(ord(c) in _REGIONAL for c in bases)
        keycap = len(bases) == 2 and bases[1] == _KEYCAP and bases[0] in "0123456789#*"
        if not (flag or keycap or len(bases) == 1 and _symbol(bases[0])):
            return False
    return True


def _symbol(c: str) -> bool:
    """A symbol; a punctuation mark, arrow or letter-like sign of the blocks emoji borrow
    from ("‼️", "↔️", "◽", "〰️", "ℹ️"); or a code point of the emoji planes newer than this
    Python's Unicode (a WhatsApp client may send an emoji added since)."""
    category, point = unicodedata.category(c), ord(c)
    return category == "So" or 0x2000 <= point < 0x3040 and category in ("Sm", "Po", "Pd", "Ll") \
        or category == "Cn" and 0x1F000 <= point < 0x20000


def reactions_to(conversation: Conversation, target: Message) -> list[Message]:
    """The agents' reactions to ``target``, in order (the last is the one it shows)."""
    return [m for m in conversation.messages if m.agent_reaction and m.content is not None
            and m.content.reacts_to == target.provider_message_id]


class Reacting:
    def __init__(self, *, lookup: Lookup, outbox: Outbox, clock: Clock) -> None:
        self._lookup = lookup
        self._outbox = outbox
        self._clock = clock

    def why_not(self, conversation: Conversation) -> Conflict | None:
        """Why no reaction can be sent in the conversation now (None: they can)."""
        return refusal(conversation, self._clock())

    def react(self, conversation_id: str, message_id: str, emoji: object, scope: Scope, base_url: str) -> Message:
        """React to the customer's message ``message_id`` (our id) with ``emoji``: whoever may
        answer the conversation; refused with the reason where it cannot be sent. A retry
        (the same emoji on the same message, its reaction not failed) sends nothing again."""
        chosen = parse_emoji(emoji)
        conversation = scope.visible(self._lookup.conversation(conversation_id))  # one range read
        target = _target(conversation, message_id)
        scope.check_answer(conversation)
        refused = self.why_not(conversation)
        if refused is not None:
            raise refused
        reaction = Content(kind=REACTION, reacts_to=target.provider_message_id, emoji=chosen)
        key = _key(reactions_to(conversation, target), chosen, target)
        return self._outbox.react(conversation_id, reaction, _still_allowed, scope, base_url, key)


def _target(conversation: Conversation, message_id: str) -> Message:
    """The customer's message to react to: one the provider named (its id is what a
    reaction goes on), and no reaction itself."""
    target = next((m for m in conversation.messages if m.id == message_id), None)
    if target is None:
        raise NotFound(f"conversation {conversation.id} has no message {message_id}")
    if target.direction != INBOUND or not target.provider_message_id or (
            target.content is not None and target.content.kind == REACTION):
        raise Conflict("only a customer's message, as the provider delivered it, takes a reaction",
                       code="not_reactable")
    return target


def _still_allowed(conversation: Conversation, now: datetime) -> None:
    refused = refusal(conversation, now)
    if refused is not None:
        raise refused


def _key(earlier: list[Message], emoji: str, target: Message) -> str:
    """The reaction's outbox key: the message, the emoji and the reaction it follows, so the
    same request asked again is stored (and sent) once, and choosing the emoji again after
    another one (or after it failed) is a new reaction. The outbox adds who asks."""
    latest = earlier[-1] if earlier else None
    repeat = latest is not None and latest.content is not None and latest.content.emoji == emoji \
        and latest.status not in UNSENT
    before = (earlier[-2] if len(earlier) > 1 else None) if repeat else latest
    return f"reaction|{target.id}|{emoji}|{before.id if before else ''}"
