"""TeleSign callbacks (anonymous: the TSA signature in the Authorization header is the lock).

Inbound SMS and delivery reports come to one URL. TeleSign retries anything but a 200,
so a callback we cannot use (another kind of notification, a report for a message we did
not send) is answered 200 and logged, never refused.
"""

from __future__ import annotations

import logging

import azure.functions as func

from channels.telesign import PROVIDER, TeleSignDeliveryReport, TeleSignInbound, parse_callback, signature_is_valid
from core.errors import Unauthorized
from core.records import Account
from functions.http import public_base_url, webhook
from functions.webhooks import UnknownBusinessAddress, account_for, take_message, take_status

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.route(route="api/telesign/{account_id}/inbound", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook(PROVIDER)
def telesign_callback(req: func.HttpRequest) -> func.HttpResponse:
    account = account_for(req.route_params["account_id"], PROVIDER)
    raw = req.get_body()
    credentials = account.credentials
    if not signature_is_valid(raw, req.headers.get("Authorization"), credentials["customer_id"],
                              credentials["api_key"]):
        log.warning("rejected TeleSign callback for account %s: bad signature", account.id)
        raise Unauthorized("the Authorization header is not TeleSign's signature of this body",
                           code="invalid_signature")
    callback = parse_callback(raw)
    if isinstance(callback, TeleSignInbound):
        take_message(account, callback.to_inbound(account), public_base_url(req))
    elif isinstance(callback, TeleSignDeliveryReport):
        _report(account, callback)
    else:
        log.info("ignored a TeleSign callback for account %s that is neither an SMS nor a delivery report", account.id)
    return func.HttpResponse(status_code=200)


def _report(account: Account, report: TeleSignDeliveryReport) -> None:
    """Apply a delivery report; one that names no message of this account is acknowledged."""
    update = report.to_status(account)
    try:
        if update is not None:
            take_status(account, update)
            return
    except UnknownBusinessAddress:
        pass
    log.info("TeleSign report %s (status %s) names no message of this account, or no news",
             report.reference_id, report.code)
