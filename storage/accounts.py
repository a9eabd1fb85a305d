"""The ``accounts`` table: messaging accounts, credentials sealed at rest."""

from __future__ import annotations

from typing import Any

from core.records import Account, ChannelRegistration, Number
from storage.client import TableStorage
from storage.columns import get_json, put_json
from storage.records import RecordTable
from storage.sealing import Sealer


class AccountStore(RecordTable[Account]):
    what = "account"

    def __init__(self, storage: TableStorage, sealer: Sealer, cache_seconds: float = 30.0) -> None:
        super().__init__(storage, "accounts", "account", cache_seconds)
        self._sealer = sealer

    def _to_entity(self, a: Account) -> dict[str, Any]:
        entity = {
            "PartitionKey": self.partition, "RowKey": a.id, "Name": a.name, "Channel": a.channel,
            "Provider": a.provider, "Credentials": self._sealer.seal(a.credentials),
            "CreatedAt": a.created_at, "UpdatedAt": a.updated_at,
        }
        put_json(entity, "Numbers", [n.to_dict() for n in a.numbers])
        return put_json(entity, "Channels", [c.to_dict() for c in a.channels])

    def _to_record(self, e: dict[str, Any]) -> Account:
        return Account(
            id=e["RowKey"], name=e["Name"], channel=e["Channel"], provider=e["Provider"],
            credentials=self._sealer.unseal(e["Credentials"]),
            numbers=tuple(Number(**n) for n in get_json(e, "Numbers", [])),
            channels=tuple(ChannelRegistration(**c) for c in get_json(e, "Channels", [])),
            created_at=e["CreatedAt"], updated_at=e["UpdatedAt"],
        )
