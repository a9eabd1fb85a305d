"""Rows deployments before December 2026 kept elsewhere, moved to where storage/inbox.py
writes them now, so that a move writes them in the batches it sends anyway; remove this
module once every deployment has run it.

  kept before                          kept now (table inbox)
  reports  f|<workstream>|<day>  <id>  w|<workstream>  f|<day>|<id>    a fact row
  inbox    x               <term>|…    all             x|<term>|…      a search row

A page at a time, fact rows first (reports read them): each row is created where it goes
(one written there since stays), the days of moved fact rows have their digests marked
stale, a journal row names the rows this page created, and each is deleted where it was by
the ETag it was read with; when that delete finds it gone (an erasure, a retention or a
change of terms deleted it meanwhile), the row the page created is deleted too, so nothing
they deleted comes back; then the journal goes. A run that stops before that leaves the
journal, and the next keeps of its rows whose old row is gone only those their
conversation still has (or an erased conversation's unnamed fact row).
Until none is left, search and reports see a row once it is moved, a moved row of a term
its conversation no longer has leads nowhere (conversations/distribution/search.py), and
whatever deletes a conversation's rows deletes them in the earlier places first
(storage/purge.py, storage/inbox.py, storage/reports.py). Then a row says it is done
(storage/upgrades.py).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from azure.core import MatchConditions
from azure.data.tables import TableClient, UpdateMode

from azure.core.exceptions import ResourceNotFoundError

from core.ids import thread_of
from core.inbox import Placement
from core.reports import FactRow
from storage.client import TableStorage, delete_all, submit_mended, translated
from storage.columns import get_json, put_json
from storage.fact_rows import fact_key, stale_digest
from storage.inbox import EARLIER_SEARCH, EVERY, SEARCH, earlier_key, is_term, keys
from storage.keys import safe_key
from storage.thread_rows import conversation_key, to_conversation
from storage.upgrades import PARTITION, Upgrade

NAME = "index-2026-12b"
JOURNAL = (PARTITION, f"{NAME}|page")
UNNAMED = "erased-"  # an erased conversation's fact row, kept without the customer (storage/reports.py unname)
Key = tuple[str, str]


def _earlier_fact(workstream_id: str, day: str, conversation_id: str) -> Key:
    return f"f|{safe_key(workstream_id)}|{day}", conversation_id


class Relocation:
    def __init__(self, storage: TableStorage, upgrade: Upgrade) -> None:
        self._storage = storage
        self._upgrade = upgrade

    @property
    def _inbox(self) -> TableClient:
        return self._storage.table("inbox")

    def finished(self) -> bool:
        return self._upgrade.finished()

    def move(self, limit: int) -> int:
        """Move a page of at most ``limit`` (≤ 100) rows; how many. None left: it notes that
        it is done, and answers 0."""
        if self.finished():
            return 0
        facts = self._storage.table("reports")
        with translated():
            self._settle_journal()
            rows = _first_page(lambda: facts.list_entities(results_per_page=limit))
            if rows:
                self._relocate(facts, rows, lambda r: fact_key(r["WorkstreamId"], r["Day"], r["RowKey"]), "fact")
                return len(rows)
            rows = _first_page(lambda: self._inbox.query_entities(
                "PartitionKey eq @pk", parameters={"pk": EARLIER_SEARCH}, results_per_page=limit))
            if rows:
                self._relocate(self._inbox, rows, lambda r: (EVERY, SEARCH + r["RowKey"]), "term")
                return len(rows)
        self._upgrade.done()
        return 0

    def _relocate(self, source: TableClient, rows: list[Any], target: Callable[[Any], Key], kind: str) -> None:
        """Create each row at its target, note those created, delete each at its source by
        its ETag, and delete again the created target of each whose source was gone or
        changed by then."""
        moved = {(r["PartitionKey"], r["RowKey"]): {**r, "PartitionKey": target(r)[0], "RowKey": target(r)[1],
                                                     "Kind": kind} for r in rows}
        created: set[Key] = set()
        for partition in {e["PartitionKey"] for e in moved.values()}:
            done = submit_mended(self._inbox, [("create", e) for e in moved.values() if e["PartitionKey"] == partition],
                                 lambda _op, code: [] if code == "EntityAlreadyExists" else None)
            created |= {(op[1]["PartitionKey"], op[1]["RowKey"]) for op in done}
        for workstream_id, day in sorted({(r["WorkstreamId"], r["Day"]) for r in rows} if kind == "fact" else ()):
            self._storage.table("reportdays").upsert_entity(stale_digest(workstream_id, day), mode=UpdateMode.MERGE)
        pages = [[*k, moved[k]["PartitionKey"], moved[k]["RowKey"], kind, _conversation_of(moved[k])]
                 for k in moved if (moved[k]["PartitionKey"], moved[k]["RowKey"]) in created]
        self._inbox.upsert_entity(put_json({"PartitionKey": JOURNAL[0], "RowKey": JOURNAL[1]}, "Rows", pages))
        refused: list[Key] = []

        def gone(op: tuple[Any, ...], code: str | None) -> list[tuple[Any, ...]] | None:
            if code not in ("ResourceNotFound", "UpdateConditionNotSatisfied"):
                return None
            refused.append((op[1]["PartitionKey"], op[1]["RowKey"]))
            return []

        for partition in {r["PartitionKey"] for r in rows}:
            submit_mended(source, [("delete", {"PartitionKey": r["PartitionKey"], "RowKey": r["RowKey"]},
                                    {"etag": r.metadata["etag"], "match_condition": MatchConditions.IfNotModified})
                                   for r in rows if r["PartitionKey"] == partition], gone)
        delete_all(self._inbox, [t for k in refused for t in [(moved[k]["PartitionKey"], moved[k]["RowKey"])]
                                 if t in created])
        self._inbox.delete_entity(*JOURNAL)

    def _settle_journal(self) -> None:
        """A page a run left between its source deletes and their undo: of the rows it
        created whose old row is gone, those the conversation no longer has go."""
        try:
            pages = get_json(self._inbox.get_entity(*JOURNAL), "Rows", [])
        except ResourceNotFoundError:
            return
        stray = [(pk, rk) for spk, srk, pk, rk, kind, cid in pages
                 if not self._exists(self._source(kind), spk, srk) and not self._still_has(kind, cid, (pk, rk))]
        delete_all(self._inbox, stray)
        self._inbox.delete_entity(*JOURNAL)

    def _source(self, kind: str) -> TableClient:
        return self._storage.table("reports") if kind == "fact" else self._inbox

    @staticmethod
    def _exists(table: TableClient, pk: str, rk: str) -> bool:
        try:
            table.get_entity(pk, rk, select=["RowKey"])
        except ResourceNotFoundError:
            return False
        return True

    def _still_has(self, kind: str, conversation_id: str, key: Key) -> bool:
        """Whether the conversation still has the row: an erased one's unnamed fact row,
        or its fact row while it is there, or a search row of a term it has now."""
        if kind == "fact" and conversation_id.startswith(UNNAMED):
            return True
        try:
            row = self._storage.table("threads").get_entity(thread_of(conversation_id),
                                                            conversation_key(conversation_id))
        except ResourceNotFoundError:
            return False
        return kind == "fact" or key in keys(Placement.of(to_conversation(row)))

    def earlier_rows(self, placements: Iterable[Placement]) -> list[Key]:
        """Until it is done, the search rows conversations placed so had where they were kept
        before (for a purge to delete first); none after."""
        if self.finished():
            return []
        return sorted({earlier_key(k) for p in placements for k in keys(p) if is_term(k)})

    def forget_fact(self, row: FactRow) -> None:
        """Until it is done, delete a conversation's fact row where it was kept before."""
        if not self.finished():
            with translated():
                delete_all(self._storage.table("reports"),
                           [_earlier_fact(row.workstream_id, row.day, row.conversation_id)])


def _first_page(query: Callable[[], Any]) -> list[Any]:
    """The first rows a query finds, following its continuation past pages that came back
    empty (Table storage may answer one so, at a partition's end or its time limit)."""
    for page in query().by_page():
        rows = list(page)
        if rows:
            return rows
    return []


def _conversation_of(moved: dict[str, Any]) -> str:
    return moved["ConversationId"] if moved["Kind"] == "term" else moved["RowKey"].rsplit("|", 1)[1]
