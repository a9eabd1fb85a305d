"""The ``labels`` table: the labels admins define, one row per label keyed by its name in
lower case (core/labels.py label_key; escaped as storage/keys.py does: a name may hold
#), so a name is unique whatever its case; read through a short per-instance cache,
since every change of a conversation's labels checks them."""

from __future__ import annotations

from typing import Any

from core.labels import Label, label_key
from storage.client import TableStorage
from storage.keys import safe_key
from storage.records import RecordTable


class LabelStore(RecordTable[Label]):
    what = "label"
    row_key = staticmethod(safe_key)  # a name may hold #, which a key may not

    def __init__(self, storage: TableStorage, cache_seconds: float = 30.0) -> None:
        super().__init__(storage, "labels", "label", cache_seconds)

    @staticmethod
    def valid_id(record_id: str) -> bool:  # type: ignore[override]
        return 0 < len(record_id) <= 100 and record_id == label_key(record_id)

    def _to_entity(self, label: Label) -> dict[str, Any]:
        return {"PartitionKey": self.partition, "RowKey": self.row_key(label.id), "Name": label.name,
                "Colour": label.colour, "CreatedAt": label.created_at}

    def _to_record(self, e: dict[str, Any]) -> Label:
        return Label(e["Name"], e.get("Colour") or "#6e7781", e["CreatedAt"])
