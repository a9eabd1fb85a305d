"""The local host's emulation of App Service Authentication (Easy Auth, Entra ID provider),
as the Azure Static Web Apps CLI emulates its own: a sign-in page at /.auth/login/aad where
a developer picks a name and roles, a session cookie, /.auth/me and /.auth/logout, and the
principal headers Easy Auth puts in front of the app (X-MS-CLIENT-PRINCIPAL, -ID, -NAME,
-IDP). Scripts send a bearer token instead (`python -m localhost.token`), checked as Easy
Auth checks Entra's. Any X-MS-CLIENT-* header a client sends is dropped first, so a
principal cannot be forged locally either. Nothing here exists in the deployed app.

Sessions and tokens are both tokens of the local Entra tenant (localhost/entra.py).
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, Iterable
from urllib.parse import parse_qs, urlsplit

import jwt

from core.identity import APP_ROLES
from localhost.entra import LocalTenant, v1_issuer

PREFIX = "/.auth"
COOKIE = "AppServiceAuthSession"
AUDIENCE = "api://switchboard-local"
TENANT = "5e55b0a7-d0c1-4a11-8e55-000000000001"  # the local tenant's id in tokens
SESSION_SECONDS = 8 * 3600
_CLIENT_HEADER_PREFIX = "x-ms-client-"
_NAMESPACE = uuid.UUID("0d6a1c1e-5b0c-4bb5-9a57-7f0a3f3c7a10")  # names map to the same object id every time


class InvalidToken(Exception):
    """A bearer token or session the local tenant did not sign (answered 401, as Easy Auth does)."""


def object_id_of(name: str) -> str:
    """The object id a local name signs in as (the same one on every sign-in)."""
    return str(uuid.uuid5(_NAMESPACE, name.strip().lower()))


class EasyAuth:
    def __init__(self, tenant: LocalTenant) -> None:
        self._tenant = tenant

    def token(self, name: str, roles: Iterable[str], object_id: str | None = None, app: bool = False,
              lifetime: int = SESSION_SECONDS) -> str:
        """A token for a local principal; ``roles`` are app role values (Switchboard.Admin, ...)."""
        claims: dict[str, Any] = {"aud": AUDIENCE, "iss": v1_issuer(TENANT), "tid": TENANT,
                                  "oid": object_id or object_id_of(name), "roles": sorted(set(roles)),
                                  "idtyp": "app" if app else "user"}
        claims["sub"] = claims["oid"]
        if app:
            claims["appid"] = claims["oid"]
        else:
            claims["name"] = name
        return self._tenant.token(claims, lifetime)

    def claims(self, headers: dict[str, str]) -> dict[str, Any] | None:
        """The caller's claims from a bearer token or the session cookie; None when neither
        is there; InvalidToken when one is there but not the local tenant's."""
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            token = _cookie(headers.get("cookie") or "", COOKIE)
        if not token:
            return None
        try:
            claims = self._tenant.verify(token.strip(), AUDIENCE, v1_issuer(TENANT))
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        if not isinstance(claims.get("oid"), str):  # whom it signs in: Easy Auth's principal id
            raise InvalidToken("MissingObjectId")
        return claims

    def request_headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The request's headers as the app sees them: a client's X-MS-CLIENT-* dropped,
        Easy Auth's own added for a signed-in caller. A token this tenant did not sign
        signs nobody in (the app then refuses what needs a principal): it may be meant for
        someone else, as Event Grid's token is for a webhook Easy Auth leaves alone."""
        kept = [(k, v) for k, v in headers if not k.lower().startswith(_CLIENT_HEADER_PREFIX)]
        try:
            claims = self.claims({k.lower(): v for k, v in kept})
        except InvalidToken:
            return kept
        return kept if claims is None else kept + principal_headers(claims)


def user_claims(claims: dict[str, Any]) -> list[dict[str, str]]:
    """A token's claims as Easy Auth lists them: ``{"typ", "val"}`` pairs, a role each."""
    return [{"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": claims["oid"]},
            *({"typ": k, "val": str(claims[k])} for k in ("name", "appid", "idtyp", "tid") if k in claims),
            *({"typ": "roles", "val": r} for r in claims.get("roles", []))]


def principal_headers(claims: dict[str, Any]) -> list[tuple[str, str]]:
    """What Easy Auth sends the app for a signed-in caller (documented payload shape)."""
    payload = {"auth_typ": "aad", "claims": user_claims(claims), "name_typ": "name", "role_typ": "roles"}
    encoded = base64.b64encode(json.dumps(payload).encode()).decode()
    name = claims.get("name") or claims.get("appid") or claims["oid"]
    return [("X-MS-CLIENT-PRINCIPAL", encoded), ("X-MS-CLIENT-PRINCIPAL-ID", claims["oid"]),
            ("X-MS-CLIENT-PRINCIPAL-NAME", name), ("X-MS-CLIENT-PRINCIPAL-IDP", "aad")]


def role_choices() -> list[str]:
    return sorted(APP_ROLES)


def same_site_path(value: str | None) -> str:
    """A redirect target after sign-in or sign-out: a path on this site, never another one."""
    # A browser reads "/\host" as "//host", and drops tabs and line breaks: another site.
    if (not value or not value.startswith("/") or any(ord(ch) < 0x20 for ch in value)
            or value[1:2] in ("/", "\\") or urlsplit(value).netloc):
        return "/"
    return value


def form_fields(body: bytes) -> dict[str, list[str]]:
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""
