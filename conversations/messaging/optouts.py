"""A customer's opt-out learnt from a provider (it refused a send because the recipient
opted out): recorded on the thread head, where consent lives (conversations/messaging/
consent.py has the rules; a STOP keyword is ingest's, in the same commit as its message)."""

from __future__ import annotations

import logging
from dataclasses import replace

from conversations.messaging import consent as consents
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core.clock import Clock
from core.ids import thread_of
from core.ports import Threads
from core.retry import until_committed

log = logging.getLogger(__name__)


class OptOuts:
    def __init__(self, *, threads: Threads, writer: Writer, reactions: Reactions, clock: Clock) -> None:
        self._threads = threads
        self._writer = writer
        self._reactions = reactions
        self._clock = clock

    def refused_by_provider(self, conversation_id: str) -> None:
        """Mark the conversation's customer opted out on its business number."""
        thread = thread_of(conversation_id)

        def attempt() -> None:
            head = self._threads.read_head(thread)
            if head is None:
                return
            consent = consents.opted_out(head.conversation.consent, consents.PROVIDER_ERROR, self._clock())
            if consent == head.conversation.consent:
                return
            self._reactions.after(self._writer.commit(thread, head, replace(head.conversation, consent=consent),
                                                      head.seq))
            log.info("customer of conversation %s opted out (%s)", head.conversation.id, consents.PROVIDER_ERROR)

        until_committed(attempt, "record the opt-out")
