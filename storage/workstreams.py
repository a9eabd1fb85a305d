"""The ``workstreams`` table, and the lookup of a business number's workstream."""

from __future__ import annotations

from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from conversations.errors import Conflict, NotFound
from conversations.models import Template, Workstream
from conversations.workstream_settings import parse_settings
from storage.cache import TtlCache
from storage.columns import get_json, put_json
from storage.client import TableStorage, translated
from storage.directory import Directory
from conversations.concurrency import is_record_id

PARTITION = "workstream"
NUMBER_CLAIM = "workstream-number"


class WorkstreamStore:
    def __init__(self, storage: TableStorage, directory: Directory, cache_seconds: float = 30.0) -> None:
        self._storage = storage
        self._directory = directory
        self._cache: TtlCache[Any] = TtlCache(cache_seconds)

    @property
    def _table(self):
        return self._storage.table("workstreams")

    def get(self, workstream_id: str) -> Workstream | None:
        found = self._cache.get(("id", workstream_id), lambda: self._load(workstream_id))
        return found[0] if found else None

    def get_for_update(self, workstream_id: str) -> tuple[Workstream, str]:
        found = self._load(workstream_id)
        if found is None:
            raise NotFound(f"workstream {workstream_id} not found")
        return found

    def for_number(self, number: str) -> Workstream | None:
        """The workstream that serves a business number, or None (cached, also when None)."""
        def load() -> Workstream | None:
            owner = self._directory.owner(NUMBER_CLAIM, number)
            found = self._load(owner) if owner else None
            return found[0] if found and found[0].number == number else None
        return self._cache.get(("number", number), load)

    def list(self) -> list[Workstream]:
        with translated():
            rows = list(self._table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION}))
        return sorted((_to_workstream(r) for r in rows), key=lambda w: w.created_at)

    def create(self, w: Workstream) -> None:
        with translated():
            self._table.create_entity(_to_entity(w))
        self._forget(w)

    def replace(self, w: Workstream, etag: str, previous_number: str) -> None:
        try:
            with translated():
                self._table.update_entity(_to_entity(w), mode=UpdateMode.REPLACE, etag=etag,
                                          match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise Conflict("the workstream changed while it was being updated; read it again and retry") from exc
        except ResourceNotFoundError as exc:
            raise NotFound(f"workstream {w.id} was deleted while it was being updated") from exc
        finally:
            self._forget(w)
            self._cache.forget(("number", previous_number))

    def delete(self, w: Workstream) -> None:
        with translated():
            try:
                self._table.delete_entity(PARTITION, w.id)
            except ResourceNotFoundError:
                pass
        self._forget(w)

    def _forget(self, w: Workstream) -> None:
        self._cache.forget(("id", w.id))
        self._cache.forget(("number", w.number))

    def _load(self, workstream_id: str) -> tuple[Workstream, str] | None:
        if not is_record_id(workstream_id):
            return None
        with translated():
            try:
                row = self._table.get_entity(PARTITION, workstream_id)
            except ResourceNotFoundError:
                return None
        return _to_workstream(row), row.metadata["etag"]


def _to_entity(w: Workstream) -> dict[str, Any]:
    entity = {
        "PartitionKey": PARTITION, "RowKey": w.id, "Name": w.name, "Channel": w.channel, "AccountId": w.account_id,
        "Number": w.number, "AutoCloseMinutes": w.auto_close_after_minutes,
        "CreatedAt": w.created_at, "UpdatedAt": w.updated_at,
    }
    put_json(entity, "Settings", w.settings.to_dict())
    return put_json(entity, "Templates", [t.to_dict() for t in w.templates])


def _to_workstream(e: dict[str, Any]) -> Workstream:
    return Workstream(
        id=e["RowKey"], name=e["Name"], channel=e["Channel"], account_id=e["AccountId"], number=e["Number"],
        auto_close_after_minutes=int(e["AutoCloseMinutes"]), created_at=e["CreatedAt"], updated_at=e["UpdatedAt"],
        settings=parse_settings(get_json(e, "Settings", {})),
        templates=tuple(Template(**t) for t in get_json(e, "Templates", [])),
    )
