"""The ``rates`` table: the admin's rate table (core/pricing.py), one row, read through a
short per-instance cache since every WhatsApp message sent prices itself with it."""

from __future__ import annotations

import json
from decimal import Decimal

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.pricing import Rate, RateTable
from storage.cache import TtlCache
from storage.client import TableStorage, translated

_KEY = {"PartitionKey": "rates", "RowKey": "table"}


class RateStore:
    def __init__(self, storage: TableStorage, cache_seconds: float = 30.0) -> None:
        self._storage = storage
        self._cache: TtlCache[RateTable | None] = TtlCache(cache_seconds)

    @property
    def _table(self) -> TableClient:
        return self._storage.table("rates")

    def read(self) -> RateTable | None:
        return self._cache.get("table", self._load)

    def write(self, table: RateTable) -> None:
        rates = json.dumps([r.to_dict() for r in table.rates], separators=(",", ":"))
        with translated():
            self._table.upsert_entity({**_KEY, "Currency": table.currency, "Rates": rates}, mode=UpdateMode.REPLACE)
        self._cache.forget("table")

    def _load(self) -> RateTable | None:
        with translated():
            try:
                row = self._table.get_entity(_KEY["PartitionKey"], _KEY["RowKey"])
            except ResourceNotFoundError:
                return None
        rates = tuple(Rate(r["calling_code"], r["category"], Decimal(r["price"])) for r in json.loads(row["Rates"]))
        return RateTable(row["Currency"], rates)
