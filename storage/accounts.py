"""The ``accounts`` table: messaging accounts, credentials sealed at rest."""

from __future__ import annotations

from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from conversations.errors import Conflict, NotFound
from conversations.models import Account, ChannelRegistration, Number
from storage.cache import TtlCache
from storage.columns import get_json, put_json
from storage.client import TableStorage, translated
from conversations.concurrency import is_record_id
from storage.sealing import Sealer

PARTITION = "account"


class AccountStore:
    def __init__(self, storage: TableStorage, sealer: Sealer, cache_seconds: float = 30.0) -> None:
        self._storage = storage
        self._sealer = sealer
        self._cache: TtlCache[tuple[Account, str] | None] = TtlCache(cache_seconds)

    @property
    def _table(self):
        return self._storage.table("accounts")

    def get(self, account_id: str) -> Account | None:
        if not is_record_id(account_id):  # webhook URLs are public: junk ids never reach the cache
            return None
        found = self._cache.get(account_id, lambda: self._load(account_id))
        return found[0] if found else None

    def get_for_update(self, account_id: str) -> tuple[Account, str]:
        """The account and its ETag, read fresh, for a conditional update."""
        found = self._load(account_id)
        if found is None:
            raise NotFound(f"account {account_id} not found")
        return found

    def list(self) -> list[Account]:
        with translated():
            rows = list(self._table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION}))
        return sorted((self._to_account(r) for r in rows), key=lambda a: a.created_at)

    def create(self, account: Account) -> None:
        with translated():
            self._table.create_entity(self._to_entity(account))
        self._cache.forget(account.id)

    def replace(self, account: Account, etag: str) -> None:
        try:
            with translated():
                self._table.update_entity(self._to_entity(account), mode=UpdateMode.REPLACE, etag=etag,
                                          match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise Conflict("the account changed while it was being updated; read it again and retry") from exc
        except ResourceNotFoundError as exc:
            raise NotFound(f"account {account.id} was deleted while it was being updated") from exc
        finally:
            self._cache.forget(account.id)

    def delete(self, account_id: str) -> None:
        with translated():
            try:
                self._table.delete_entity(PARTITION, account_id)
            except ResourceNotFoundError:
                pass
        self._cache.forget(account_id)

    def _load(self, account_id: str) -> tuple[Account, str] | None:
        if not is_record_id(account_id):
            return None
        with translated():
            try:
                row = self._table.get_entity(PARTITION, account_id)
            except ResourceNotFoundError:
                return None
        return self._to_account(row), row.metadata["etag"]

    def _to_entity(self, a: Account) -> dict[str, Any]:
        entity = {
            "PartitionKey": PARTITION, "RowKey": a.id, "Name": a.name, "Channel": a.channel, "Provider": a.provider,
            "Credentials": self._sealer.seal(a.credentials), "CreatedAt": a.created_at, "UpdatedAt": a.updated_at,
        }
        put_json(entity, "Numbers", [n.to_dict() for n in a.numbers])
        return put_json(entity, "Channels", [c.to_dict() for c in a.channels])

    def _to_account(self, e: dict[str, Any]) -> Account:
        return Account(
            id=e["RowKey"], name=e["Name"], channel=e["Channel"], provider=e["Provider"],
            credentials=self._sealer.unseal(e["Credentials"]),
            numbers=tuple(Number(**n) for n in get_json(e, "Numbers", [])),
            channels=tuple(ChannelRegistration(**c) for c in get_json(e, "Channels", [])),
            created_at=e["CreatedAt"], updated_at=e["UpdatedAt"],
        )
