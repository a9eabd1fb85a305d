"""The ``agentstates`` table: each agent's presence and the conversations that use its
capacity (one row per agent, in one partition, so the distribution reads every agent of a
queue with one query). Written with ETags: two instances never overfill an agent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.agents import OFFLINE, AgentState, Slot
from core.retry import ConcurrencyConflict
from storage.client import TableStorage, translated
from storage.columns import get_json, put_json

PARTITION = "state"


class AgentStateStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("agentstates")

    def read(self, agent_id: str) -> tuple[AgentState, str | None]:
        """The agent's state and its ETag (None: no row yet, an offline agent holding nothing)."""
        with translated():
            try:
                row = self._table.get_entity(PARTITION, agent_id)
            except ResourceNotFoundError:
                return AgentState(agent_id), None
        return _to_state(row), row.metadata["etag"]

    def read_all(self) -> dict[str, tuple[AgentState, str]]:
        """Every agent's state with its ETag (one partition, one query)."""
        with translated():
            rows = list(self._table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION}))
        return {row["RowKey"]: (_to_state(row), row.metadata["etag"]) for row in rows}

    def write(self, state: AgentState, etag: str | None) -> None:
        """Create (``etag`` None) or replace the row as read; ConcurrencyConflict when
        another writer came first."""
        entity = _to_entity(state)
        with translated():
            try:
                if etag is None:
                    self._table.create_entity(entity)
                else:
                    self._table.update_entity(entity, mode=UpdateMode.REPLACE, etag=etag,
                                              match_condition=MatchConditions.IfNotModified)
            except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError) as exc:
                raise ConcurrencyConflict() from exc


def _to_entity(s: AgentState) -> dict[str, Any]:
    slots = {cid: [v.channel, v.since.isoformat(), *([v.version, v.token] if v.token is not None else [])]
             for cid, v in s.slots.items()}
    entity = put_json({"PartitionKey": PARTITION, "RowKey": s.agent_id, "Presence": s.presence, "SeenAt": s.seen_at,
                       "LastOfferAt": s.last_offer_at, "LastReleasedAt": s.last_released_at,
                       "OnlineSince": s.online_since, "Resume": s.resume}, "Slots", slots)
    return put_json(entity, "Connections", list(s.connections))


def _to_state(e: dict[str, Any]) -> AgentState:
    slots = {cid: Slot(channel, datetime.fromisoformat(since), *version)
             for cid, (channel, since, *version) in get_json(e, "Slots", {}).items()}
    return AgentState(e["RowKey"], e.get("Presence") or OFFLINE, e.get("SeenAt"), slots, e.get("LastOfferAt"),
                      e.get("LastReleasedAt"), e.get("OnlineSince"), tuple(get_json(e, "Connections", [])),
                      e.get("Resume"))
