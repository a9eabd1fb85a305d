"""TeleSign callbacks (anonymous: the TSA signature in the Authorization header is the lock).

Inbound SMS and delivery reports come to one URL. TeleSign retries anything but a 200,
so a callback we cannot use (another kind of notification, a report for a message we did
not send) is answered 200 and logged, never refused.
"""

from __future__ import annotations

import logging

import azure.functions as func

from channels.telesign import PROVIDER, TeleSignInbound, parse_callback, signature_is_valid
from conversations.errors import NotFound, Unauthorized
from functions.http import handled, public_base_url
from functions.wiring import services

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.route(route="api/telesign/{account_id}/inbound", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def telesign_callback(req: func.HttpRequest) -> func.HttpResponse:
    account = services().accounts.get(req.route_params["account_id"])
    if account is None or account.provider != PROVIDER:
        raise NotFound("unknown account")
    raw = req.get_body()
    credentials = account.credentials
    if not signature_is_valid(raw, req.headers.get("Authorization"), credentials["customer_id"],
                              credentials["api_key"]):
        log.warning("rejected TeleSign callback for account %s: bad signature", account.id)
        raise Unauthorized("the Authorization header is not TeleSign's signature of this body",
                           code="invalid_signature")
    callback = parse_callback(raw)
    if isinstance(callback, TeleSignInbound):
        inbound = callback.to_inbound(account.id)
        if not account.owns(inbound.business):
            raise NotFound("the sender_id is not one of this account's numbers")
        services().engine.ingest(account, inbound, public_base_url(req))
    elif callback is not None:
        update = callback.to_status(account.id)
        if update is None or not account.owns(update.business):
            log.info("TeleSign report %s (status %s) names no message of this account, or no news",
                     callback.reference_id, callback.code)
        else:
            services().engine.apply_status(update)
    else:
        log.info("ignored a TeleSign callback for account %s that is neither an SMS nor a delivery report", account.id)
    return func.HttpResponse(status_code=200)
