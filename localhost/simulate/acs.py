"""Azure Communication Services events as the resource's Event Grid subscription delivers
them: a customer's WhatsApp message or SMS, a delivery report, and the validation handshake.

Events as Microsoft documents them (tests/fixtures/acs/), in the Event Grid schema or, with
--cloudevents, in CloudEvents 1.0. When the account wants Entra delivery auth, each
delivery carries a bearer token from the local development tenant, as Event Grid's would.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

import requests

from channels import acs
from channels.eventgrid import VALIDATION_EVENT
from localhost.simulate.delivery import (
    DEFAULT_CUSTOMER, Delivery, Options, SimulationError, business_address, digits, plus, refuse_media, timestamp,
)
from localhost.simulate.target import Target

STATUSES = {"whatsapp": ("sent", "delivered", "read", "failed"), "sms": ("delivered", "failed", "expired")}
HANDSHAKE_ORIGIN = "eventgrid.azure.net"


def message(target: Target, options: Options) -> Delivery:
    """`AdvancedMessageReceived` (WhatsApp) or `SMSReceived`, per the account's channel."""
    refuse_media(options, "ACS")
    account, now = target.account, timestamp()
    customer, business = digits(plus(options.from_ or DEFAULT_CUSTOMER)), business_address(account, options.to)
    if account.channel == "whatsapp":
        event_id = options.id or str(uuid.uuid4())
        data = {"content": options.body, "channelType": "whatsapp", "messageType": "text", "from": customer,
                "to": business, "receivedTimestamp": now}
        event = _event(target, acs.MESSAGE_RECEIVED, f"advancedMessage/sender/{customer}/recipient/{business}",
                       data, event_id)
        return _events(target, options, "ACS WhatsApp message", event, {"event id": event_id})
    message_id = options.id or f"Incoming_{datetime.now(timezone.utc):%Y%m%d%H%M%S}{uuid.uuid4()}"
    data = {"messageId": message_id, "from": customer, "to": digits(plus(business)), "message": options.body,
            "receivedTimestamp": now, "segmentCount": 1}
    event = _event(target, acs.SMS_RECEIVED, f"/phonenumber/{digits(plus(business))}", data, message_id)
    return _events(target, options, "ACS SMS message", event, {"messageId": message_id})


def status(target: Target, options: Options) -> Delivery:
    """`AdvancedMessageDeliveryStatusUpdated` or `SMSDeliveryReportReceived` for a message the app sent."""
    channel, state = target.account.channel, options.status.lower()
    if not options.message_id:
        raise SimulationError("a delivery report is about a message: give its ACS message id with --message-id")
    if state not in STATUSES[channel]:
        raise SimulationError(f"ACS {channel} --status is one of {', '.join(STATUSES[channel])}")
    business = business_address(target.account, options.from_)
    customer, event_id = plus(options.to or DEFAULT_CUSTOMER), options.id or str(uuid.uuid4())
    report, what = (_whatsapp_status, "WhatsApp delivery status") if channel == "whatsapp" else \
        (_sms_report, "SMS delivery report")
    event = report(target, options, state.title(), business, customer, event_id)
    return _events(target, options, f"ACS {what} ({state.title()})", event, {"event id": event_id})


