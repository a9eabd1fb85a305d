"""The ``agents`` table: the agents directory, one row per Entra object id."""

from __future__ import annotations

from typing import Any

from core.ids import is_object_id
from core.agents import Agent, QueueRef
from storage.client import TableStorage
from storage.columns import get_json, put_json
from storage.records import RecordTable


class AgentStore(RecordTable[Agent]):
    what = "agent"
    valid_id = staticmethod(is_object_id)

    def __init__(self, storage: TableStorage, cache_seconds: float = 30.0) -> None:
        super().__init__(storage, "agents", "agent", cache_seconds)

    def working(self) -> list[Agent]:
        return self._cached(("working",), self.list)

    def _to_entity(self, a: Agent) -> dict[str, Any]:
        entity = {"PartitionKey": self.partition, "RowKey": a.id, "Name": a.name, "Roles": ",".join(sorted(a.roles)),
                  "CreatedAt": a.created_at, "UpdatedAt": a.updated_at, "LastSeenAt": a.last_seen_at}
        put_json(entity, "Queues", [{"workstream_id": q.workstream_id, "queue": q.queue} for q in a.queues])
        put_json(entity, "Capacity", dict(a.capacity))
        put_json(entity, "Skills", dict(a.skills))
        return put_json(entity, "Supervises", list(a.supervises))

    def _to_record(self, e: dict[str, Any]) -> Agent:
        return Agent(
            id=e["RowKey"], name=e.get("Name") or "", roles=frozenset(r for r in (e.get("Roles") or "").split(",") if r),
            queues=tuple(QueueRef(q["workstream_id"], q.get("queue")) for q in get_json(e, "Queues", [])),
            supervises=tuple(get_json(e, "Supervises", [])), created_at=e["CreatedAt"], updated_at=e["UpdatedAt"],
            last_seen_at=e.get("LastSeenAt"), capacity=get_json(e, "Capacity", {}), skills=get_json(e, "Skills", {}),
        )
