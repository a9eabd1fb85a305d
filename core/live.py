"""Live updates to open workspaces: who is told that something changed, never what.

A notice names ids, versions and the lists to fetch again (``changed``), nothing a
customer wrote, no phone number, no name: the real-time service is another service with
another log. Each notice goes to one audience: a user (``send_to_user``: every
connection of that person) or a group. The groups a connection joins are decided by the
server from the caller's scope (conversations/live/groups.py); group names are digests of
what they stand for, so no queue name leaves either.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

from core.agents import QueueRef

USER, GROUP = "user", "group"
ADMINS = "admins"  # the group of everyone with the admin role
CHANGED = "changed"  # the usual kind of notice: fetch these lists again
SLA = "sla"  # a service-level warning or breach just recorded: target and level, no content
MENTION = "mention"  # a note named the person told: the conversation's id, no content
# The lists a notice may name (GET /api/me/changes answers them).
ME, OFFERS, MINE, QUEUE, WORKSTREAM, ALL = "me", "offers", "mine", "queue", "workstream", "all"


@dataclass(frozen=True)
class Notice:
    """One publish: ``data`` to ``audience`` (USER or GROUP) ``name``."""

    audience: str
    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


def queue_group(ref: QueueRef) -> str:
    return "q." + _digest(f"{ref.workstream_id}|{ref.queue or ''}")


def workstream_group(workstream_id: str) -> str:
    return "w." + _digest(workstream_id)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]
