"""The reads every service shares: a conversation, its thread's live head, and the
workstream it belongs to."""

from __future__ import annotations

from conversations.access import Scope
from core.errors import Conflict, NotFound
from core.ids import thread_of, well_formed
from core.ports import Head, Threads, Workstreams
from core.records import CLOSED, Account, Conversation, Workstream


class Lookup:
    def __init__(self, threads: Threads, workstreams: Workstreams) -> None:
        self._threads = threads
        self._workstreams = workstreams

    def conversation(self, conversation_id: str) -> Conversation:
        """The conversation with its messages (one partition range read); NotFound."""
        conversation = self._threads.get_conversation(conversation_id) if well_formed(conversation_id) else None
        if conversation is None:
            raise NotFound(f"conversation {conversation_id} not found")
        return conversation

    def head(self, conversation_id: str, allow_closed: bool = False, scope: Scope | None = None) -> Head:
        """The thread head while ``conversation_id`` is its current conversation (and live,
        unless ``allow_closed``); Conflict ``conversation_closed`` otherwise. With a
        ``scope``, a conversation outside it is NotFound, closed or not."""
        head = self._threads.read_head(thread_of(conversation_id)) if well_formed(conversation_id) else None
        if head is None or head.conversation.id != conversation_id:
            closed = self.conversation(conversation_id)  # raises NotFound when it never existed
            if scope is not None:
                scope.visible(closed)
            raise Conflict(f"conversation {conversation_id} is closed", code="conversation_closed")
        if scope is not None:
            scope.visible(head.conversation)
        if head.conversation.state == CLOSED and not allow_closed:
            raise Conflict(f"conversation {conversation_id} is closed", code="conversation_closed")
        return head

    def workstream_of(self, conversation: Conversation) -> Workstream | None:
        """The workstream the conversation opened under, as it is configured now."""
        return self.workstream(conversation.workstream_id) if conversation.workstream_id else None

    def workstream(self, workstream_id: str) -> Workstream | None:
        return self._workstreams.get(workstream_id)

    def retired(self, workstream_id: str) -> tuple[bool, int | None]:
        """Whether a workstream was deleted, and the ``retention_days`` it had then."""
        return self._workstreams.retired(workstream_id)

    def workstream_for(self, account: Account, business: str) -> Workstream | None:
        """The workstream that serves one of the account's business addresses."""
        workstream = self._workstreams.for_number(business)
        return workstream if workstream is not None and workstream.account_id == account.id else None
