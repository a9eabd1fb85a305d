"""The ``workstreams`` table, and the lookup of a business address's workstream (through
its claim in the directory). A bot's Direct Line secret is sealed like account credentials."""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import UpdateMode

from core.bots import BotSettings
from core.ports import WORKSTREAM_NUMBER
from core.records import Template, Workstream
from core.settings import WorkstreamSettings
from storage.client import TableStorage, translated
from storage.columns import get_json, put_json
from storage.directory import Directory
from storage.records import RecordTable
from storage.sealing import Sealer


RETIRED = "retired"  # a deleted workstream's row: what its conversations' retention was then


class WorkstreamStore(RecordTable[Workstream]):
    what = "workstream"

    def __init__(self, storage: TableStorage, directory: Directory, sealer: Sealer,
                 cache_seconds: float = 30.0) -> None:
        super().__init__(storage, "workstreams", "workstream", cache_seconds)
        self._directory = directory
        self._sealer = sealer

    def for_number(self, number: str) -> Workstream | None:
        """The workstream that serves a business address, or None (cached, also when None)."""
        def load() -> Workstream | None:
            owner = self._directory.owner(WORKSTREAM_NUMBER, number)
            found = self._load(owner) if owner else None
            return found[0] if found and found[0].number == number else None

        return self._cached(("number", number), load)

    def retire(self, workstream_id: str, retention_days: int | None) -> None:
        with translated():
            self._table.upsert_entity({"PartitionKey": RETIRED, "RowKey": self.row_key(workstream_id),
                                       "RetentionDays": retention_days}, mode=UpdateMode.REPLACE)

    def retired(self, workstream_id: str) -> tuple[bool, int | None]:
        with translated():
            try:
                row = self._table.get_entity(RETIRED, self.row_key(workstream_id))
            except ResourceNotFoundError:
                return False, None
        return True, row.get("RetentionDays")

    def _to_entity(self, w: Workstream) -> dict[str, Any]:
        entity = {
            "PartitionKey": self.partition, "RowKey": w.id, "Name": w.name, "Channel": w.channel,
            "AccountId": w.account_id, "Number": w.number, "AutoCloseMinutes": w.auto_close_after_minutes,
            "CreatedAt": w.created_at, "UpdatedAt": w.updated_at,
        }
        put_json(entity, "Settings", w.settings.to_dict())
        if w.bot is not None:
            put_json(entity, "Bot", w.bot.public_dict())
            entity["BotSecret"] = self._sealer.seal({"secret": w.bot.secret})
        return put_json(entity, "Templates", [t.to_dict() for t in w.templates])

    def _to_record(self, e: dict[str, Any]) -> Workstream:
        return Workstream(
            id=e["RowKey"], name=e["Name"], channel=e["Channel"], account_id=e["AccountId"], number=e["Number"],
            auto_close_after_minutes=int(e["AutoCloseMinutes"]), created_at=e["CreatedAt"],
            updated_at=e["UpdatedAt"], settings=WorkstreamSettings.from_dict(get_json(e, "Settings", {})),
            templates=tuple(Template(**t) for t in get_json(e, "Templates", [])), bot=self._bot(e),
        )

    def _bot(self, e: dict[str, Any]) -> BotSettings | None:
        settings = get_json(e, "Bot", None) if e.get("BotSecret") else None
        return BotSettings.from_dict(settings, self._sealer.unseal(e["BotSecret"])["secret"]) if settings else None
