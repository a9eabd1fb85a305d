"""Secret sealing: provider credentials are encrypted before they reach storage.

The key comes from the SWITCHBOARD_SEALING_KEY app setting (in Azure, a Key Vault
reference). It may hold several comma-separated Fernet keys: the first seals, all unseal,
so a key can be rotated without a window where stored secrets are unreadable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Sequence

from core.errors import ConfigurationError


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        from cryptography.fernet import (  # loaded with the first storage use, not at import
            Fernet,
            MultiFernet,
        )

        if not keys:
            raise ConfigurationError(
                "SWITCHBOARD_SEALING_KEY is not set; generate one with "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            )
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except (ValueError, TypeError) as exc:
            raise ConfigurationError("SWITCHBOARD_SEALING_KEY must be Fernet keys (urlsafe base64, 32 bytes)") from exc

    def seal(self, secrets: dict[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()

    def unseal(self, sealed: str) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        try:
            return json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken as exc:
            raise ConfigurationError("stored credentials cannot be unsealed with the configured sealing keys") from exc



class Hasher:
    """Keyed hashes (HMAC-SHA256) of values kept only to be recognised again, such as an
    erased customer's thread that opted out. Each sealing key gives a hash key of its own
    (derived, so the Fernet key itself never hashes anything): the first hashes, all
    match, so rotating SWITCHBOARD_SEALING_KEY keeps earlier hashes recognised."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigurationError("SWITCHBOARD_SEALING_KEY is not set; it also keys the hashed opt-outs")
        self._keys = [hashlib.sha256(b"switchboard keyed hash\n" + k.encode()).digest() for k in keys]

    def digest(self, value: str) -> str:
        return self.digests(value)[0]

    def digests(self, value: str) -> list[str]:
        """The value's hash under every key, the current one first."""
        data = value.encode("utf-8", "surrogatepass")
        return [hmac.new(key, data, hashlib.sha256).hexdigest() for key in self._keys]
