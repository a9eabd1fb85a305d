"""Time-bucketed work lists: the ``deadlines`` table (when each live conversation may next
be due for auto-close) and the ``timers`` table (offers that lapse, presences that expire,
index updates to finish), one mechanism for both.

PartitionKey is the minute a row falls due (UTC, ``YYYYMMDDHHMM``), so a sweep asks only
for partitions up to now: its cost follows what is due, not what exists. A row is a hint;
whoever takes it re-checks the record it names.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.ports import Deadline
from storage.client import TableStorage, delete_all, translated


def bucket_of(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y%m%d%H%M")


class DeadlineStore:
    def __init__(self, storage: TableStorage, table: str = "deadlines") -> None:
        self._storage = storage
        self._table_name = table

    @property
    def _table(self) -> TableClient:
        return self._storage.table(self._table_name)

    def schedule(self, key: str, due_at: datetime, data: Mapping[str, Any] | None = None) -> Deadline:
        entity = {"PartitionKey": bucket_of(due_at), "RowKey": key, "DueAt": due_at}
        if data:
            entity["Data"] = json.dumps(data, separators=(",", ":"))
        with translated():
            self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
        return Deadline(due_at, key, entity["PartitionKey"], dict(data or {}))

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        """Rows in every minute up to and including now (the current minute's whole bucket:
        callers compare ``due_at`` with now), oldest minute first."""
        with translated():
            rows = self._table.query_entities("PartitionKey le @now", parameters={"now": bucket_of(now)},
                                              results_per_page=min(limit, 1000))
            found = []
            for row in rows:
                data = json.loads(row["Data"]) if row.get("Data") else {}
                found.append(Deadline(row["DueAt"], row["RowKey"], row["PartitionKey"], data))
                if len(found) >= limit:
                    break
        return found

    def remove(self, deadline: Deadline) -> None:
        with translated():
            try:
                self._table.delete_entity(deadline.bucket, deadline.key)
            except ResourceNotFoundError:
                pass

    def remove_all(self, deadlines: Iterable[Deadline]) -> None:
        """Remove many, a batch of up to 100 per minute's partition (one gone already is skipped)."""
        delete_all(self._table, [(d.bucket, d.key) for d in deadlines])

    def move(self, deadline: Deadline, due_at: datetime, data: Mapping[str, Any] | None = None) -> Deadline:
        """Push a row later (what it names saw activity since it was written)."""
        moved = self.schedule(deadline.key, due_at, deadline.data if data is None else data)
        if moved.bucket != deadline.bucket:
            self.remove(deadline)
        return moved
