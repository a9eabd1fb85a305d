"""Customers' attachments as their bot fetches them: through Switchboard, at a link signed
for one attachment of one message and valid for LINK_TTL, fetched from the provider with
the account's credentials (provider media ids and authenticated media URLs need them).
The link is the only key: a wrong, altered or expired one answers 404 like no attachment."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Mapping

from core.clock import Clock
from core.errors import NotFound
from core.ids import well_formed
from core.messages import FetchedMedia
from core.ports import Accounts, MediaFetcher, Threads
from core.records import INBOUND, Conversation, Message

LINK_TTL = timedelta(hours=1)


class BotMedia:
    def __init__(self, threads: Threads, accounts: Accounts, fetchers: Mapping[str, MediaFetcher], key: bytes,
                 clock: Clock) -> None:
        self._threads = threads
        self._accounts = accounts
        self._fetchers = fetchers
        self._key = key
        self._clock = clock

    def links(self, api_base: str | None, conversation: Conversation, message: Message) -> list[str | None]:
        """A URL per attachment the bot can fetch: a signed Switchboard link where the
        provider's media can be fetched through Switchboard, else the provider's own URL
        (None: neither)."""
        signed = api_base is not None and conversation.provider in self._fetchers
        expires = int((self._clock() + LINK_TTL).timestamp())
        return [f"{api_base}/bots/media/{conversation.id}/{message.seq}/{i}?expires={expires}"
                f"&sig={self._sign(conversation.id, message.seq, i, expires)}" if signed
                else (m.url if m.url and not m.media_id else None) for i, m in enumerate(message.media)]

    def fetch(self, conversation_id: str, seq: int, index: int, expires: str, signature: str) -> FetchedMedia:
        """The attachment a signed link names (two point reads, then the provider)."""
        gone = NotFound("no such attachment, or its link has expired", code="media_link_invalid")
        if not expires.isdigit() or int(expires) < self._clock().timestamp() or not well_formed(conversation_id):
            raise gone
        expected = self._sign(conversation_id, seq, index, int(expires)).encode()
        if not hmac.compare_digest(signature.encode("utf-8", "surrogatepass"), expected):
            raise gone
        conversation = self._threads.current(conversation_id)
        message = self._threads.message(conversation_id, seq)
        if conversation is None or message is None or message.direction != INBOUND or not 0 <= index < len(message.media):
            raise gone
        account = self._accounts.get(conversation.account_id)
        fetcher = self._fetchers.get(conversation.provider)
        if account is None or fetcher is None:
            raise gone
        return fetcher.fetch_media(account, message.media[index])

    def _sign(self, conversation_id: str, seq: int, index: int, expires: int) -> str:
        text = f"{conversation_id}|{seq}|{index}|{expires}".encode()
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()
