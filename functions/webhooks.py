"""The one recipe every provider's webhook follows: find the account the URL names, let
the provider's edge verify and parse the request, check here that the business address
is the account's, and hand the message or report to the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.errors import NotFound
from core.messages import InboundMessage, StatusUpdate
from core.records import Account
from functions.http import services

if TYPE_CHECKING:
    from conversations.messaging.ingest import Ingested


class UnknownBusinessAddress(NotFound):
    """The payload names a business address the account does not hold."""

    code = "unknown_business_address"


def account_for(account_id: str, provider: str) -> Account:
    """The account a webhook URL names, if it is one of ``provider``'s (404 otherwise)."""
    account = services().stores.accounts.get(account_id)
    if account is None or account.provider != provider:
        raise NotFound("unknown account")
    return account


def owned(account: Account, business: str) -> str:
    """``business``, once it is one of the account's addresses (404 otherwise)."""
    if not account.owns(business):
        raise UnknownBusinessAddress(f"{business} is not one of this account's business addresses")
    return business


def take_message(account: Account, inbound: InboundMessage, base_url: str) -> Ingested:
    owned(account, inbound.business)
    return services().messaging.ingest.message(account, inbound, base_url)


def take_status(account: Account, update: StatusUpdate) -> bool:
    owned(account, update.business)
    return services().messaging.ingest.status(update)
