"""Function-key checking for the local host.

Azure checks `x-functions-key` / `?code=` against the app's host keys; locally
there is exactly one key, taken from `SWITCHBOARD_LOCAL_KEY`, so tests and
`make run` can pass a known value and still exercise the 401 path.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

KEY_ENV = "SWITCHBOARD_LOCAL_KEY"
DEFAULT_LOCAL_KEY = "switchboard-local-key"
KEY_HEADER = "x-functions-key"
KEY_QUERY = "code"

# Auth levels as `azure.functions.AuthLevel` values (lower-case strings).
OPEN_LEVELS = frozenset({"anonymous"})


def local_key(environ: Mapping[str, str] | None = None) -> str:
    """The key in effect: `SWITCHBOARD_LOCAL_KEY`, or the documented default."""
    env = os.environ if environ is None else environ
    return env.get(KEY_ENV) or DEFAULT_LOCAL_KEY


def is_authorized(
    auth_level: str,
    headers: Mapping[str, str],
    params: Mapping[str, str],
    expected_key: str,
) -> bool:
    """Whether a request may call a function of `auth_level`.

    `headers` must be case-insensitive (as `azure.functions` headers are) or
    lower-cased. The comparison is constant-time so the key cannot be guessed
    byte by byte from response timings.
    """
    if auth_level.lower() in OPEN_LEVELS:
        return True
    supplied = headers.get(KEY_HEADER) or params.get(KEY_QUERY) or ""
    return hmac.compare_digest(supplied.encode(), expected_key.encode())
