"""Rows deployments before December 2026 kept elsewhere, moved to where storage/inbox.py
writes them now, so that a move writes them in the batches it sends anyway; remove this
module once every deployment has run it.

  kept before                          kept now (table inbox)
  inbox    x               <term>|…    all             x|<term>|…      a search row
  reports  f|<workstream>|<day>  <id>  w|<workstream>  f|<day>|<id>    a fact row

A row is created where it goes (one there already, written since, stays) and then deleted
where it was, a page at a time, search rows first, so a run that stops is taken up by the
next. Until none is left, search leaves out a conversation a moved row names by a term it
no longer has (conversations/distribution/search.py), and an erasure or a retention
deletes a conversation's rows in the earlier places too. Once done, a row says so
(PartitionKey ``upgrades``): each instance asks it until it is there.
"""

from __future__ import annotations

from typing import Any, Iterable

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient

from core.inbox import Placement
from core.reports import FactRow
from storage.client import TableStorage, delete_all, submit_mended, translated
from storage.fact_rows import fact_key
from storage.inbox import EVERY, NEWEST, SEARCH, micros
from storage.keys import safe_key

EARLIER_SEARCH = "x"
_DONE = ("upgrades", "index-2026-12b")


def _earlier_fact(workstream_id: str, day: str, conversation_id: str) -> tuple[str, str]:
    return f"f|{safe_key(workstream_id)}|{day}", conversation_id


class Relocation:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage
        self._finished = False  # once done, done for good: asked no more

    @property
    def _inbox(self) -> TableClient:
        return self._storage.table("inbox")

    def finished(self) -> bool:
        if not self._finished:
            with translated():
                try:
                    self._inbox.get_entity(*_DONE, select=["RowKey"])
                except ResourceNotFoundError:
                    return False
            self._finished = True
        return True

    def move(self, limit: int) -> int:
        """Move a page of at most ``limit`` (≤ 100) rows; how many. None left: it notes that
        it is done, and answers 0."""
        if self.finished():
            return 0
        with translated():
            rows = _first_page(self._inbox, "PartitionKey eq @pk", {"pk": EARLIER_SEARCH}, limit)
            if rows:
                self._create(EVERY, [{"PartitionKey": EVERY, "RowKey": SEARCH + r["RowKey"],
                                      "ConversationId": r["ConversationId"], "Kind": "term"} for r in rows])
                return delete_all(self._inbox, [(EARLIER_SEARCH, r["RowKey"]) for r in rows]) or len(rows)
            facts = self._storage.table("reports")
            rows = _first_page(facts, None, {}, limit)
            for partition in {fact_key(r["WorkstreamId"], r["Day"], "")[0] for r in rows}:
                self._create(partition, [{**r, "PartitionKey": pk, "RowKey": rk, "Kind": "fact"} for r in rows
                                         for pk, rk in [fact_key(r["WorkstreamId"], r["Day"], r["RowKey"])]
                                         if pk == partition])
            if rows:
                return delete_all(facts, [(r["PartitionKey"], r["RowKey"]) for r in rows]) or len(rows)
            self._inbox.upsert_entity({"PartitionKey": _DONE[0], "RowKey": _DONE[1]})
        self._finished = True
        return 0

    def _create(self, partition: str, entities: list[dict[str, Any]]) -> None:
        """Each row created where it goes; one there already (written since) is kept."""
        submit_mended(self._inbox, [("create", e) for e in entities if e["PartitionKey"] == partition],
                      lambda _op, code: [] if code == "EntityAlreadyExists" else None)

    def earlier_rows(self, placements: Iterable[Placement]) -> list[tuple[str, str]]:
        """Until it is done, the search rows conversations placed so had where they were kept
        before (for a purge to delete too); none after."""
        if self.finished():
            return []
        return sorted({(EARLIER_SEARCH, f"{safe_key(term)}|{NEWEST - micros(p.created_at):016d}|{p.conversation_id}")
                       for p in placements for term in p.terms})

    def forget_fact(self, row: FactRow) -> None:
        """Until it is done, delete a conversation's fact row where it was kept before."""
        if not self.finished():
            with translated():
                delete_all(self._storage.table("reports"),
                           [_earlier_fact(row.workstream_id, row.day, row.conversation_id)])


def _first_page(table: TableClient, query: str | None, parameters: dict[str, str], limit: int) -> list[dict[str, Any]]:
    if query is None:
        return list(next(table.list_entities(results_per_page=limit).by_page(), []))
    return list(next(table.query_entities(query, parameters=parameters, results_per_page=limit).by_page(), []))
