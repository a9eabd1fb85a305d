"""Table Storage keys from outside values: PartitionKey and RowKey may not hold / \\ # ?
or control characters, so values that come from providers or clients are escaped."""

from __future__ import annotations


def safe_key(value: str) -> str:
    """``value`` with every character a key may not hold (and ``%``) as ``%XX``."""
    return "".join(c if c.isprintable() and c not in "/\\#?%" else f"%{ord(c):02X}" for c in value)


def is_record_id(value: str) -> bool:
    """Whether ``value`` can be the id of an account, workstream or contact (uuid4 hex):
    anything else cannot exist, and is not worth a storage read."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
