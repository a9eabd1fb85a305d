"""A contact card's names and numbers (core/content.py CONTACTS: the vCard Twilio attaches
for a shared contact), read when the conversation is first read by id, not at ingest:
ingest is one read and one batch that a provider's retry collides with, and a webhook's
answer must not wait on the provider's media. The vCard is fetched once through the
account's media fetcher, at most MAX_BYTES within MAX_SECONDS, parsed (core/vcard.py) and
kept on the message row (one merge), so later reads fetch nothing. A provider that cannot
be reached, or refuses the account's keys, leaves it unread for the next read; an
attachment it refuses for good (404) is kept as read with no cards, so a pane read every
few seconds does not ask again. One read fetches at most MAX_PER_READ cards, the newest
first, so a customer's twenty cards never hold an agent's page for minutes: the next read
takes the next ones."""

from __future__ import annotations

import logging

from dataclasses import replace
from typing import Mapping

from core.clock import Clock
from core.content import CONTACTS, VCARD_TYPES, Content
from core.errors import NotFound, ProviderError
from core.ids import thread_of
from core.ports import Accounts, MediaFetcher, MessageContents
from core.records import INBOUND, Account, Conversation, Message
from core.vcard import parse

MAX_BYTES = 64 * 1024
MAX_SECONDS = 10
MAX_PER_READ = 2

log = logging.getLogger(__name__)


class ContactCards:
    def __init__(self, *, accounts: Accounts, fetchers: Mapping[str, MediaFetcher], contents: MessageContents,
                 clock: Clock) -> None:
        self._accounts = accounts
        self._fetchers = fetchers
        self._contents = contents
        self._clock = clock

    def read(self, conversation: Conversation) -> Conversation:
        """The conversation with its unread contact cards read (nothing fetched when none is)."""
        unread = [m for m in reversed(conversation.messages) if _unread(m)][:MAX_PER_READ]
        fetcher = self._fetchers.get(conversation.provider)
        account = self._accounts.get(conversation.account_id) if unread and fetcher else None
        if account is None or fetcher is None:
            return conversation
        done = {m.seq: self._read(account, fetcher, conversation.id, m) for m in unread}
        return replace(conversation, messages=tuple(done.get(m.seq) or m for m in conversation.messages))

    def _read(self, account: Account, fetcher: MediaFetcher, conversation_id: str, m: Message) -> Message | None:
        try:
            cards = parse(self._fetch(account, fetcher, m).decode("utf-8", errors="replace"))
        except ProviderError as exc:
            if exc.transient or exc.http_status in (401, 403):  # busy, or the account's keys are being fixed
                log.warning("contact card of message %s not fetched: %s", m.id, type(exc).__name__)
                return None
            cards = ()
        except NotFound:  # not stored where its account's credentials reach
            cards = ()
        read = replace(m, content=replace(m.content or Content(CONTACTS), contacts=cards))
        self._contents.keep(thread_of(conversation_id), read)
        return read

    def _fetch(self, account: Account, fetcher: MediaFetcher, m: Message) -> bytes:
        """The vCard's first MAX_BYTES, or what came within MAX_SECONDS (a card cut off is dropped)."""
        media = next(x for x in m.media if x.content_type.lower() in VCARD_TYPES)
        fetched, started, data = fetcher.fetch_media(account, media), self._clock(), b""
        for chunk in fetched.chunks:
            data += chunk
            if len(data) >= MAX_BYTES or (self._clock() - started).total_seconds() > MAX_SECONDS:
                break
        close = getattr(fetched.chunks, "close", None)  # a generator: ends the provider's download
        if close is not None:
            close()
        return data[:MAX_BYTES]


def _unread(m: Message) -> bool:
    return (m.direction == INBOUND and m.content is not None and m.content.kind == CONTACTS
            and m.content.contacts is None and any(x.content_type.lower() in VCARD_TYPES for x in m.media))
