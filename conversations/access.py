"""Who may see and do what with a conversation: ``admin`` every conversation;
``supervisor`` those of the workstreams it supervises (monitor, assign, transfer, close);
``agent`` those in its queues and those it holds (accept, decline, answer, park, transfer,
close). A conversation outside a caller's scope is answered as not found, so ids do not
leak."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Conflict, Forbidden, NotFound
from core.identity import ADMIN, AGENT, ROLE_NAMES, SUPERVISOR, Principal
from core.agents import Agent, QueueRef
from core.records import Conversation, Workstream


@dataclass(frozen=True)
class Scope:
    """One principal's reach: the roles its token carries, the queues and workstreams its
    directory entry gives it."""

    principal: Principal
    queues: tuple[QueueRef, ...] = ()
    supervises: frozenset[str] = frozenset()
    agent: Agent | None = None  # the principal's directory entry

    @classmethod
    def of(cls, principal: Principal, agent: Agent | None) -> Scope:
        if agent is None:
            return cls(principal)
        return cls(principal, agent.queues, frozenset(agent.supervises), agent)

    @property
    def is_admin(self) -> bool:
        return self.principal.has(ADMIN)

    @property
    def may_answer(self) -> bool:
        """Whether the caller answers customers at all: an agent, or an admin."""
        return self.is_admin or self.principal.has(AGENT)

    def check_team(self, workstream_id: str) -> None:
        """A workstream's own records (its agents, what it answers with): for admins, its
        supervisors and the agents of its queues."""
        if (self.is_admin or (self.principal.has(SUPERVISOR) and workstream_id in self.supervises)
                or (self.principal.has(AGENT) and any(q.workstream_id == workstream_id for q in self.queues))):
            return
        raise Forbidden(f"workstream {workstream_id} is shown to its supervisors, its agents and admins")

    def holds(self, c: Conversation) -> bool:
        return c.agent is not None and c.agent.id == self.principal.id

    def supervises_conversation(self, c: Conversation) -> bool:
        return self.principal.has(SUPERVISOR) and c.workstream_id is not None and c.workstream_id in self.supervises

    def in_queues(self, c: Conversation) -> bool:
        return self.principal.has(AGENT) and any(q.holds(c) for q in self.queues)

    def sees(self, c: Conversation) -> bool:
        return (self.is_admin or self.supervises_conversation(c) or self.in_queues(c)
                or (self.principal.has(AGENT) and self.holds(c)))

    def visible(self, c: Conversation) -> Conversation:
        """``c`` when the caller may see it; NotFound otherwise (as if it did not exist)."""
        if not self.sees(c):
            raise NotFound(f"conversation {c.id} not found")
        return c

    def check_answer(self, c: Conversation) -> None:
        """Answering, accepting and parking: an agent in scope, on a conversation nobody else
        holds; or an admin."""
        self.visible(c)
        if not self.may_answer:
            raise Forbidden(f"answering a conversation needs the {ROLE_NAMES[AGENT]} role")
        if self.is_admin:
            return
        if c.agent is not None and not self.holds(c):
            raise Conflict(f"conversation {c.id} is held by {c.agent.name}", code="held_by_another_agent")

    def check_sends_from(self, workstream: Workstream | None) -> None:
        """Proactive messages: an admin from any number, a supervisor from the numbers of
        the workstreams it supervises."""
        if self.is_admin:
            return
        if not (self.principal.has(SUPERVISOR) and workstream is not None and workstream.id in self.supervises):
            raise Forbidden("proactive messages need the Switchboard.Admin role, or Switchboard.Supervisor of "
                            "the number's workstream", code="forbidden")

    def check_close(self, c: Conversation) -> None:
        """Closing: who may answer it, or a supervisor of its workstream."""
        if self.supervises_conversation(c):
            return
        self.check_answer(c)

    def check_contact(self, c: Conversation) -> None:
        """Keeping the customer's contact from the conversation: whoever may close it."""
        self.check_close(c)

    def check_assign(self, c: Conversation) -> None:
        """Assigning: a supervisor of its workstream, or an admin."""
        self.visible(c)
        if not (self.is_admin or self.supervises_conversation(c)):
            raise Forbidden(f"assigning needs the {ROLE_NAMES[ADMIN]} role, or {ROLE_NAMES[SUPERVISOR]} of the "
                            "conversation's workstream")

    def check_transfer(self, c: Conversation) -> None:
        """Transferring and unassigning: whoever holds it, a supervisor of its workstream, or an admin."""
        self.visible(c)
        if self.is_admin or self.supervises_conversation(c) or (self.principal.has(AGENT) and self.holds(c)):
            return
        raise Forbidden("only whoever holds the conversation, a supervisor of its workstream or an admin may "
                        "transfer it")
