"""A development Microsoft Entra tenant: one signing key, its OpenID metadata, and tokens.

The app checks bearer tokens (Event Grid's, today) against `ENTRA_AUTHORITY_HOST`. Locally
that is the local host itself: it serves every tenant's metadata and key set under
`/.local-entra/`, from a key created once in `.local/`, and local tools mint tokens with
the same key. Nothing reaches Microsoft, and the app's checks run unchanged.

The key is read from its file on every use rather than held, so the host and a tool
started later never disagree about it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from channels.entra import EVENT_GRID_APP_ID
from localhost.state import create_once, local_dir

PATH_PREFIX = "/.local-entra"  # outside every app route, and never served by the app in Azure
KEY_FILE = "entra-signing-key.pem"
TOKEN_LIFETIME = 3600
_ROUTE = re.compile(r"/(?P<tenant>[A-Za-z0-9.-]{1,100})/(?:v2\.0/\.well-known/(?P<metadata>openid-configuration)"
                    r"|discovery/v2\.0/(?P<keys>keys))/?")


def authority(base_url: str) -> str:
    """The `ENTRA_AUTHORITY_HOST` of the tenant served by the local host at `base_url`."""
    return base_url.rstrip("/") + PATH_PREFIX


def v1_issuer(tenant: str) -> str:
    """The issuer of Entra's v1 access tokens, which the app accepts from any authority."""
    return f"https://sts.windows.net/{tenant}/"


class LocalTenant:
    """The development tenant whose signing key is the file `key_file`."""

    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file

    @classmethod
    def of(cls, env: Mapping[str, str]) -> LocalTenant:
        """The tenant whose key lives in the development state folder of `env`."""
        return cls(local_dir(env) / KEY_FILE)

    def _signing_key(self) -> tuple[rsa.RSAPrivateKey, dict[str, Any]]:
        """The private key, and its public half as a JWK with its key id."""
        key, jwk = _loaded(create_once(self.key_file, _new_key_pem))
        if key is None:
            raise ValueError(f"{self.key_file} does not hold an RSA key; delete it to have a new one made")
        return key, jwk

    def jwks(self) -> dict[str, Any]:
        """The public key set, as Entra's `discovery/v2.0/keys` serves it."""
        return {"keys": [self._signing_key()[1]]}

    def metadata(self, authority_url: str, tenant: str) -> dict[str, Any]:
        """The tenant's OpenID metadata: what the app reads to find the key set."""
        base = f"{authority_url.rstrip('/')}/{tenant}"
        return {"issuer": f"{base}/v2.0", "jwks_uri": f"{base}/discovery/v2.0/keys",
                "id_token_signing_alg_values_supported": ["RS256"], "subject_types_supported": ["pairwise"],
                "response_types_supported": ["code", "id_token", "token id_token"], "tenant_region_scope": "local"}

    def token(self, claims: Mapping[str, Any], lifetime: int = TOKEN_LIFETIME) -> str:
        """A token with `claims`, valid from now for `lifetime` seconds, signed with the tenant's key."""
        key, jwk = self._signing_key()
        now = int(time.time())
        return jwt.encode({"iat": now, "nbf": now, "exp": now + lifetime, **claims}, key, algorithm="RS256",
                          headers={"kid": jwk["kid"]})

    def verify(self, token: str, audience: str, issuer: str) -> dict[str, Any]:
        """The claims of a token this tenant signed for `audience`; jwt.PyJWTError otherwise."""
        key, _ = self._signing_key()
        return jwt.decode(token, key.public_key(), algorithms=["RS256"], audience=audience, issuer=issuer,
                          options={"require": ["exp", "iss", "aud"]})

    def event_grid_token(self, tenant: str, audience: str) -> str:
        """What Event Grid presents to a webhook with Entra auth: a v1 access token for the
        subscription's application (`audience`), issued to Event Grid's own app."""
        return self.token({"aud": audience, "iss": v1_issuer(tenant), "tid": tenant, "ver": "1.0",
                           "appid": EVENT_GRID_APP_ID, "sub": EVENT_GRID_APP_ID})

    def answer(self, path: str, base_url: str) -> tuple[int, dict[str, Any]]:
        """The answer to a GET of `path` (below PATH_PREFIX) on the host at `base_url`."""
        found = _ROUTE.fullmatch(path)
        if found is None:
            return 404, {"error": "not_found", "error_description": f"the local tenant serves no {path}"}
        if found["keys"]:
            return 200, self.jwks()
        return 200, self.metadata(authority(base_url), found["tenant"])


@functools.lru_cache(maxsize=4)
def _loaded(pem: bytes) -> tuple[rsa.RSAPrivateKey | None, dict[str, Any]]:
    """The key a PEM holds, loaded once (loading checks the key: tens of milliseconds)."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        return None, {}
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return key, {**jwk, "kid": _thumbprint(jwk), "use": "sig", "alg": "RS256"}


def _new_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _thumbprint(jwk: Mapping[str, Any]) -> str:
    """The key's RFC 7638 thumbprint: a key id that stays the same as long as the key does."""
    canonical = json.dumps({"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
