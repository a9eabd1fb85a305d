"""The ``optouts`` table: opt-outs that outlive their thread (erased, or deleted by
retention). PartitionKey is a keyed hash of the thread key (storage/sealing.py Hasher),
so the table holds no address, yet a later message on that thread is recognised as from
someone who opted out."""

from __future__ import annotations

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from storage.client import TableStorage, translated
from storage.sealing import Hasher

ROW = "optout"


class OptOutStore:
    def __init__(self, storage: TableStorage, hasher: Hasher) -> None:
        self._storage = storage
        self._hasher = hasher

    @property
    def _table(self) -> TableClient:
        return self._storage.table("optouts")

    def held(self, thread: str) -> bool:
        """One point read per sealing key (one, unless a key is being rotated)."""
        with translated():
            for digest in self._hasher.digests(thread):
                try:
                    self._table.get_entity(digest, ROW)
                    return True
                except ResourceNotFoundError:
                    continue
        return False

    def keep(self, thread: str) -> int:
        with translated():
            self._table.upsert_entity({"PartitionKey": self._hasher.digest(thread), "RowKey": ROW},
                                      mode=UpdateMode.REPLACE)
        return 1

    def drop(self, thread: str) -> None:
        with translated():
            for digest in self._hasher.digests(thread):
                try:
                    self._table.delete_entity(digest, ROW)
                except ResourceNotFoundError:
                    pass
