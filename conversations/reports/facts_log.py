"""Each conversation's fact row, kept as the conversation moves.

A move writes the row with the conversation's lists (the writer places it,
storage/inbox.py): a new conversation, and one whose state, holder, offer, queue, stage or
labels changed. This reaction to moves (conversations/reactions.py)
marks a finished day's digest stale when a row of it changed, and sends a closed
conversation's facts to Application Insights. A commit that moved nothing writes
the row only when it changed a measure (an agent's first message, a service-level clock
met or breached) or the csat (a closed conversation's survey answer). Retention drops the
row with its conversation; an erasure keeps it, without the customer, so counts stay.
"""

from __future__ import annotations

import hashlib

from conversations.messaging.lookup import Lookup
from conversations.messaging.writer import Commit, Move
from core.clock import Clock
from core.facts import Measures
from core.inbox import Placement
from core.ports import ReportStore, Telemetry
from core.records import CLOSED, Conversation
from core.reports import UTC, FactRow, local, zone_of
from core.telemetry import CONVERSATION_CLOSED, CONVERSATION_RATED


def _standing(p: Placement | None) -> tuple[object, ...] | None:
    return (p.state, p.agent_id, p.queue, p.stage, p.labels) if p else None


class FactsLog:
    def __init__(self, *, reports: ReportStore, lookup: Lookup, telemetry: Telemetry, clock: Clock) -> None:
        self._reports = reports
        self._lookup = lookup
        self._telemetry = telemetry
        self._clock = clock

    def moved(self, move: Move) -> list[Move]:
        """The writer placed its row with its lists (storage/inbox.py): a row of a finished
        day marks that day's digest stale. A conversation from before its day was kept
        with it (Facts.day) has its row written here, filed by its workstream's zone now."""
        c = move.conversation
        if c.workstream_id is None or _standing(move.was) == _standing(Placement.of(c)):
            return []
        row, finished = self._filed(c)
        if c.facts.day is None:
            self._reports.put(row, finished, new=move.was is None)
        elif finished:
            self._reports.stale(row.workstream_id, row.day)
        if c.state == CLOSED and (move.was is None or move.was.state != CLOSED):
            self._tell(CONVERSATION_CLOSED, row)
        return []

    def touched(self, commit: Commit) -> None:
        """A commit that moved nothing but changed what reports measure: an agent's first
        message (answered, first response), a service-level clock met (an agent's answer) or
        breached (the service-level timer), a closed conversation's survey answer, and an
        estimated cost (a closing message or survey sent as a paid template after the close,
        when no move follows). Later messages only add to counts, which the row gets with the
        next move (its closing)."""
        c, was = commit.head.conversation, commit.was
        if c.workstream_id is None or was is None:
            return
        if (Measures.of(c.created_at, was) == Measures.of(c.created_at, c.facts) and was.csat == c.facts.csat
                and was.costs == c.facts.costs):
            return
        row = self._put(c)
        if c.state == CLOSED and was.csat != c.facts.csat:
            self._tell(CONVERSATION_RATED, row)

    def drop(self, conversation: Conversation) -> None:
        """Retention deleted the conversation: its row goes too (finished days' digests stay)."""
        if conversation.workstream_id:
            self._reports.drop(self._row(conversation))

    def forget_customer(self, conversation: Conversation) -> None:
        """An erasure: the row is kept under a key nothing else names, without the
        customer, so counts stay (the same key each time, so a repeated erasure writes it
        again rather than twice)."""
        if conversation.workstream_id:
            row = self._row(conversation)
            self._reports.unname(row, "erased-" + hashlib.sha256(row.conversation_id.encode()).hexdigest()[:32])

    def _row(self, c: Conversation) -> FactRow:
        """Where its row is: filed when it opened (no workstream to read), else by its zone now."""
        if c.facts.day is not None:
            return FactRow.of(c, UTC)
        return FactRow.of(c, zone_of(self._lookup.workstream_of(c)))

    def _filed(self, c: Conversation) -> tuple[FactRow, bool]:
        """Its fact row, filed by its workstream's zone when it has no day of its own, and
        whether that day is over."""
        zone = zone_of(self._lookup.workstream_of(c))
        row = FactRow.of(c, zone)
        return row, row.day < local(self._clock(), zone).date().isoformat()

    def _put(self, c: Conversation, new: bool = False) -> FactRow:
        row, finished = self._filed(c)
        self._reports.put(row, finished, new=new)
        return row

    def _tell(self, name: str, row: FactRow) -> None:
        m, f = row.measures, row.facts
        self._telemetry.event(
            name, conversation_id=row.conversation_id, workstream_id=row.workstream_id, queue=row.queue,
            channel=row.channel, provider=row.provider, closed_by=f.closed_by,
            agent_id=f.agents[-1] if f.agents else None, wait_seconds=m.wait_seconds,
            first_response_seconds=m.first_response_seconds, handle_seconds=m.handle_seconds,
            resolution_seconds=m.resolution_seconds, answered=m.answered, abandoned=m.abandoned,
            bot_resolved=m.bot_resolved, transfers=f.transfers, customer_messages=f.customer_messages,
            agent_messages=f.agent_messages, csat=f.csat, **m.sla_counts())

