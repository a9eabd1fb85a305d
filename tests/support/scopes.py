"""Who the domain services are called as in tests that skip HTTP: alice, an admin who is
also an agent (so every action is hers to take)."""

from __future__ import annotations

from conversations.access import Scope
from core.identity import ADMIN, AGENT, Principal
from localhost.easyauth import object_id_of

ALICE = Scope(Principal(object_id_of("alice"), "alice", frozenset({ADMIN, AGENT})))
