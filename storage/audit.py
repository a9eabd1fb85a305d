"""The ``audit`` table: every admin change, newest first, in one partition.

RowKey is ``<microseconds counting down from the change>|<random>``, so a page is one
range of the partition (a time filter narrows the range itself), and the entries older
than the retention cut-off are exactly the rows above one key: expiry reads only them.
Nothing here updates an entry; the API has no route that could."""

from __future__ import annotations

import json
from datetime import datetime

from azure.data.tables import TableClient

from core.custody import AuditEntry, AuditFilter, AuditPage
from core.identity import Actor
from storage.client import TableStorage, delete_all, translated
from storage.inbox import NEWEST, decode_token, encode_token, micros

PARTITION = "audit"


def _key(at: datetime) -> str:
    return f"{NEWEST - micros(at):016d}"


class AuditStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("audit")

    def append(self, entry: AuditEntry) -> None:
        with translated():
            self._table.create_entity({
                "PartitionKey": PARTITION, "RowKey": f"{_key(entry.at)}|{entry.id}", "At": entry.at,
                "ActorId": entry.actor.id, "ActorName": entry.actor.name, "ClientIp": entry.client_ip,
                "Action": entry.action, "Kind": entry.action.split(".")[0], "Target": entry.target,
                "Fields": json.dumps(list(entry.fields)),
            })

    def page(self, where: AuditFilter, limit: int, token: str | None = None) -> AuditPage:
        query, parameters = _query(where)
        with translated():
            pages = self._table.query_entities(query, parameters=parameters, results_per_page=limit).by_page(
                continuation_token=decode_token(token))
            rows = list(next(pages, []))
        return AuditPage([_entry(r) for r in rows], encode_token(pages.continuation_token))

    def expire(self, before: datetime, limit: int) -> int:
        """Entries older than ``before`` sit above its key: only they are read."""
        with translated():
            rows = self._table.query_entities("PartitionKey eq @pk and RowKey gt @cut",
                                              parameters={"pk": PARTITION, "cut": _key(before) + "|~"},
                                              select=["PartitionKey", "RowKey"], results_per_page=min(limit, 1000))
            keys = []
            for row in rows:
                keys.append(row["RowKey"])
                if len(keys) >= limit:
                    break
        return delete_all(self._table, [(PARTITION, k) for k in keys])


def _query(where: AuditFilter) -> tuple[str, dict[str, str]]:
    parameters = {"pk": PARTITION, "lo": _key(where.until) if where.until else "",
                  "hi": _key(where.since) + "|~" if where.since else "~"}
    query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi"
    if where.actor_id:
        query, parameters["actor"] = query + " and ActorId eq @actor", where.actor_id
    if where.action:
        column = "Action" if "." in where.action else "Kind"
        query, parameters["action"] = query + f" and {column} eq @action", where.action
    if where.target:
        query, parameters["target"] = query + " and Target eq @target", where.target
    return query, parameters


def _entry(row: dict) -> AuditEntry:
    return AuditEntry(id=row["RowKey"].split("|", 1)[1], at=row["At"], actor=Actor(row["ActorId"], row["ActorName"]),
                      client_ip=row.get("ClientIp") or "", action=row["Action"], target=row.get("Target") or "",
                      fields=tuple(json.loads(row.get("Fields") or "[]")))
