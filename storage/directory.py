"""The ``directory`` table: unique claims, such as "this number belongs to that account".

Table Storage has no unique index; a claim row keyed by the value does the job, because
``create_entity`` fails on an existing key. A claim left behind by a crash (its owner no
longer holds the value) is taken over instead of blocking the value forever.
"""

from __future__ import annotations

from typing import Callable

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from conversations.errors import Conflict
from storage.client import TableStorage, translated


class Directory:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self):
        return self._storage.table("directory")

    def owner(self, kind: str, value: str) -> str | None:
        with translated():
            try:
                return self._table.get_entity(kind, value)["Owner"]
            except ResourceNotFoundError:
                return None

    def claim(self, kind: str, value: str, owner: str, still_holds: Callable[[str], bool], what: str) -> None:
        """Claim ``value`` for ``owner``; raise Conflict when another live owner holds it."""
        entity = {"PartitionKey": kind, "RowKey": value, "Owner": owner}
        for _ in range(5):
            with translated():
                try:
                    self._table.create_entity(entity)
                    return
                except ResourceExistsError:
                    pass
                try:
                    current = self._table.get_entity(kind, value)
                except ResourceNotFoundError:
                    continue
                if current["Owner"] == owner:
                    return
                if still_holds(current["Owner"]):
                    raise Conflict(f"{what} {value} already belongs to {current['Owner']}")
                try:
                    self._table.update_entity(entity, mode=UpdateMode.REPLACE, etag=current.metadata["etag"],
                                              match_condition=MatchConditions.IfNotModified)
                    return
                except ResourceModifiedError:
                    continue
        raise Conflict(f"{what} {value} is being claimed concurrently, try again")

    def release(self, kind: str, value: str, owner: str) -> None:
        with translated():
            try:
                current = self._table.get_entity(kind, value)
            except ResourceNotFoundError:
                return
            if current["Owner"] != owner:
                return
            try:
                self._table.delete_entity(kind, value, etag=current.metadata["etag"],
                                          match_condition=MatchConditions.IfNotModified)
            except (ResourceNotFoundError, ResourceModifiedError):
                pass
