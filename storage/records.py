"""The shape every record table shares (accounts, workstreams, contacts): one partition
of rows keyed by record id, written with ETags, read through a short per-instance cache
where the read is on a hot path."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.errors import Conflict, NotFound
from core.ids import is_record_id
from storage.cache import TtlCache
from storage.client import TableStorage, translated

R = TypeVar("R")


class RecordTable(Generic[R]):
    """Subclasses say how a record becomes a row and back; ``what`` names the record in
    errors ("account"). With ``cache_seconds``, ``get`` answers from the cache; every write
    in this instance empties it, other instances see a change within that time."""

    what = "record"
    valid_id = staticmethod(is_record_id)  # what an id of this table looks like; nothing else is read
    row_key = staticmethod(str)  # the RowKey of an id (ids a client names are escaped: storage/keys.py)

    def __init__(self, storage: TableStorage, table: str, partition: str, cache_seconds: float | None = None) -> None:
        self._storage = storage
        self._table_name = table
        self.partition = partition
        self._cache: TtlCache[Any] | None = TtlCache(cache_seconds) if cache_seconds else None

    @property
    def _table(self) -> TableClient:
        return self._storage.table(self._table_name)

    def _to_entity(self, record: R) -> dict[str, Any]:
        raise NotImplementedError

    def _to_record(self, entity: dict[str, Any]) -> R:
        raise NotImplementedError

    def get(self, record_id: str) -> R | None:
        if self._cache is None:
            found = self._load(record_id)
        else:  # ids from public URLs: junk never reaches the cache, see _load
            found = self._cache.get(("id", record_id), lambda: self._load(record_id)) if self.valid_id(record_id) else None
        return found[0] if found else None

    def get_for_update(self, record_id: str) -> tuple[R, str]:
        """The record and its ETag, read fresh, for a conditional update."""
        found = self._load(record_id)
        if found is None:
            raise NotFound(f"{self.what} {record_id} not found")
        return found

    def list(self) -> list[R]:
        with translated():
            rows = list(self._table.query_entities("PartitionKey eq @pk", parameters={"pk": self.partition}))
        return sorted((self._to_record(r) for r in rows), key=lambda r: r.created_at)

    def create(self, record: R) -> None:
        try:
            with translated():
                self._table.create_entity(self._to_entity(record))
        except ResourceExistsError as exc:
            raise Conflict(f"{self.what} {record.id} exists already") from exc
        finally:
            self._forget()

    def replace(self, record: R, etag: str) -> None:
        try:
            with translated():
                self._table.update_entity(self._to_entity(record), mode=UpdateMode.REPLACE, etag=etag,
                                          match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise Conflict(f"the {self.what} changed while it was being updated; read it again and retry") from exc
        except ResourceNotFoundError as exc:
            raise NotFound(f"{self.what} {record.id} was deleted while it was being updated") from exc
        finally:
            self._forget()

    def delete(self, record_id: str) -> None:
        try:
            with translated():
                try:
                    self._table.delete_entity(self.partition, self.row_key(record_id))
                except ResourceNotFoundError:
                    pass
        finally:
            self._forget()

    def _load(self, record_id: str) -> tuple[R, str] | None:
        if not self.valid_id(record_id):  # nothing else can exist, and is not worth a read
            return None
        with translated():
            try:
                row = self._table.get_entity(self.partition, self.row_key(record_id))
            except ResourceNotFoundError:
                return None
        return self._to_record(row), row.metadata["etag"]

    def _cached(self, key: Any, load: Any) -> Any:
        """A derived read (a lookup by number) through the same cache as ``get``."""
        return load() if self._cache is None else self._cache.get(key, load)

    def _forget(self) -> None:
        if self._cache is not None:
            self._cache.clear()
