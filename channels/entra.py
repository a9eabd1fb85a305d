"""The Microsoft Entra bearer token Event Grid presents when a subscription uses Entra
auth, checked against the tenant's published signing keys (PyJWT)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import jwt
import requests

from core.errors import SwitchboardError, Unauthorized

log = logging.getLogger(__name__)

EVENT_GRID_APP_ID = "4962773b-9cdb-44cf-a8bf-237846a00ab7"  # the app Event Grid signs in as


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