def _whatsapp_status(target: Target, options: Options, title: str, channel_id: str, customer: str,
                     event_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {"messageId": options.message_id, "status": title, "channelType": "whatsapp",
                            "from": channel_id, "to": digits(customer), "receivedTimestamp": timestamp()}
    if options.error_code:
        data["error"] = {"channelCode": options.error_code, "channelMessage": ""}
    return _event(target, acs.MESSAGE_STATUS, f"advancedMessage/{options.message_id}/status/{title}", data, event_id)


def _sms_report(target: Target, options: Options, title: str, business: str, customer: str,
                event_id: str) -> dict[str, Any]:
    if options.error_code:
        raise SimulationError("ACS SMS reports carry no error code: --status failed or expired is the reason")
    delivered = title == "Delivered"
    data = {"messageId": options.message_id, "from": digits(plus(business)), "to": customer, "deliveryStatus": title,
            "deliveryStatusDetails": "No error." if delivered else f"{title} (simulated)",
            "receivedTimestamp": timestamp(),
            "deliveryAttempts": [{"timestamp": timestamp(), "segmentsSucceeded": int(delivered),
                                  "segmentsFailed": int(not delivered)}]}
    return _event(target, acs.SMS_REPORT, f"/phonenumber/{digits(plus(business))}", data, event_id)


def handshake(target: Target, options: Options) -> Delivery:
    """Event Grid's endpoint validation: the SubscriptionValidationEvent, or CloudEvents' OPTIONS."""
    path = f"/api/acs/{target.account.id}/events"
    if options.cloudevents:
        headers = {"WebHook-Request-Origin": HANDSHAKE_ORIGIN, "WebHook-Request-Rate": "120", **_auth(target)}
        return Delivery("CloudEvents validation handshake", path, b"", headers, method="OPTIONS",
                        verdict=_allowed_origin, shown=("WebHook-Allowed-Origin", "WebHook-Allowed-Rate", "Allow"))
    code = str(uuid.uuid4())
    data = {"validationCode": code,
            "validationUrl": f"https://rp-local.eventgrid.azure.net:553/eventsubscriptions/local/validate?id={code}"}
    event = {**_event(target, VALIDATION_EVENT, "", data, options.id or str(uuid.uuid4())), "dataVersion": "1"}
    body = json.dumps([event]).encode()
    headers = {"Content-Type": "application/json", "aeg-event-type": "SubscriptionValidation", **_auth(target)}
    return Delivery("Event Grid subscription validation", path, body, headers, {"validationCode": code},
                    verdict=lambda answer: _echoed(answer, code))


def _event(target: Target, kind: str, subject: str, data: dict[str, Any], event_id: str) -> dict[str, Any]:
    resource = target.account.credentials.get("resource_name", "local")
    topic = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/providers/"
             f"microsoft.communication/communicationservices/{resource}")
    return {"id": event_id, "topic": topic, "subject": subject, "data": data, "eventType": kind,
            "dataVersion": "1.0", "metadataVersion": "1", "eventTime": timestamp()}


def _events(target: Target, options: Options, what: str, event: dict[str, Any], ids: dict[str, str]) -> Delivery:
    """One event delivered as Event Grid batches it, in the schema the user picked."""
    if options.cloudevents:  # the mapping Event Grid applies (tests/fixtures/acs/README.md)
        event = {"id": event["id"], "source": event["topic"], "subject": event["subject"], "data": event["data"],
                 "type": event["eventType"], "time": event["eventTime"], "specversion": "1.0"}
    content_type = "application/cloudevents-batch+json" if options.cloudevents else "application/json"
    headers = {"Content-Type": content_type, "aeg-event-type": "Notification", "aeg-delivery-count": "0",
               **_auth(target)}
    return Delivery(what, f"/api/acs/{target.account.id}/events", json.dumps([event]).encode(), headers, ids,
                    verdict=_taken)


def _auth(target: Target) -> dict[str, str]:
    """Event Grid's bearer token, when the account wants Entra delivery auth."""
    credentials = target.account.credentials
    tenant, audience = credentials.get("eventgrid_tenant_id"), credentials.get("eventgrid_app_id")
    if not (tenant and audience):
        return {}
    return {"Authorization": f"Bearer {target.tenant.event_grid_token(tenant, audience)}"}


def _taken(answer: requests.Response) -> str | None:
    counts = answer.json()
    if counts.get("stored", 0) + counts.get("duplicate", 0) + counts.get("status", 0):
        return None
    return "the app took none of the events (the host's log says why)"


def _echoed(answer: requests.Response, code: str) -> str | None:
    return None if answer.json().get("validationResponse") == code else "the answer does not echo the validationCode"


def _allowed_origin(answer: requests.Response) -> str | None:
    allowed = answer.headers.get("WebHook-Allowed-Origin")
    return None if allowed == HANDSHAKE_ORIGIN else "the answer allows no Event Grid origin"
