"""Twilio webhooks (anonymous: the X-Twilio-Signature is the lock)."""

from __future__ import annotations

import logging
from dataclasses import replace

import azure.functions as func

from channels.twilio import PROVIDER, Form, TwilioInbound, signature_is_valid, status_from_form
from core.errors import Forbidden
from core.ids import is_message_id
from core.records import Account
from functions.http import public_base_url, public_url, webhook
from functions.webhooks import account_for, take_message, take_status

bp = func.Blueprint()
log = logging.getLogger(__name__)

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _verified(req: func.HttpRequest) -> tuple[Account, Form]:
    """The account the webhook is for and its form, once the signature checks out."""
    account = account_for(req.route_params["account_id"], PROVIDER)
    form = Form.parse(req.get_body())
    if not signature_is_valid(public_url(req), form, req.headers.get("X-Twilio-Signature"),
                              account.credentials["auth_token"]):
        log.warning("rejected Twilio webhook for account %s: bad signature", account.id)
        raise Forbidden("the X-Twilio-Signature does not match this request", code="invalid_signature")
    return account, form


@bp.route(route="api/twilio/{account_id}/inbound", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook(PROVIDER)
def twilio_inbound(req: func.HttpRequest) -> func.HttpResponse:
    account, form = _verified(req)
    take_message(account, TwilioInbound.from_form(form).to_inbound(account), public_base_url(req))
    return func.HttpResponse(_EMPTY_TWIML, status_code=200, mimetype="text/xml", charset="utf-8")


@bp.route(route="api/twilio/{account_id}/status", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook(PROVIDER)
def twilio_status(req: func.HttpRequest) -> func.HttpResponse:
    """A status callback; its URL names our message (``m``), so a report finds a message
    whose Twilio id was never recorded (conversations/messaging/delivery.py)."""
    account, form = _verified(req)
    ours = req.params.get("m") or ""
    update = status_from_form(form, account)
    take_status(account, replace(update, message_id=ours) if is_message_id(ours) else update)
    return func.HttpResponse(status_code=204)
