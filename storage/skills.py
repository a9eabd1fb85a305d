"""The ``skills`` table: the skills catalogue, one row per skill keyed by its name in
lower case (core/skills.py skill_key; escaped as storage/keys.py does: a name may hold
#), so a name is unique whatever its case."""

from __future__ import annotations

from typing import Any

from core.skills import Skill, skill_key
from storage.client import TableStorage
from storage.keys import safe_key
from storage.records import RecordTable


class SkillStore(RecordTable[Skill]):
    what = "skill"
    row_key = staticmethod(safe_key)  # a name may hold #, which a key may not

    def __init__(self, storage: TableStorage) -> None:
        super().__init__(storage, "skills", "skill")

    @staticmethod
    def valid_id(record_id: str) -> bool:  # type: ignore[override]
        return 0 < len(record_id) <= 100 and record_id == skill_key(record_id)

    def _to_entity(self, s: Skill) -> dict[str, Any]:
        return {"PartitionKey": self.partition, "RowKey": self.row_key(s.id), "Name": s.name,
                "Description": s.description, "CreatedAt": s.created_at}

    def _to_record(self, e: dict[str, Any]) -> Skill:
        return Skill(e["Name"], e.get("Description") or "", e["CreatedAt"])
