"""The one recipe every provider's webhook follows (core/webhooks.py): find the account the
URL names, let the provider's adapter verify the request and parse it into parts, check
that each part's business address is the account's, and hand each message or report to
ingest. A provider's function (twilio.py, telesign.py, acs.py) is its route and its
answer."""

from __future__ import annotations

import logging
from typing import Literal

import azure.functions as func

from core.errors import NotFound, StorageUnavailable, SwitchboardError
from core.messages import InboundMessage
from core.records import Account
from core.webhooks import Item, Parsed, Part, Skipped, Webhook, WebhookRequest
from functions.http import public_base_url, public_url, services
from functions.tracing import telemetry

log = logging.getLogger(__name__)

Outcome = Literal["stored", "duplicate", "status", "ignored", "failed"]


class UnknownBusinessAddress(NotFound):
    """The payload names a business address the account does not hold."""

    code = "unknown_business_address"


def run(req: func.HttpRequest, name: str) -> tuple[Parsed, list[Outcome]]:
    """Run webhook ``name`` (a key of core.webhooks.ROUTES) on the request: what it parsed
    (a handshake's answer, if any) and what became of each part."""
    webhook: Webhook = services().webhooks[name]
    account = account_for(req.route_params["account_id"], webhook.provider)
    request = WebhookRequest(public_url(req), req.params, req.headers, req.get_body())
    try:
        webhook.verify(request, account)
    except SwitchboardError as exc:
        log.warning("rejected a %s webhook for account %s: %s", webhook.provider, account.id, exc.code)
        raise
    parsed = webhook.parse(request, account)
    base_url = public_base_url(req)
    return parsed, [_take(webhook, account, part, base_url) for part in parsed.parts]


def account_for(account_id: str, provider: str) -> Account:
    """The account a webhook URL names, if it is one of ``provider``'s (404 otherwise)."""
    account = services().stores.accounts.get(account_id)
    if account is None or account.provider != provider:
        raise NotFound("unknown account")
    return account


def _take(webhook: Webhook, account: Account, part: Part, base_url: str) -> Outcome:
    if not webhook.isolated:
        return _handed(account, part, base_url)
    with telemetry().span(f"{webhook.provider}.event", event_id=part.id):
        try:
            return _handed(account, part, base_url)
        except StorageUnavailable:
            raise  # the provider retries the delivery; what was stored is recognised
        except Exception:  # noqa: BLE001 - one bad part of a batch never holds back the others
            log.exception("part %s of a %s delivery for account %s could not be handled", part.id,
                          webhook.provider, account.id)
            return "failed"


def _handed(account: Account, part: Part, base_url: str) -> Outcome:
    try:
        item: Item = part.read()
    except Skipped as exc:
        log.info("skipped %s for account %s: %s", part.id or "a callback", account.id, exc)
        return "ignored"
    if not account.owns(item.business):
        raise UnknownBusinessAddress(f"{item.business} is not one of this account's business addresses")
    ingest = services().messaging.ingest
    if isinstance(item, InboundMessage):
        return "duplicate" if ingest.message(account, item, base_url).duplicate else "stored"
    ingest.status(item)
    return "status"
