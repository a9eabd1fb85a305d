"""The ``templates`` table: each account's synced templates (core.ports.TemplateCatalogues),
one partition per account, one row per template and language, so a sync reads the
partition once and writes only the rows that changed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Sequence

from azure.data.tables import TableClient, UpdateMode

from core.templates import SyncedTemplate, TemplateParameter
from storage.client import TableStorage, translated
from storage.keys import safe_key

BATCH = 100  # operations in one entity-group transaction


class TemplateStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("templates")

    def read(self, account_id: str) -> list[SyncedTemplate]:
        with translated():
            rows = self._table.query_entities("PartitionKey eq @pk", parameters={"pk": safe_key(account_id)})
            return sorted((_template(row) for row in rows), key=lambda t: t.key)

    def write(self, account_id: str, changed: Sequence[SyncedTemplate]) -> None:
        ops = [("upsert", _row(account_id, t), {"mode": UpdateMode.REPLACE}) for t in changed]
        with translated():
            for first in range(0, len(ops), BATCH):
                self._table.submit_transaction(ops[first:first + BATCH])


def _row(account_id: str, template: SyncedTemplate) -> dict[str, Any]:
    return {
        "PartitionKey": safe_key(account_id), "RowKey": safe_key(f"{template.name}|{template.language}"),
        "Name": template.name, "Language": template.language, "Status": template.status,
        "Category": template.category, "Body": template.body,
        "Parameters": json.dumps([p.to_dict() for p in template.parameters]),
        "ProviderId": template.provider_id, "Reason": template.reason, "Gone": template.gone,
        "PreviousCategory": template.previous_category, "ChangedAt": template.changed_at,
    }


def _template(row: dict[str, Any]) -> SyncedTemplate:
    changed_at = row.get("ChangedAt")
    return SyncedTemplate(
        name=row["Name"], language=row["Language"], status=row["Status"], category=row.get("Category"),
        body=row.get("Body") or "",
        parameters=tuple(TemplateParameter(p["name"], p["type"]) for p in json.loads(row.get("Parameters") or "[]")),
        provider_id=row.get("ProviderId"), reason=row.get("Reason"), gone=bool(row.get("Gone")),
        previous_category=row.get("PreviousCategory"),
        changed_at=changed_at if isinstance(changed_at, datetime) else None)
