"""The customer's messages marked read at the provider when the agent who holds the
conversation opens it: one call per opening that saw something new, naming the customer's
latest message (WhatsApp marks the earlier ones read with it), where the provider has a
call that does only that (``ProviderSpec.marks_read``: ACS, Messages API
2025-09-01-preview) and the channel is WhatsApp. A supervisor looking on, an agent reading
a queue's conversation or a closed one tells the customer nothing: nobody is answering.
Twilio's one way also shows the customer "typing…" and SMS has no read receipts
(docs/providers.md, "Read receipts"). The opening never fails for it: a refused or lost
call, or an account gone, is logged by its ids and counted."""

from __future__ import annotations

import logging
from typing import Mapping

from conversations.messaging import policies
from core import telemetry as metrics
from core.errors import SwitchboardError
from core.ports import Accounts, ReadReceipts, Telemetry
from core.records import CLOSED, Conversation

log = logging.getLogger(__name__)

ACCOUNT_MISSING = "account_missing"


class ReadReceipting:
    def __init__(self, *, accounts: Accounts, receipts: Mapping[str, ReadReceipts], telemetry: Telemetry) -> None:
        self._accounts = accounts
        self._receipts = receipts
        self._telemetry = telemetry

    def opened(self, conversation: Conversation, by: str) -> None:
        """Mark the customer's latest message read, once an opening by ``by`` committed a rise
        in what it saw; nothing unless ``by`` holds the live conversation, nor where the
        provider, the channel or the message's id is missing."""
        message_id = conversation.latest_customer_message
        receipts = self._receipts.get(conversation.provider)
        holder = conversation.agent.id if conversation.agent else None
        if (holder != by or conversation.state == CLOSED or conversation.channel != policies.WHATSAPP
                or receipts is None or not message_id):
            return
        try:
            account = self._accounts.get(conversation.account_id)  # cached per instance (storage/accounts.py)
            if account is None:
                self._failed(conversation, message_id, ACCOUNT_MISSING)
                return
            receipts.mark_read(account, conversation.business, message_id)
        except SwitchboardError as exc:  # the provider's refusal or timeout, the account's keys, storage
            self._failed(conversation, message_id, getattr(exc, "provider_code", None) or exc.code)

    def _failed(self, conversation: Conversation, message_id: str, code: str) -> None:
        log.warning("conversation %s: message %s not marked read at %s (%s)", conversation.id, message_id,
                    conversation.provider, code)
        self._telemetry.count(metrics.READ_RECEIPT_FAILURES, provider=conversation.provider, code=code)
