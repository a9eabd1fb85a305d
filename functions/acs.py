"""Azure Communication Services events, pushed by the resource's Event Grid system topic
(anonymous route: the account's Entra settings, when given, are the lock), run by the one
recipe (functions/webhooks.py) with ACS's adapter (channels/acs.py): each event of a
batch on its own, a storage outage answered 503 so that Event Grid delivers again."""

from __future__ import annotations

import logging
from collections import Counter

import azure.functions as func

from core.webhooks import ACS, ROUTES, handshake_headers
from functions.http import json_response, webhook
from functions.webhooks import account_for, run

bp = func.Blueprint()
log = logging.getLogger(__name__)

OUTCOMES = ("stored", "duplicate", "status", "ignored", "failed")


@bp.route(route=ROUTES[ACS], methods=["OPTIONS"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook("acs")
def acs_events_handshake(req: func.HttpRequest) -> func.HttpResponse:
    account_for(req.route_params["account_id"], "acs")
    return func.HttpResponse(status_code=200, headers=handshake_headers(req.headers.get("WebHook-Request-Origin")))


@bp.route(route=ROUTES[ACS], methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook("acs")
def acs_events(req: func.HttpRequest) -> func.HttpResponse:
    parsed, outcomes = run(req, ACS)
    if parsed.answer is not None:
        log.info("answered Event Grid subscription validation for account %s", req.route_params["account_id"])
        return json_response(parsed.answer)
    counted = Counter(outcomes)
    return json_response({outcome: counted[outcome] for outcome in OUTCOMES})
