"""The inbox index as deployments before December 2026 kept it, in the same ``inbox``
table, read only to move it to the layout of storage/inbox.py
(conversations/distribution/upgrade.py); remove this module once every deployment has.

  PartitionKey                 RowKey             holds
  all|<state>, all|*           <newest>|<id>      every conversation in that state, of every state
  w|<workstream>|<state or *>  (as all)           a workstream's
  wq|<workstream>|<q>|<s or *> (as all)           one queue's
  q|<workstream>|<q>           <queued at>|<id>   waiting in the queue
  a|<agent>                    (unchanged: storage/inbox.py writes the same rows)

None of these partitions is one of the layout's now (``all``, ``w|<workstream>``, with no
second ``|``, ``a|<agent>``), so the two live side by side while the upgrade runs. Once
it is done, a row says so (storage/upgrades.py): each instance asks it until it is there.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from core.ids import thread_of
from core.inbox import Placement
from core.records import Conversation
from storage.client import TableStorage, delete_all, translated
from storage.inbox import NEWEST, micros
from storage.keys import safe_key
from storage.thread_rows import to_conversation
from storage.upgrades import Upgrade

_EVERY = "all|*"
_LIVE_FIRST = ("all|open", "all|waiting", "all|active", _EVERY)  # customers waiting are moved first
# The ranges of PartitionKeys that held only the earlier layout (``w|<workstream>|…``
# did too: read per workstream, as ``w|<workstream>`` is the layout's now).
_RANGES = ("all|", "q|", "wq|")


def earlier_keys(p: Placement) -> set[tuple[str, str]]:
    """The rows of the earlier layout a conversation placed as ``p`` had, but its agent's."""
    tail = f"{NEWEST - micros(p.created_at):016d}|{p.conversation_id}"
    lists = ["all"]
    if p.workstream_id:
        lists += [f"w|{p.workstream_id}", f"wq|{p.workstream_id}|{safe_key(p.queue or '')}"]
    found = {(f"{name}|{state}", tail) for name in lists for state in (p.state, "*")}
    if p.workstream_id and p.queued:
        found.add((f"q|{p.workstream_id}|{safe_key(p.queue or '')}",
                   f"{micros(p.queued_at or p.created_at):016d}|{p.conversation_id}"))
    return found


class EarlierInbox:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage
        self._done = Upgrade(storage, "inbox-2026-12")

    def finished(self) -> bool:
        """Whether the upgrade is done (its row is there)."""
        return self._done.finished()

    def remaining(self, limit: int) -> list[Conversation]:
        """Conversations the earlier layout still lists, as it placed them: the live ones
        first (those waiting in a queue can be offered once moved), newest first."""
        with translated():
            for partition in _LIVE_FIRST:
                rows = next(self._storage.table("inbox").query_entities(
                    "PartitionKey eq @pk", parameters={"pk": partition}, results_per_page=limit).by_page(), [])
                found = [to_conversation(r) for r in rows if r.get("Kind") == "conversation"]
                if found:
                    return found
        return []

    def retire(self, conversation: Conversation) -> None:
        """Delete the conversation's rows of the earlier layout, its row of every state last."""
        keys = earlier_keys(Placement.of(conversation))
        every = {k for k in keys if k[0] == _EVERY}
        with translated():
            delete_all(self._storage.table("inbox"), keys - every)
            delete_all(self._storage.table("inbox"), every)

    def clear(self, workstream_ids: Iterable[str]) -> int:
        """Delete whatever is left of the earlier layout (rows a writer that stopped half way
        left behind: one query of each of its ranges, a workstream's lists by workstream,
        so none reads the layout of now) and say the upgrade is done. Answers how many rows
        it deleted."""
        table = self._storage.table("inbox")
        with translated():
            deleted = delete_all(table, list(self._leftovers(workstream_ids)))
        self._done.done()
        return deleted

    def _leftovers(self, workstream_ids: Iterable[str]) -> Iterator[tuple[str, str]]:
        table = self._storage.table("inbox")
        for start in (*_RANGES, *(f"w|{w}|" for w in workstream_ids)):
            rows = table.query_entities("PartitionKey ge @lo and PartitionKey lt @hi", select=["PartitionKey", "RowKey"],
                                        parameters={"lo": start, "hi": start[:-1] + "}"})
            yield from ((r["PartitionKey"], r["RowKey"]) for r in rows)

    def threads_named(self, query: str, parameters: dict[str, str]) -> set[str]:
        """The threads of the conversations it lists that ``query`` (on its list of every
        conversation) finds: erasure's, while the upgrade runs."""
        with translated():
            rows = self._storage.table("inbox").query_entities(f"PartitionKey eq @every and {query}",
                                                                parameters={**parameters, "every": _EVERY},
                                                                select=["ConversationId"])
            return {thread_of(r["ConversationId"]) for r in rows}
