"""Agents' capacity and presence, as stored in their AgentState rows.

Capacity is reserved on the agent's row (an ETag-guarded read-check-write) before a
conversation is offered or given to the agent, and released after the conversation
leaves the agent: two instances deciding at once never put an agent over capacity, and a
reservation whose commit never happened is released by the agent's watch
(conversations/distribution/presence.py) once that commit can no longer land: the
conversation moved on since the reservation read it, or the reservation is older than any
invocation runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from core.agents import Agent, AgentState, Slot
from core.clock import Clock
from core.errors import AtCapacity
from core.ports import AgentStates
from core.records import CHANNEL_NAMES
from core.retry import until_committed


@dataclass(frozen=True)
class Reservation:
    """A conversation counted against an agent's capacity: its slot as written, and the
    slot it renewed (None: this made it)."""

    slot: Slot
    renewed: Slot | None = None

    @property
    def new(self) -> bool:
        return self.renewed is None


class Capacity:
    def __init__(self, states: AgentStates, clock: Clock) -> None:
        self._states = states
        self._clock = clock

    def read(self, agent_id: str) -> AgentState:
        return self._states.read(agent_id)[0]

    def read_all(self) -> dict[str, tuple[AgentState, str]]:
        return self._states.read_all()

    def reserve(self, agent: Agent, conversation_id: str, channel: str, version: int, offer: bool = False,
                known: tuple[AgentState, str | None] | None = None) -> Reservation:
        """Count the conversation against the agent's capacity for ``channel``, for a commit
        on its ``version``; new when the agent had no reservation for it, else renewed (a
        release owed by a move it was reserved after, or by the agent's watch, which read it
        before, leaves it); AtCapacity when the agent has none free. ``known``: the state
        as just read, tried first. A commit that fails releases only a reservation it made,
        and only while it is the slot it wrote (``release``'s ``only``)."""
        first = [known] if known is not None else []

        def attempt() -> Reservation:
            state, etag = first.pop() if first else self._states.read(agent.id)
            held, now = state.slots.get(conversation_id), self._clock()
            slot = Slot(held.channel if held else channel, now, _later(held, version), secrets.token_hex(8))
            if held is not None:
                self._states.write(replace(state, slots={**state.slots, conversation_id: slot}), etag)
                return Reservation(slot, renewed=held)
            if state.load(channel) >= agent.capacity_for(channel):
                raise AtCapacity(f"{agent.name or agent.id} has no free capacity for "
                                 f"{CHANNEL_NAMES.get(channel, channel)} conversations")
            self._states.write(replace(state, slots={**state.slots, conversation_id: slot},
                                       last_offer_at=now if offer else state.last_offer_at), etag)
            return Reservation(slot)

        return until_committed(attempt, "reserve the agent's capacity")

    def release(self, agent_id: str, conversation_id: str, moved: tuple[int, datetime] | None = None,
                only: Slot | None = None) -> bool:
        """Give the conversation's capacity back; False when there was none to give back.
        What stays is another's: with ``moved`` (the version a move committed, and when),
        a reservation for a commit after that move; with ``only``, any slot but that one
        (renewed since, for another commit)."""
        def attempt() -> bool:
            state, etag = self._states.read(agent_id)
            slot = state.slots.get(conversation_id)
            if slot is None or (moved is not None and reserved_after(slot, *moved)) \
                    or (only is not None and slot != only):
                return False
            slots = {cid: s for cid, s in state.slots.items() if cid != conversation_id}
            self._states.write(replace(state, slots=slots, last_released_at=self._clock()), etag)
            return True

        return until_committed(attempt, "release the agent's capacity")

    def change(self, agent_id: str, change: Callable[[AgentState], AgentState | None]) -> tuple[AgentState, AgentState]:
        """Apply ``change(state) -> state`` (None: leave it) with the read-check-write loop;
        the state before and after."""
        def attempt() -> tuple[AgentState, AgentState]:
            state, etag = self._states.read(agent_id)
            changed = change(state)
            if changed is None or changed == state:
                return state, state
            self._states.write(changed, etag)
            return state, changed

        return until_committed(attempt, "change the agent's state")


def _later(held: Slot | None, version: int) -> int:
    """The version a reservation is for: a renewal on a head read before the reservation it
    renews was made keeps that one's (a commit on the later version may be on its way, and
    a release owed by a move before it must not take it)."""
    return max(version, held.version) if held is not None and held.version is not None else version


def reserved_after(slot: Slot, version: int, at: datetime) -> bool:
    """Whether the slot was reserved for a commit after the move that made the
    conversation's ``version``: against that version or a later one. No clocks compared
    (another host's may run behind); a slot older code reserved says only when (``at``)."""
    return slot.version >= version if slot.version is not None else slot.since > at
