"""What the engine's parts share: conversation ids, and retrying a lost ETag race."""

from __future__ import annotations

import random
import secrets
import time

ATTEMPTS = 40  # tries at a thread head before giving up (StorageUnavailable: the caller retries)
CONVERSATION_ID_LENGTH = 44  # the thread's 32-character partition key and 12 random hex characters


def new_conversation_id(pk: str) -> str:
    """A conversation id starts with its thread's partition key, so it leads to its rows."""
    return pk + secrets.token_hex((CONVERSATION_ID_LENGTH - len(pk)) // 2)


def well_formed(conversation_id: str) -> bool:
    return len(conversation_id) == CONVERSATION_ID_LENGTH and all(c in "0123456789abcdef" for c in conversation_id)


def is_record_id(value: str) -> bool:
    """Whether ``value`` can be the id of an account, workstream or contact (uuid4 hex):
    anything else cannot exist, and is not worth a storage read."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def back_off(attempt: int) -> None:
    """A short random pause before reading the head again, growing with each lost race."""
    time.sleep(random.uniform(0, min(0.2, 0.005 * (2 ** min(attempt, 6)))))
