"""Azure Communication Services events, pushed by the resource's Event Grid system topic
(anonymous route: the account's Entra settings, when given, are the lock)."""

from __future__ import annotations

import logging

import azure.functions as func

from channels import acs
from channels.eventgrid import Event, handshake_headers, parse_events, validation_code
from core.errors import StorageUnavailable
from core.records import Account
from functions.http import json_response, public_base_url, services, webhook
from functions.tracing import telemetry
from functions.webhooks import UnknownBusinessAddress, account_for, take_message, take_status

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.route(route="api/acs/{account_id}/events", methods=["OPTIONS"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook(acs.PROVIDER)
def acs_events_handshake(req: func.HttpRequest) -> func.HttpResponse:
    account_for(req.route_params["account_id"], acs.PROVIDER)
    return func.HttpResponse(status_code=200, headers=handshake_headers(req.headers.get("WebHook-Request-Origin")))


@bp.route(route="api/acs/{account_id}/events", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook(acs.PROVIDER)
def acs_events(req: func.HttpRequest) -> func.HttpResponse:
    account = account_for(req.route_params["account_id"], acs.PROVIDER)
    tenant, audience = account.credentials.get("eventgrid_tenant_id"), account.credentials.get("eventgrid_app_id")
    if tenant and audience:
        services().eventgrid.verify(req.headers.get("Authorization"), tenant, audience)
    events = parse_events(req.get_body())
    code = validation_code(events)
    if code is not None:
        log.info("answered Event Grid subscription validation for account %s", account.id)
        return json_response({"validationResponse": code})
    counts = {"stored": 0, "duplicate": 0, "status": 0, "ignored": 0, "failed": 0}
    base_url = public_base_url(req)
    for event in events:
        with telemetry().span("acs.event", event_id=event.id):
            counts[_handle(account, event, base_url)] += 1
    return json_response(counts)


def _handle(account: Account, event: Event, base_url: str) -> str:
    """Hand one event over. A storage outage propagates (503: Event Grid retries the
    delivery, and what was stored already is recognised). Any other failure stays with its
    event, logged with its id, so one bad event never holds back the rest of the batch."""
    wanted = acs.EVENTS_BY_CHANNEL[account.channel]
    if not any(event.is_type(kind) for kind in wanted):
        log.info("ignored event %s of type %s for account %s", event.id, event.type, account.id)
        return "ignored"
    try:
        if event.is_type(acs.MESSAGE_RECEIVED) or event.is_type(acs.SMS_RECEIVED):
            parsed = (acs.AdvancedMessageReceived if event.is_type(acs.MESSAGE_RECEIVED) else acs.SmsReceived)
            result = take_message(account, parsed.from_event(event).to_inbound(account), base_url)
            return "duplicate" if result.duplicate else "stored"
        take_status(account, (acs.whatsapp_status if event.is_type(acs.MESSAGE_STATUS) else acs.sms_report)(
            event, account))
        return "status"
    except (acs.SkippedEvent, UnknownBusinessAddress) as exc:
        log.warning("skipped event %s for account %s: %s", event.id, account.id, exc)
        return "ignored"
    except StorageUnavailable:
        raise
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("event %s (%s) for account %s could not be handled", event.id, event.type, account.id)
        return "failed"
