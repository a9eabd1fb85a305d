"""Whether a one-time upgrade of stored rows is done: a row of the ``inbox`` table
(PartitionKey ``upgrades``, RowKey its name) says so. A process asks until it is there,
then never again."""

from __future__ import annotations

from azure.core.exceptions import ResourceNotFoundError

from storage.client import TableStorage, translated

PARTITION = "upgrades"


class Upgrade:
    def __init__(self, storage: TableStorage, name: str) -> None:
        self._storage = storage
        self._name = name
        self._finished = False  # once done, done for good: asked no more

    def finished(self) -> bool:
        if not self._finished:
            with translated():
                try:
                    self._storage.table("inbox").get_entity(PARTITION, self._name, select=["RowKey"])
                except ResourceNotFoundError:
                    return False
            self._finished = True
        return True

    def done(self) -> None:
        with translated():
            self._storage.table("inbox").upsert_entity({"PartitionKey": PARTITION, "RowKey": self._name})
        self._finished = True
