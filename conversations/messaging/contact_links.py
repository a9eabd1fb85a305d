"""Conversations follow the contact they are linked to: renamed, each shows the new name
(and lists and search find it by it: the name is among its search terms, so the change
moves it); deleted, each is linked to none.

The conversations are found as the customer's earlier ones are (one range of the search
index per number of the contact, conversations/distribution/customer_history.py); each
thread's latest conversation, the one a commit can change, is relinked: a point read of
its head, and its commit when it is linked to the contact and shows another name. Older
conversations of a thread keep the name they were last linked with."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Iterable

from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core.ids import thread_of, well_formed
from core.inbox import this_number
from core.ports import Inbox, Threads
from core.records import Contact
from core.retry import until_committed

log = logging.getLogger(__name__)

PER_NUMBER = 200  # the newest conversations of a number looked at


class ContactLinks:
    def __init__(self, *, inbox: Inbox, threads: Threads, writer: Writer, reactions: Reactions) -> None:
        self._inbox = inbox
        self._threads = threads
        self._writer = writer
        self._reactions = reactions

    def follow(self, contact_id: str, phones: Iterable[str], now: Contact | None) -> None:
        """The conversations of ``phones`` linked to the contact, as it is ``now`` (None:
        deleted)."""
        threads: dict[str, None] = {}
        for phone in phones:
            found, _ = self._inbox.found(this_number(phone), PER_NUMBER)
            threads.update(dict.fromkeys(thread_of(i) for i in found if well_formed(i)))
        for thread in threads:
            self._relink(thread, contact_id, now)

    def _relink(self, thread: str, contact_id: str, now: Contact | None) -> None:
        link = (now.id, now.name) if now else (None, None)

        def attempt() -> None:
            head = self._threads.read_head(thread)
            c = head.conversation if head else None
            if c is None or c.contact_id != contact_id or (c.contact_id, c.contact_name) == link:
                return
            relinked = replace(c, contact_id=link[0], contact_name=link[1])
            self._reactions.after(self._writer.commit(thread, head, relinked, head.seq))
            log.info("conversation %s follows contact %s", c.id, contact_id)

        until_committed(attempt, "follow the contact")
