"""The ``deadlines`` table: when each live conversation may next be due for auto-close.

PartitionKey is the minute the deadline falls in (UTC, ``YYYYMMDDHHMM``), so the sweep
asks only for partitions up to now: its cost follows the deadlines that are due, not the
conversations that are open. A deadline is a hint; the sweep re-checks the thread head.
"""

from __future__ import annotations

from datetime import datetime, timezone

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import UpdateMode

from core.ports import Deadline
from storage.client import TableStorage, translated


def _bucket(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y%m%d%H%M")


class DeadlineStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self):
        return self._storage.table("deadlines")

    def schedule(self, conversation_id: str, due_at: datetime) -> None:
        with translated():
            self._table.upsert_entity(
                {"PartitionKey": _bucket(due_at), "RowKey": conversation_id, "DueAt": due_at},
                mode=UpdateMode.REPLACE,
            )

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        """Deadlines in every minute up to and including now, oldest first."""
        with translated():
            rows = self._table.query_entities("PartitionKey le @now", parameters={"now": _bucket(now)},
                                              results_per_page=min(limit, 1000))
            found = []
            for row in rows:
                found.append(Deadline(row["DueAt"], row["RowKey"], row["PartitionKey"]))
                if len(found) >= limit:
                    break
        return found

    def remove(self, deadline: Deadline) -> None:
        with translated():
            try:
                self._table.delete_entity(deadline.bucket, deadline.conversation_id)
            except ResourceNotFoundError:
                pass

    def move(self, deadline: Deadline, due_at: datetime) -> None:
        """Push a deadline later (the conversation saw activity since it was written)."""
        self.schedule(deadline.conversation_id, due_at)
        if _bucket(due_at) != deadline.bucket:
            self.remove(deadline)
