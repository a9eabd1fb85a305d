"""The service's access tokens: JWTs signed HS256 with the access key, for the REST API (the
SDK signs one per request, its audience the request's URL) and for clients (audience the hub's
client URL, ``sub`` the user, ``role`` and ``webpubsub.group`` the roles and groups).

The key is checked exactly as the service checks it, so a wrong key, an expired token or one
meant for another URL fails here as it would in Azure, before the app is ever deployed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from aiohttp import web

ACCESS_KEY = web.AppKey("access_key", str)
ALGORITHM = "HS256"
USER_CLAIM = "sub"
ROLE_CLAIM = "role"
GROUP_CLAIM = "webpubsub.group"


class Refused(Exception):
    """A token the service would refuse: the caller gets 401 with this message."""


def bearer(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer`` header."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused("no Authorization: Bearer <token> header")
    return token.strip()


def verify(token: str, key: str, audience: str) -> dict[str, Any]:
    """The token's claims, if it is signed with ``key``, unexpired and meant for ``audience``.

    The audience is compared without its scheme: the SDK puts the endpoint's (http or https)
    in it, while a WebSocket arrives as ws; host, path and query must match, in any case."""
    try:
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=[ALGORITHM],
                                            options={"require": ["exp", "aud"], "verify_aud": False})
    except jwt.PyJWTError as exc:
        raise Refused(f"invalid token: {exc}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if _unscheme(audience) not in {_unscheme(str(a)) for a in audiences}:
        raise Refused(f"the token's audience {claims['aud']!r} is not {audience!r}")
    return claims


def listed(claims: dict[str, Any], name: str) -> list[str]:
    """A claim that may hold one string or a list of them (roles, groups)."""
    value = claims.get(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def client_token(key: str, audience: str, user_id: str | None, roles: list[str], groups: list[str],
                 minutes: int) -> str:
    """A client access token as ``:generateToken`` hands it out."""
    now = datetime.now(timezone.utc)
    claims: dict[str, Any] = {"aud": audience, "iat": now, "exp": now + timedelta(minutes=minutes)}
    if user_id:
        claims[USER_CLAIM] = user_id
    if roles:
        claims[ROLE_CLAIM] = roles
    if groups:
        claims[GROUP_CLAIM] = groups
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def _unscheme(url: str) -> str:
    return url.partition("://")[2].lower() if "://" in url else url.lower()
