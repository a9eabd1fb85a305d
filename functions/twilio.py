"""Twilio webhooks (anonymous: the X-Twilio-Signature is the lock): run by the one recipe
(functions/webhooks.py) with Twilio's adapter (channels/twilio.py)."""

from __future__ import annotations

import azure.functions as func

from core.webhooks import ROUTES, TWILIO_INBOUND, TWILIO_STATUS
from functions.http import webhook
from functions.webhooks import run

bp = func.Blueprint()

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@bp.route(route=ROUTES[TWILIO_INBOUND], methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook("twilio")
def twilio_inbound(req: func.HttpRequest) -> func.HttpResponse:
    run(req, TWILIO_INBOUND)
    return func.HttpResponse(_EMPTY_TWIML, status_code=200, mimetype="text/xml", charset="utf-8")


@bp.route(route=ROUTES[TWILIO_STATUS], methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook("twilio")
def twilio_status(req: func.HttpRequest) -> func.HttpResponse:
    run(req, TWILIO_STATUS)
    return func.HttpResponse(status_code=204)
