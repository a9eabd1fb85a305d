"""The conversation lists a caller may read, each one page of one inbox view
(core/inbox.py): its own conversations and offers, a queue's waiting conversations, a
workstream's (or one of its queues') by state, and, for admins, all of them."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.access import Scope
from core.agents import QueueRef
from core.errors import Forbidden, ValidationFailed
from core.identity import ADMIN, AGENT, ROLE_NAMES, SUPERVISOR
from core.inbox import ALL, MINE, OFFERS, QUEUE, WORKSTREAM, Page, View
from core.ports import Inbox


@dataclass(frozen=True)
class Query:
    """A list as asked for: ``view`` None takes the caller's usual one (all for an admin, a
    workstream's when one is named, else its own); ``queue_given`` tells a ``queue`` of
    None (the conversations that no queue took) from no queue named."""

    view: str | None = None
    workstream_id: str | None = None
    queue: str | None = None
    queue_given: bool = False
    state: str | None = None


class Inboxes:
    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    def page(self, scope: Scope, query: Query, limit: int, token: str | None = None) -> Page:
        view = self.view(scope, query)
        try:
            return self._inbox.page(view, limit, token)
        except ValueError as exc:
            raise ValidationFailed("next", "must be the next token of an earlier page of this list") from exc

    def view(self, scope: Scope, q: Query) -> View:
        """The view ``q`` asks for, when ``scope`` may read it (Forbidden otherwise)."""
        kind = q.view or (ALL if scope.is_admin and not q.workstream_id else WORKSTREAM if q.workstream_id else MINE)
        if kind in (MINE, OFFERS):
            return View(kind, agent_id=scope.principal.id, state=q.state if kind == MINE else None)
        if kind == ALL:
            if not scope.is_admin:
                raise Forbidden(f"the list of all conversations needs the {ROLE_NAMES[ADMIN]} role")
            return View(ALL, state=q.state)
        if not q.workstream_id:
            raise ValidationFailed("workstream_id", f"is needed for the {kind} view")
        ref = QueueRef(q.workstream_id, q.queue or None)
        if kind == QUEUE:
            if q.state:
                raise ValidationFailed("state", "the queue view lists the conversations waiting in it; leave state out")
            self._check(scope, ref, agents_may=True)
            return View(QUEUE, workstream_id=ref.workstream_id, queue=ref.queue)
        self._check(scope, ref, agents_may=q.queue_given)
        return View(WORKSTREAM, workstream_id=ref.workstream_id, queue=ref.queue, by_queue=q.queue_given,
                    state=q.state)

    @staticmethod
    def _check(scope: Scope, ref: QueueRef, agents_may: bool) -> None:
        """A workstream's lists: its supervisors' and admins'; a queue's also its agents'."""
        if scope.is_admin or (scope.principal.has(SUPERVISOR) and ref.workstream_id in scope.supervises):
            return
        if agents_may and scope.principal.has(AGENT) and ref in scope.queues:
            return
        hint = f", or {ROLE_NAMES[AGENT]} in that queue" if agents_may else \
            ": an agent names one of their queues (queue=…)" if scope.principal.has(AGENT) else ""
        raise Forbidden(f"this list needs {ROLE_NAMES[SUPERVISOR]} of workstream {ref.workstream_id}{hint}")
