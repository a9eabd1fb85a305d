"""Table Storage keys from outside values: PartitionKey and RowKey may not hold / \\ # ?
or control characters, so values that come from providers or clients are escaped."""

from __future__ import annotations


def safe_key(value: str) -> str:
    """``value`` with every character a key may not hold (and ``%``) as ``%XX``."""
    return "".join(c if c.isprintable() and c not in "/\\#?%" else f"%{ord(c):02X}" for c in value)

