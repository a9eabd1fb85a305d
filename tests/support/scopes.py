"""Who the domain services are called as in tests that skip HTTP: alice, an admin who is
also an agent (so every action is hers to take), as her directory entry has her."""

from __future__ import annotations

from datetime import datetime, timezone

from conversations.access import Scope
from core.agents import Agent
from core.identity import ADMIN, AGENT, Principal
from localhost.easyauth import object_id_of

_ROLES = frozenset({ADMIN, AGENT})
_SINCE = datetime(2026, 1, 1, tzinfo=timezone.utc)
ALICE = Scope.of(Principal(object_id_of("alice"), "alice", _ROLES),
                 Agent(object_id_of("alice"), "alice", _ROLES, (), (), _SINCE, _SINCE, capacity={"sms": 50, "whatsapp": 50}))
