"""What the services know of a provider, without its SDK: channels, credentials, callback
URLs. channels/providers.py lists the providers; admins and the engine are handed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    channels: tuple[str, ...]
    secret_fields: frozenset[str]
    # The credentials an admin gave, checked and trimmed (ValidationFailed naming the field).
    check_credentials: Callable[[dict[str, str]], dict[str, str]]
    # (base URL, account id) -> the callback URLs to give the provider, and where to paste them.
    callbacks: Callable[[str, str], dict[str, str]]
    # Channels whose business address is a provider channel registration, not a number.
    registered_channels: tuple[str, ...] = ()
    # Whether customers' attachments can be fetched with the account's credentials.
    fetches_media: bool = False
    # Whether it marks a customer's WhatsApp message read with a call that does nothing else.
    marks_read: bool = False
    # Whether each send names its own status callback URL (which then names our message id).
    callback_per_message: bool = False

    def status_callback(self, base_url: str, account_id: str, message_id: str) -> str | None:
        """The status callback URL of one send, naming our message id, where the provider takes one."""
        url = self.callbacks(base_url, account_id).get("status_url") if self.callback_per_message else None
        return f"{url}?m={message_id}" if url else None
