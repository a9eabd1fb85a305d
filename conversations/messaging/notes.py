"""Internal notes: what agents and supervisors write into a conversation for each other.
A note is a message of the thread (direction ``note``) that no provider ever sees: it is
committed like any message, shown apart, exported marked as a note and erased with its
conversation; it answers nobody (facts and service-level clocks pass over it). ``@name``
tells each person named, among those who work or supervise its workstream, by a live
notice (ids only)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from conversations.access import Scope
from conversations.live.publisher import Publisher
from conversations.messaging.lookup import Lookup
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core.agents import Agent
from core.clock import Clock
from core.errors import ValidationFailed
from core.ids import thread_of
from core.ports import Agents
from core.records import MAX_NOTE, Conversation, Message, internal_note
from core.retry import until_committed


@dataclass(frozen=True)
class Noted:
    message: Message
    mentioned: tuple[Agent, ...]


class Notes:
    def __init__(self, *, lookup: Lookup, writer: Writer, reactions: Reactions, agents: Agents, publisher: Publisher,
                 clock: Clock) -> None:
        self._lookup = lookup
        self._writer = writer
        self._reactions = reactions
        self._agents = agents
        self._publisher = publisher
        self._clock = clock

    def add(self, conversation_id: str, body: object, scope: Scope) -> Noted:
        """Add the caller's note to the thread's current conversation (closed or not)."""
        if not isinstance(body, str) or not body.strip():
            raise ValidationFailed("body", "must be a non-empty string")
        if len(body) > MAX_NOTE:
            raise ValidationFailed("body", f"must be at most {MAX_NOTE} characters, got {len(body)}")
        note_id = uuid.uuid4().hex

        def attempt() -> tuple[Conversation, Message]:
            head = self._lookup.head(conversation_id, allow_closed=True, scope=scope)
            note = internal_note(note_id, conversation_id, body, head.seq + 1, self._clock(), scope.principal.actor)
            commit = self._writer.commit(thread_of(conversation_id), head, head.conversation, note.seq, [note])
            return self._reactions.after(commit).conversation, note

        conversation, note = until_committed(attempt, "add the note")
        mentioned = tuple(a for a in mentions(body, self._team(conversation)) if a.id != scope.principal.id)
        self._publisher.mention(conversation, [a.id for a in mentioned])
        return Noted(note, mentioned)

    def _team(self, c: Conversation) -> list[Agent]:
        return [a for a in self._agents.working()
                if c.workstream_id in a.supervises or any(q.workstream_id == c.workstream_id for q in a.queues)]


def mentions(body: str, people: list[Agent]) -> list[Agent]:
    """Those ``@``-named in ``body`` by their directory name (any case, a whole name: the
    longest that fits, so "@Ana Lima" names Ana Lima, not Ana; an ``@`` inside a word, as
    in an e-mail address, names nobody)."""
    found, text = [], body.casefold()
    for person in sorted((p for p in people if p.name.strip()), key=lambda p: -len(p.name)):
        pattern = re.compile(r"(?<![\w@])@" + re.escape(person.name.strip().casefold()) + r"(?![\w])")
        if pattern.search(text):
            found.append(person)
            text = pattern.sub(" ", text)
    return found
