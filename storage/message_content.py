"""A message's content learned after it was stored (core.ports.MessageContents): merged onto
its row without an ETag, since the content is read from the message's own attachment (two
writers write the same) and a merge leaves the columns others change (Reaction, Status)
alone; a row erased meanwhile is not made again."""

from __future__ import annotations

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.records import Message
from storage.client import TableStorage, translated
from storage.thread_rows import message_entity


class MessageContentStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("threads")

    def keep(self, thread: str, message: Message) -> None:
        row = message_entity(thread, message)
        with translated():
            try:
                self._table.update_entity({"PartitionKey": thread, "RowKey": row["RowKey"], "Content": row["Content"]},
                                          mode=UpdateMode.MERGE)  # If-Match: *, so never an insert
            except ResourceNotFoundError:
                pass  # erased or dropped by retention since it was read
