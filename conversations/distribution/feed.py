"""The change feed a workspace polls: what changed in the caller's lists since its cursor.

Each answer holds the lists that changed, whole (a list is at most a page: the caller's
offers and conversations, read fresh; the first conversations waiting in each of its
queues; for supervisors each supervised workstream's newest, for admins all newest), its
own presence and load, and a cursor: a digest per list, so the server keeps nothing per
client. Nothing changed yet: the request is held open, reading again every POLL_SECONDS,
for up to ``wait`` seconds (a long poll). Each read costs one point read of the agent's
state, one query of its offers and conversations, a point read per conversation it holds
or is offered, and one query per list of waiting or newest conversations.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from conversations.access import Scope
from conversations.distribution.presence import Presence
from core.agents import AgentState, QueueRef
from core.errors import ValidationFailed
from core.identity import ADMIN, AGENT, SUPERVISOR
from core.inbox import ALL, MINE, OFFERS, QUEUE, WORKSTREAM, View
from core.ports import Inbox, Threads
from core.records import CLOSED, Conversation

POLL_SECONDS = 1.0
MAX_WAIT = 25
LIST_SIZE = 20  # conversations per queue, workstream or all list
MAX_LISTS = 10  # queues, or supervised workstreams, followed
_pool = ThreadPoolExecutor(8, thread_name_prefix="feed")


@dataclass
class Changes:
    cursor: str
    me: AgentState | None = None
    offers: list[Conversation] | None = None
    mine: list[Conversation] | None = None
    queues: list[tuple[QueueRef, list[Conversation]]] = field(default_factory=list)
    workstreams: list[tuple[str, list[Conversation]]] = field(default_factory=list)
    all: list[Conversation] | None = None

    @property
    def empty(self) -> bool:
        return not (self.me or self.offers is not None or self.mine is not None or self.queues or self.workstreams
                    or self.all is not None)


class Feed:
    def __init__(self, inbox: Inbox, threads: Threads, presence: Presence,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._inbox = inbox
        self._threads = threads
        self._presence = presence
        self._monotonic = monotonic

    async def changes(self, scope: Scope, cursor: str | None, wait: float) -> Changes:
        """A coroutine: while it waits it holds no thread (a long poll per open workspace
        would use up a worker's threads); each read runs on one."""
        if not 0 <= wait <= MAX_WAIT:
            raise ValidationFailed("wait", f"must be a whole number of seconds from 0 to {MAX_WAIT}")
        seen = _decode(cursor)
        until = self._monotonic() + wait
        while True:
            lists = await asyncio.to_thread(self._read, scope)
            digests = {_short(name): _digest(value, scope) for name, value in lists.items()}
            changed = {name for name, value in lists.items() if seen.get(_short(name)) != digests[_short(name)]}
            if changed or self._monotonic() >= until:
                return _answer(lists, changed, _encode(digests))
            await asyncio.sleep(POLL_SECONDS)

    def _read(self, scope: Scope) -> dict[str, object]:
        me = scope.principal.id
        lists: dict[str, object] = {"me": self._presence.heartbeat(me)}
        # An accept between the two reads leaves the conversation in both pages (its offer's
        # row, then its held one): read once, it lands in the one list it is in now.
        held = {c.id: c for view in (OFFERS, MINE)
                for c in self._inbox.page(View(view, agent_id=me), 100).conversations}
        fresh = list(_pool.map(lambda c: self._threads.current(c.id) or c, held.values()))
        lists["offers"] = [c for c in fresh if c.offer and c.offer.agent.id == me]
        lists["mine"] = [c for c in fresh if c.agent and c.agent.id == me and c.state != CLOSED]
        views = {f"q|{r.workstream_id}|{r.queue or ''}": View(QUEUE, workstream_id=r.workstream_id, queue=r.queue)
                 for r in (scope.queues if scope.principal.has(AGENT) else ())[:MAX_LISTS]}
        if scope.principal.has(SUPERVISOR):
            views.update({f"w|{w}": View(WORKSTREAM, workstream_id=w) for w in sorted(scope.supervises)[:MAX_LISTS]})
        if scope.principal.has(ADMIN):
            views["all"] = View(ALL)
        pages = _pool.map(lambda v: self._inbox.page(v, LIST_SIZE).conversations, views.values())
        lists.update(zip(views, pages))
        return lists


def _answer(lists: dict[str, object], changed: set[str], cursor: str) -> Changes:
    answer = Changes(cursor)
    for name in sorted(changed):
        value = lists[name]
        if name == "me":
            answer.me = value  # type: ignore[assignment]
        elif name in ("offers", "mine", "all"):
            setattr(answer, name, value)
        elif name.startswith("q|"):
            _, workstream_id, queue = name.split("|", 2)
            answer.queues.append((QueueRef(workstream_id, queue or None), value))  # type: ignore[arg-type]
        else:
            answer.workstreams.append((name[2:], value))  # type: ignore[arg-type]
    return answer


def _digest(value: object, scope: Scope) -> str:
    if isinstance(value, AgentState):  # with the capacity its directory entry gives it: an admin may change it
        parts: object = [value.presence, sorted((k, s.channel) for k, s in value.slots.items()),
                         sorted(scope.agent.capacity.items()) if scope.agent else None]
    else:
        parts = [(c.id, c.version) for c in value]  # type: ignore[attr-defined]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:12]


def _short(name: str) -> str:
    """A list's name in the cursor (queue names can be long)."""
    return hashlib.sha256(name.encode()).hexdigest()[:8]


def _encode(digests: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(digests, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> dict[str, str]:
    """The digests a cursor holds; ValidationFailed for anything else."""
    if not cursor:
        return {}
    try:
        digests = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed("since", "must be the cursor of an earlier answer") from exc
    if not isinstance(digests, dict) or len(digests) > 4 * MAX_LISTS:
        raise ValidationFailed("since", "must be the cursor of an earlier answer")
    return digests
