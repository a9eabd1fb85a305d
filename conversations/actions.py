"""What agents do with conversations: list and read them, accept, park and close them,
and open customers' attachments."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping

from conversations.lookup import Lookup
from conversations.outbox import Outbox
from core.clock import Clock
from core.errors import NotFound
from core.ids import thread_of
from core.messages import FetchedMedia
from core.ports import Accounts, MediaFetcher, Threads
from core.records import ACTIVE, CLOSED, CLOSED_BY_AGENT, INBOUND, WAITING, Conversation
from core.retry import until_committed


class AgentActions:
    def __init__(self, threads: Threads, accounts: Accounts, lookup: Lookup, outbox: Outbox,
                 media_fetchers: Mapping[str, MediaFetcher], clock: Clock) -> None:
        self._threads = threads
        self._accounts = accounts
        self._lookup = lookup
        self._outbox = outbox
        self._media_fetchers = media_fetchers
        self._clock = clock

    def list(self, filters: Mapping[str, str], limit: int) -> list[Conversation]:
        return self._threads.list_conversations(filters, limit)

    def get(self, conversation_id: str) -> Conversation:
        return self._lookup.conversation(conversation_id)

    def accept(self, conversation_id: str, agent: str) -> Conversation:
        return self._change(conversation_id, lambda c: replace(c, state=ACTIVE, agent=agent))

    def wait(self, conversation_id: str) -> Conversation:
        return self._change(conversation_id, lambda c: replace(c, state=WAITING))

    def close(self, conversation_id: str, base_url: str | None = None) -> Conversation:
        """Close it, then send the workstream's closing message and survey (when set)."""
        now = self._clock()
        closed = self._change(
            conversation_id, lambda c: replace(c, state=CLOSED, closed_at=now, closed_reason=CLOSED_BY_AGENT)
        )
        self._outbox.after_close(closed, base_url)
        return closed

    def media(self, conversation_id: str, message_id: str, index: int) -> FetchedMedia:
        """An attachment of a message, fetched from the provider with the account's credentials."""
        conversation = self.get(conversation_id)
        message = next((m for m in conversation.messages if m.id == message_id), None)
        if message is None or not 0 <= index < len(message.media):
            raise NotFound(f"message {message_id} has no attachment {index}")
        account = self._accounts.get(conversation.account_id)
        fetcher = self._media_fetchers.get(conversation.provider)
        if account is None or fetcher is None or message.direction != INBOUND:
            raise NotFound("this attachment cannot be fetched through Switchboard", code="media_unavailable")
        return fetcher.fetch_media(account, message.media[index])

    def fetches_media(self, provider: str) -> bool:
        """Whether customers' attachments on this provider can be opened through Switchboard."""
        return provider in self._media_fetchers

    def _change(self, conversation_id: str, change: Callable[[Conversation], Conversation]) -> Conversation:
        def attempt() -> Conversation:
            head = self._lookup.head(conversation_id)
            updated = change(head.conversation)
            self._threads.commit(thread_of(conversation_id), head, updated, head.seq)
            return updated

        return until_committed(attempt, "change")
