"""Live updates (conversations/live/): GET /api/me/realtime hands a workspace the URL it
connects to Azure Web PubSub with; POST /api/realtime/events takes the service's
``connected`` and ``disconnected`` events (CloudEvents over HTTP, binary mode), which
keep agents' presence while their workspaces are connected.

The events route is anonymous to the Functions host and checks every call itself: with an
access key (the local stand-in), the service's ``ce-signature`` (HMAC-SHA256 of the
connection id); in Azure, where the resource has no keys, the token of the service's
managed identity, which App Service Authentication validates and describes in the
principal headers, compared with WEBPUBSUB_PRINCIPAL_ID. OPTIONS answers the service's
abuse-protection handshake for its own origin only. An event about a connection the
service does not confirm (a replay) changes nothing (conversations/distribution/presence.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping
from urllib.parse import urlsplit

import azure.functions as func

from conversations.live.access import client_access
from core.clock import utcnow
from core.errors import BadRequest, Forbidden, NotFound, Unauthorized
from core.identity import ADMIN, AGENT, SUPERVISOR
from functions.http import handled, json_response, services
from functions.identity import client_principal, scope_of

if TYPE_CHECKING:  # the settings load with the services, at the first request
    from functions.settings import RealtimeSettings

bp = func.Blueprint()
log = logging.getLogger(__name__)

SYSTEM_EVENTS = {"azure.webpubsub.sys.connected": "connected", "azure.webpubsub.sys.disconnected": "disconnected"}
MAX_ID = 256


@dataclass(frozen=True)
class ConnectionEvent:
    """A Web PubSub system event, as its CloudEvents headers give it."""

    kind: str  # connected | disconnected
    hub: str
    connection_id: str
    user_id: str

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> ConnectionEvent:
        kind = SYSTEM_EVENTS.get(headers.get("ce-type") or "")
        if kind is None:
            raise BadRequest("ce-type must be azure.webpubsub.sys.connected or .disconnected", code="unsupported_event")
        connection_id, user_id = headers.get("ce-connectionId") or "", headers.get("ce-userId") or ""
        if not connection_id or len(connection_id) > MAX_ID or len(user_id) > MAX_ID:
            raise BadRequest("ce-connectionId (and ce-userId) must be given, each at most 256 characters",
                             code="invalid_event")
        return cls(kind, headers.get("ce-hub") or "", connection_id, user_id)


@bp.route(route="api/me/realtime", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def realtime(req: func.HttpRequest) -> func.HttpResponse:
    """Where the caller's workspace connects for live updates, or that it long-polls."""
    scope = scope_of(req, ADMIN, SUPERVISOR, AGENT)
    found = client_access(services().distribution.realtime, scope, utcnow())
    body: dict[str, str] = {"transport": found.transport}
    if found.url is not None and found.expires_at is not None:
        body.update(url=found.url, expires_at=found.expires_at.isoformat())
    return json_response(body, headers={"Cache-Control": "no-store"})


@bp.route(route="api/realtime/events", methods=["POST", "OPTIONS"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def realtime_events(req: func.HttpRequest) -> func.HttpResponse:
    settings = services().settings.realtime
    if not settings.enabled:
        raise NotFound("live updates are not configured here (WEBPUBSUB_ENDPOINT)", code="realtime_not_configured")
    if req.method == "OPTIONS":
        return _handshake(req, settings)
    event = ConnectionEvent.of(req.headers)
    _verify(req, settings, event)
    if event.user_id:
        presence = services().distribution.presence
        (presence.connected if event.kind == "connected" else presence.disconnected)(event.user_id, event.connection_id)
    log.info("live connection %s %s", event.connection_id, event.kind)
    return func.HttpResponse(status_code=204)


def _handshake(req: func.HttpRequest, settings: RealtimeSettings) -> func.HttpResponse:
    """Abuse protection: the service asks, with its own host name, whether it may call."""
    asked = (req.headers.get("WebHook-Request-Origin") or "").strip()
    service = urlsplit(settings.service_url or "")
    if not asked or asked.lower() not in {(service.hostname or "").lower(), service.netloc.lower()}:
        raise Forbidden("WebHook-Request-Origin must be this app's Web PubSub service", code="origin_not_allowed")
    return func.HttpResponse(status_code=200, headers={"WebHook-Allowed-Origin": asked})


def _verify(req: func.HttpRequest, settings: RealtimeSettings, event: ConnectionEvent) -> None:
    if event.hub.lower() != settings.hub.lower():
        raise Forbidden(f"events are taken for hub {settings.hub} only", code="wrong_hub")
    if settings.access_key:
        expected = hmac.new(settings.access_key.encode(), event.connection_id.encode(), hashlib.sha256).hexdigest()
        given = [s.strip().removeprefix("sha256=") for s in (req.headers.get("ce-signature") or "").split(",")]
        if not any(hmac.compare_digest(expected.encode(), s.encode()) for s in given):
            raise Unauthorized("ce-signature does not verify", code="bad_signature")
        return
    caller = client_principal(req.headers) if services().settings.easy_auth else None
    if caller is None or not settings.principal_id or caller.id != settings.principal_id:
        raise Unauthorized("only the Web PubSub service's managed identity may call", code="not_the_service")
