"""Twilio webhooks (anonymous: the X-Twilio-Signature is the lock)."""

from __future__ import annotations

import logging

import azure.functions as func

from channels.twilio import PROVIDER, Form, TwilioInbound, signature_is_valid, status_from_form
from conversations.errors import Forbidden, NotFound
from conversations.models import Account
from functions.http import handled, public_base_url, public_url
from functions.wiring import services

bp = func.Blueprint()
log = logging.getLogger(__name__)

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _verified(req: func.HttpRequest) -> tuple[Account, Form]:
    """The account the webhook is for and its form, once the signature checks out."""
    account = services().accounts.get(req.route_params["account_id"])
    if account is None or account.provider != PROVIDER:
        raise NotFound("unknown account")
    form = Form.parse(req.get_body())
    url = public_url(req)
    if not signature_is_valid(url, form, req.headers.get("X-Twilio-Signature"), account.credentials["auth_token"]):
        log.warning("rejected Twilio webhook for account %s: bad signature", account.id)
        raise Forbidden("the X-Twilio-Signature does not match this request", code="invalid_signature")
    return account, form


@bp.route(route="api/twilio/{account_id}/inbound", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def twilio_inbound(req: func.HttpRequest) -> func.HttpResponse:
    account, form = _verified(req)
    message = TwilioInbound.from_form(form)
    if message.channel != account.channel:  # e.g. the WhatsApp sandbox pointed at an SMS account's URL
        raise NotFound(f"this account takes {account.channel} messages; this one came over {message.channel}")
    inbound = message.to_inbound(account.id)
    if not account.owns(inbound.business):
        raise NotFound("the To number is not one of this account's numbers")
    services().engine.ingest(account, inbound, public_base_url(req))
    return func.HttpResponse(_EMPTY_TWIML, status_code=200, mimetype="text/xml", charset="utf-8")


@bp.route(route="api/twilio/{account_id}/status", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def twilio_status(req: func.HttpRequest) -> func.HttpResponse:
    account, form = _verified(req)
    update = status_from_form(form, account.id)
    if not account.owns(update.business):
        raise NotFound("the From number is not one of this account's numbers")
    services().engine.apply_status(update)
    return func.HttpResponse(status_code=204)
