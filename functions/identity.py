"""The signed-in principal of a request, as App Service Authentication (Easy Auth, with the
Entra ID provider) puts it in front of the app: ``X-MS-CLIENT-PRINCIPAL`` (base64 JSON of
the token's claims), ``-ID`` and ``-NAME``. Browsers sign in with Easy Auth's cookie
session; scripts send Entra access tokens, which Easy Auth validates the same way.

Those headers are trusted only where the platform says authentication is on
(``WEBSITE_AUTH_ENABLED``), or where the local host serves with its emulation of Easy Auth
(it strips any such header a client sends); anywhere else every agent and admin route
refuses with 401. Function keys make nobody an agent or an admin.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any, Mapping

import azure.functions as func

from conversations.access import Scope
from core.errors import Forbidden, Unauthorized
from core.identity import ROLE_NAMES, Principal, roles_of
from functions.http import origin, public_base_url, services

log = logging.getLogger(__name__)

PRINCIPAL_HEADER = "X-MS-CLIENT-PRINCIPAL"
ID_HEADER = "X-MS-CLIENT-PRINCIPAL-ID"
NAME_HEADER = "X-MS-CLIENT-PRINCIPAL-NAME"
_OBJECT_ID = ("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid")
_ROLE = ("roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")
_NAME = ("name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "preferred_username")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_principal(headers: Mapping[str, str]) -> Principal | None:
    """The principal Easy Auth describes in ``headers``, or None when there is none or it
    cannot be read (documented shape: ``{"auth_typ", "claims": [{"typ", "val"}],
    "name_typ", "role_typ"}``)."""
    raw = headers.get(PRINCIPAL_HEADER)
    if not raw:
        return None
    try:
        payload = json.loads(base64.b64decode(raw, validate=False))
        claims = [(str(c["typ"]), str(c["val"])) for c in payload.get("claims", [])]
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError):
        log.warning("ignored an unreadable %s header", PRINCIPAL_HEADER)
        return None
    return _principal(claims, payload, headers)


def _principal(claims: list[tuple[str, str]], payload: dict[str, Any], headers: Mapping[str, str]) -> Principal | None:
    def first(*types: str) -> str:
        return next((v for t, v in claims if t in types and v), "")

    object_id = (first(*_OBJECT_ID) or headers.get(ID_HEADER) or "").strip().lower()
    if not object_id:
        return None
    role_type = payload.get("role_typ")
    roles = roles_of([v for t, v in claims if t in _ROLE or t == role_type])
    app_id = first("appid", "azp")
    is_app = first("idtyp") == "app" or (not first(*_NAME, str(payload.get("name_typ") or "")) and bool(app_id))
    name = first(str(payload.get("name_typ") or ""), *_NAME) or headers.get(NAME_HEADER) or app_id or object_id
    return Principal(id=object_id, name=name[:200], roles=roles, app=is_app)


def signed_in(req: func.HttpRequest, *roles: str) -> Principal:
    """The caller, holding one of ``roles`` (any role when none are named); 401 when
    nobody is signed in (or sign-in is not on here), 403 naming the role it lacks, and 403
    for a state-changing call another site's page made (cross-site request forgery)."""
    if not services().settings.easy_auth:
        raise Unauthorized("sign-in is not enabled for this app: turn on App Service Authentication with the "
                           "Entra ID provider (infra/ does) or use the local host", code="authentication_unavailable")
    principal = client_principal(req.headers)
    if principal is None:
        raise Unauthorized("sign in first: a browser session from /.auth/login/aad, or an Entra access token "
                           "(Authorization: Bearer)", code="unauthenticated")
    if roles and not any(principal.has(role) for role in roles):
        needed = " or ".join(ROLE_NAMES[role] for role in roles)
        raise Forbidden(f"this needs the {needed} role", code="forbidden")
    if req.method.upper() not in _SAFE_METHODS:
        _same_site(req)
    return principal


def scope_of(req: func.HttpRequest, *roles: str) -> Scope:
    """The signed-in caller's reach (see signed_in), entering it in the agents directory
    the first time it calls."""
    return services().admin.directory.scope(signed_in(req, *roles))


def _same_site(req: func.HttpRequest) -> None:
    """Refuse a state-changing call that a page of another site made with the user's
    session cookie: browsers say so in Sec-Fetch-Site and Origin."""
    fetch_site = (req.headers.get("Sec-Fetch-Site") or "").lower()
    sent_origin = (req.headers.get("Origin") or "").rstrip("/")
    if fetch_site == "cross-site" or (sent_origin and sent_origin not in (origin(req), public_base_url(req))):
        raise Forbidden("a call from another site's page is refused", code="cross_site_request")
