"""The customer's messages marked read at the provider when an agent opens the conversation
(issue 25): one call per opening that saw something new, naming the customer's latest
message (WhatsApp marks the earlier ones read with it), where the provider has a call that
does only that: ACS WhatsApp (Messages API 2025-09-01-preview). Twilio's one way also shows
the customer "typing…" and SMS has no read receipts (docs/providers.md, "Read receipts").
The opening never fails for it: a refused or lost call is logged by its ids and counted."""

from __future__ import annotations

import logging
from typing import Mapping

from conversations.messaging import policies
from core import telemetry as metrics
from core.errors import SwitchboardError
from core.ports import Accounts, ReadReceipts, Telemetry
from core.records import Conversation

log = logging.getLogger(__name__)

MARKS_READ = {("acs", policies.WHATSAPP)}  # (provider, channel) pairs told of an opening


class ReadReceipting:
    def __init__(self, *, accounts: Accounts, receipts: Mapping[str, ReadReceipts], telemetry: Telemetry) -> None:
        self._accounts = accounts
        self._receipts = receipts
        self._telemetry = telemetry

    def opened(self, conversation: Conversation) -> None:
        """Mark the customer's latest message read, once its opening committed a rise in what
        the agent saw; nothing where the provider, the channel or the message's id is missing."""
        message_id = conversation.latest_customer_message
        receipts = self._receipts.get(conversation.provider)
        if (conversation.provider, conversation.channel) not in MARKS_READ or receipts is None or not message_id:
            return
        try:
            account = self._accounts.get(conversation.account_id)  # cached per instance (storage/accounts.py)
            if account is None:
                return
            receipts.mark_read(account, conversation.business, message_id)
        except SwitchboardError as exc:  # the provider's refusal or timeout, the account's keys, storage
            code = getattr(exc, "provider_code", None) or exc.code
            log.warning("conversation %s: message %s not marked read at %s (%s)", conversation.id, message_id,
                        conversation.provider, code)
            self._telemetry.count(metrics.READ_RECEIPT_FAILURES, provider=conversation.provider, code=code)
