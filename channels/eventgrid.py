"""Azure Event Grid push delivery: event envelopes, the validation handshakes, and the
Microsoft Entra bearer token Event Grid presents when a subscription uses Entra auth.

Both delivery schemas are accepted: the Event Grid schema (a JSON array of events with
``eventType``) and CloudEvents 1.0 (one event, or a batch array, with ``type``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping

import jwt
import requests

from conversations.errors import BadRequest, SwitchboardError, Unauthorized
from conversations.validation import parse_json

log = logging.getLogger(__name__)

VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent"
EVENT_GRID_APP_ID = "4962773b-9cdb-44cf-a8bf-237846a00ab7"  # the app Event Grid signs in as
MAX_EVENTS = 5000


class Data(dict):
    """An event's ``data``, read with keys in any case (samples use messageId and MessageId)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__({str(k).lower(): v for k, v in raw.items()})

    def text(self, key: str) -> str:
        value = self.get(key.lower())
        return value.strip() if isinstance(value, str) else ""

    def section(self, key: str) -> "Data":
        value = self.get(key.lower())
        return Data(value) if isinstance(value, dict) else Data({})


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    subject: str
    data: Data

    @classmethod
    def from_json(cls, raw: Any) -> "Event":
        if not isinstance(raw, dict):
            raise BadRequest("each event must be a JSON object")
        kind = raw.get("eventType") if "eventType" in raw else raw.get("type")  # Event Grid / CloudEvents
        event_id = raw.get("id")
        if not isinstance(kind, str) or not kind or not isinstance(event_id, str) or not event_id:
            raise BadRequest("each event needs an id and an eventType (or a CloudEvents type)")
        data = raw.get("data")
        return cls(id=event_id, type=kind, subject=str(raw.get("subject") or ""),
                   data=Data(data if isinstance(data, dict) else {}))

    def is_type(self, kind: str) -> bool:
        return self.type.lower() == kind.lower()


def parse_events(body: bytes) -> list[Event]:
    """The events of one delivery; BadRequest (400, not retried) when it is not JSON."""
    raw = parse_json(body, "the delivery", lone_surrogates="replace")
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > MAX_EVENTS:
        raise BadRequest(f"a delivery carries at most {MAX_EVENTS} events")
    return [Event.from_json(item) for item in items]


def validation_code(events: list[Event]) -> str | None:
    """The code to echo when the delivery is Event Grid's subscription validation."""
    for event in events:
        if event.is_type(VALIDATION_EVENT):
            code = event.data.text("validationCode")
            if not code:
                raise BadRequest("the validation event carries no validationCode")
            return code
    return None


def handshake_headers(request_origin: str | None) -> dict[str, str]:
    """The answer to CloudEvents' OPTIONS abuse-protection handshake."""
    if not request_origin:
        raise BadRequest("WebHook-Request-Origin is required")
    return {"WebHook-Allowed-Origin": request_origin, "WebHook-Allowed-Rate": "*", "Allow": "POST"}


class EntraVerifier:
    """Checks Event Grid's bearer token against the tenant's published signing keys.

    The OpenID metadata and key sets are cached per tenant; an unknown key id refreshes
    the key set once (key rotation), as PyJWKClient does.
    """

    def __init__(self, authority_host: str, timeout: float = 10.0, cache_seconds: float = 3600.0) -> None:
        self._authority = authority_host.rstrip("/")
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._clients: dict[str, tuple[float, jwt.PyJWKClient]] = {}
        self._lock = threading.Lock()

    def verify(self, authorization: str | None, tenant_id: str, audience: str) -> dict[str, Any]:
        """The token's claims; Unauthorized (401) when it is missing or not acceptable."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("an Entra bearer token from Event Grid is required", code="missing_token")
        try:
            key = self._keys(tenant_id).get_signing_key_from_jwt(token.strip())
        except (jwt.PyJWKClientConnectionError, requests.RequestException, KeyError, ValueError) as exc:
            # Not the sender's fault: answer 503 so Event Grid retries instead of dropping the events.
            log.warning("Entra signing keys unavailable for tenant %s: %s", tenant_id, type(exc).__name__)
            raise SwitchboardError("the Entra signing keys cannot be fetched now, try again",
                                   code="signing_keys_unavailable", status=503) from exc
        except jwt.PyJWTError as exc:
            log.warning("rejected Event Grid token: %s", type(exc).__name__)
            raise Unauthorized("the bearer token is not a valid Event Grid token for this account",
                               code="invalid_token") from exc
        try:
            claims = jwt.decode(
                token.strip(), key.key, algorithms=["RS256"], audience=audience,
                issuer=[f"https://sts.windows.net/{tenant_id}/", f"{self._authority}/{tenant_id}/v2.0"],
                options={"require": ["exp", "iss", "aud"]}, leeway=60,
            )
        except jwt.PyJWTError as exc:
            log.warning("rejected Event Grid token: %s", type(exc).__name__)
            raise Unauthorized("the bearer token is not a valid Event Grid token for this account",
                               code="invalid_token") from exc
        app_id = claims.get("appid") or claims.get("azp")  # v1 tokens carry appid, v2 tokens azp
        if app_id != EVENT_GRID_APP_ID:
            log.warning("rejected Event Grid token: app id is not Event Grid's")
            raise Unauthorized("the bearer token was not issued to Event Grid", code="invalid_token")
        return claims

    def _keys(self, tenant_id: str) -> jwt.PyJWKClient:
        now = time.monotonic()
        with self._lock:
            cached = self._clients.get(tenant_id)
        if cached and cached[0] > now:
            return cached[1]
        metadata_url = f"{self._authority}/{tenant_id}/v2.0/.well-known/openid-configuration"
        response = requests.get(metadata_url, timeout=self._timeout)
        response.raise_for_status()
        client = jwt.PyJWKClient(response.json()["jwks_uri"], cache_keys=True, lifespan=self._cache_seconds,
                                 timeout=self._timeout)
        with self._lock:
            self._clients[tenant_id] = (now + self._cache_seconds, client)
        return client
