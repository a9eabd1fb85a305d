"""Identifiers: record ids, and conversation ids that lead to their thread's partition."""

from __future__ import annotations

import hashlib
import secrets
import uuid

THREAD_KEY_LENGTH = 32
CONVERSATION_ID_LENGTH = 44  # the thread's 32-character key and 12 random hex characters
_HEX = frozenset("0123456789abcdef")


def new_record_id() -> str:
    """The id of a new account, workstream or contact (uuid4 as 32 hex characters)."""
    return uuid.uuid4().hex


def is_record_id(value: str) -> bool:
    """Whether ``value`` can be the id of an account, workstream or contact: anything else
    cannot exist, and is not worth a storage read."""
    return len(value) == 32 and set(value) <= _HEX


def is_message_id(value: str) -> bool:
    """Whether ``value`` can be one of our message ids (32 hex characters)."""
    return is_record_id(value)


def is_object_id(value: str) -> bool:
    """Whether ``value`` is an Entra object id as tokens carry it (a GUID, lower case)."""
    return len(value) == 36 and value.count("-") == 4 and set(value) <= _HEX | {"-"}


def thread_key(account_id: str, business: str, customer: str) -> str:
    """The key of one customer's thread with one business address of one account."""
    return hashlib.sha256(f"{account_id}|{business}|{customer}".encode()).hexdigest()[:THREAD_KEY_LENGTH]


def new_conversation_id(thread: str) -> str:
    """A conversation id starts with its thread's key, so it leads to its rows."""
    return thread + secrets.token_hex((CONVERSATION_ID_LENGTH - len(thread)) // 2)


def thread_of(conversation_id: str) -> str:
    return conversation_id[:THREAD_KEY_LENGTH]


def well_formed(conversation_id: str) -> bool:
    return len(conversation_id) == CONVERSATION_ID_LENGTH and set(conversation_id) <= _HEX
