"""The ``inbox`` table: one row per list a conversation is in, so every inbox view is one
range of one partition (core/inbox.py). Rows carry the conversation as it was placed.

  PartitionKey     RowKey                               holds
  all              s|<state>|<newest>|<id>              every conversation in that state
                   s|*|<newest>|<id>                    ... and of every state
                   x|<term>|<newest>|<id>               search: a row per term it is found by
  w|<workstream>   s|<state or *>|<newest>|<id>         a workstream's (as all)
                   q|<queue>|<state or *>|<newest>|<id> one queue's (queue empty: no queue took it)
                   w|<queue>|<queued at>|<id>           waiting in the queue, offered to nobody
                   f|<day>|<id>                         its fact row (storage/fact_rows.py)
  a|<agent>        h|<newest>|<id>                      live conversations the agent holds
                   o|<newest>|<id>                      ... and those offered to it

``<newest>`` counts microseconds down from the creation time, so a range reads newest first;
a queue's name is a key with ``|`` escaped, so no range reaches into another's. Every row
of a conversation lies in the deployment's partition, its workstream's or its agent's,
so a move writes each partition it enters or leaves once, all at once: one operation where
a partition needs only that, else one batch (an entity group transaction). Most moves
are three writes; one to another workstream or agent adds that one's.
"""

from __future__ import annotations

import base64
import binascii
import json
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.inbox import ALL, MINE, OFFERS, QUEUE, WORKSTREAM, Page, Placement, View
from core.records import Conversation
from core.reports import UTC, FactRow
from storage.client import TableStorage, submit_mended, translated
from storage.fact_rows import FACTS, fact_entity, fact_key, workstream_partition
from storage.keys import safe_key
from storage.thread_rows import conversation_fields, to_conversation
from storage.upgrades import Upgrade

NEWEST = 10**16  # microseconds; counts down to zero in the year 2286
_ANY_STATE = "*"
EVERY = "all"  # the deployment's partition
SEARCH = "x|"  # search rows' RowKeys, in the deployment's partition (core/inbox.py search_terms)
EARLIER_SEARCH = "x"  # their partition until December 2026, RowKey without the prefix (storage/relocation.py)
EVERY_ROWS = f"s|{_ANY_STATE}|"  # its rows of any state: every conversation, once
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_pool = ThreadPoolExecutor(8, thread_name_prefix="inbox")

Key = tuple[str, str]


def micros(when: datetime) -> int:
    """Microseconds since 1970: keys keep the order of the times they are made of."""
    return (when.astimezone(timezone.utc) - _EPOCH) // timedelta(microseconds=1)


def _queue(queue: str | None) -> str:
    return safe_key(queue or "").replace("|", "%7C")


def keys(p: Placement) -> set[Key]:
    """The rows of a conversation placed as ``p``."""
    tail = f"{NEWEST - micros(p.created_at):016d}|{p.conversation_id}"
    states = (p.state, _ANY_STATE)
    found = {(EVERY, f"s|{state}|{tail}") for state in states}
    if p.workstream_id:
        workstream, queue = workstream_partition(p.workstream_id), _queue(p.queue)
        found |= {(workstream, f"s|{state}|{tail}") for state in states}
        found |= {(workstream, f"q|{queue}|{state}|{tail}") for state in states}
        if p.queued:
            found.add((workstream, f"w|{queue}|{micros(p.queued_at or p.created_at):016d}|{p.conversation_id}"))
    if p.holder:
        found.add((f"a|{p.holder}", f"h|{tail}"))
    if p.offer_agent_id:
        found.add((f"a|{p.offer_agent_id}", f"o|{tail}"))
    if p.workstream_id and p.filed:
        found.add(fact_key(p.workstream_id, p.filed, p.conversation_id))
    return found | {(EVERY, f"{SEARCH}{safe_key(term)}|{tail}") for term in p.terms}


def is_term(key: Key) -> bool:
    """Whether the key is a search row's."""
    return key[0] == EVERY and key[1].startswith(SEARCH)


def earlier_key(key: Key) -> Key:
    """Where deployments kept a search row until December 2026 (storage/relocation.py)."""
    return EARLIER_SEARCH, key[1][len(SEARCH):]


def _fact(key: Key) -> bool:
    return key[1].startswith(FACTS)


def every_key(p: Placement) -> Key:
    """The conversation's row in the list of every conversation, whatever its state."""
    return EVERY, f"{EVERY_ROWS}{NEWEST - micros(p.created_at):016d}|{p.conversation_id}"


def _listed(p: Placement) -> tuple[object, ...]:
    """What a list row shows of a conversation's place (its offer too: Supervise names
    whom it is offered to, and the live figures count it offered or waiting: a proactive
    message's conversation too, once its customer writes), and the names it is found by
    (its contact renamed: the rows show the new name)."""
    return p.state, p.workstream_id, p.queue, p.agent_id, p.offer_agent_id, p.stage, p.labels, p.terms, p.queued


def _range(view: View) -> tuple[str, str, str | None]:
    """The partition, the RowKey prefix, and a state to filter on, of a view."""
    if view.kind in (MINE, OFFERS):
        return f"a|{view.agent_id}", "h|" if view.kind == MINE else "o|", view.state
    state = view.state or _ANY_STATE
    if view.kind == QUEUE:
        return workstream_partition(view.workstream_id), f"w|{_queue(view.queue)}|", None
    if view.kind == WORKSTREAM:
        prefix = f"q|{_queue(view.queue)}|{state}|" if view.by_queue else f"s|{state}|"
        return workstream_partition(view.workstream_id), prefix, None
    if view.kind == ALL:
        return EVERY, f"s|{state}|", None
    raise ValueError(f"no view {view.kind}")


def _write(exists: bool, entity: dict[str, Any]) -> tuple[Any, ...]:
    return ("update", entity, {"mode": UpdateMode.REPLACE}) if exists else ("create", entity)


def _instead(op: tuple[Any, ...], found: bool, missing: bool) -> list[tuple[Any, ...]] | None:
    """What to send instead of an operation storage refused because the row was ``found``
    or ``missing``: nothing for a row to delete that is gone, an upsert for a row to create
    that exists or to replace that does not; None when the refusal stands."""
    if op[0] == "delete" and missing:
        return []
    if op[0] == "create" and found or op[0] == "update" and missing:
        return [("upsert", op[1], {"mode": UpdateMode.REPLACE})]
    return None


class InboxStore:
    def __init__(self, storage: TableStorage, relocated: Upgrade) -> None:
        self._storage = storage
        self._relocated = relocated

    @property
    def _table(self) -> TableClient:
        return self._storage.table("inbox")

    def place(self, conversation: Conversation, stale: Iterable[Placement] = (), refile: bool = False) -> None:
        """Rows it lacks are written and rows it left deleted. When nothing the lists show
        changed since the last of ``stale`` (its state, holder, offer, queue or labels), the
        rows it keeps are left as they are. Its
        fact row is written with its workstream's lists, and alone when ``refile`` (its facts
        changed since, the lists did not).

        A row the last of ``stale`` placed is replaced, one it did not is created (each
        falls back to an upsert when storage says otherwise: a placing that stopped half
        way), so that no write needs to look the row up first."""
        placement, stale = Placement.of(conversation), list(stale)
        wanted = keys(placement)
        gone = set().union(*(keys(p) for p in stale)) - wanted
        placed = keys(stale[-1]) if stale else set()
        kept = placed if stale and _listed(stale[-1]) == _listed(placement) else {k for k in placed if is_term(k)}
        if refile:
            kept = {k for k in kept if not _fact(k)}
        fields = {**conversation_fields(conversation), "Kind": "conversation"}
        found_by = {"ConversationId": conversation.id, "Kind": "term"}  # search rows name it, nothing more
        writes = {key: _write(key in placed, fact_entity(FactRow.of(conversation, UTC)) if _fact(key) else
                              {"PartitionKey": key[0], "RowKey": key[1], **(found_by if is_term(key) else fields)})
                  for key in wanted - kept}  # a fact row is filed by its Facts.day: the zone is not read
        self._apply(writes, gone)

    def remove(self, places: Iterable[Placement]) -> None:
        self._apply({}, set().union(*(keys(p) for p in places)))

    def _apply(self, writes: dict[Key, tuple[Any, ...]], deletes: set[Key]) -> None:
        earlier = sorted(earlier_key(k) for k in deletes if is_term(k))
        if earlier and not self._relocated.finished():  # a term's row kept before goes first (storage/relocation.py)
            with translated():
                self._submit([("delete", {"PartitionKey": pk, "RowKey": rk}) for pk, rk in earlier])
        partitions = {pk for pk, _ in writes} | {pk for pk, _ in deletes}
        batches = [[op for k, op in writes.items() if k[0] == pk]
                   + [("delete", {"PartitionKey": pk, "RowKey": rk}) for p, rk in sorted(deletes) if p == pk]
                   for pk in sorted(partitions)]
        sent = [_pool.submit(self._submit, ops) for ops in batches]
        wait(sent)  # every batch settled (its retries too) before a failure is raised
        with translated():
            for done in sent:
                done.result()

    def _submit(self, ops: list[tuple[Any, ...]]) -> None:
        """One partition's operation, or its batch; a row to delete that is gone already is
        left out, a row to create that is there already or to replace that is not is upserted."""
        if len(ops) == 1:
            self._one(ops[0])
            return
        submit_mended(self._table, ops, lambda op, code: _instead(op, code == "EntityAlreadyExists",
                                                                 code == "ResourceNotFound"))

    def _one(self, op: tuple[Any, ...]) -> None:
        """One operation alone: a batch of one costs more to send and to answer."""
        kind, entity = op[0], op[1]
        try:
            if kind == "create":
                self._table.create_entity(entity)
            elif kind == "update":
                self._table.update_entity(entity, mode=UpdateMode.REPLACE)
            else:
                self._table.delete_entity(entity["PartitionKey"], entity["RowKey"])
        except (ResourceExistsError, ResourceNotFoundError) as exc:
            instead = _instead(op, isinstance(exc, ResourceExistsError), isinstance(exc, ResourceNotFoundError))
            if instead is None:
                raise
            for upsert in instead:
                self._table.upsert_entity(upsert[1], mode=UpdateMode.REPLACE)

    def found(self, prefix: str, limit: int, token: str | None = None) -> tuple[list[str], str | None]:
        """A page of the conversations a search term starting with ``prefix`` finds, newest
        first for each term: their ids (one range of the deployment's partition)."""
        lo = SEARCH + safe_key(prefix)
        hi = lo[:-1] + chr(ord(lo[-1]) + 1)  # every key it begins, whatever follows ("jo": "joël" too)
        with translated():
            pages = self._table.query_entities("PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
                                               parameters={"pk": EVERY, "lo": lo, "hi": hi},
                                               select=["ConversationId"], results_per_page=limit).by_page(
                continuation_token=decode_token(token))
            ids = [r["ConversationId"] for r in next(pages, [])]
        return list(dict.fromkeys(ids)), encode_token(pages.continuation_token)

    def page(self, view: View, limit: int, token: str | None = None) -> Page:
        partition, prefix, state = _range(view)
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi"
        parameters = {"pk": partition, "lo": prefix, "hi": prefix + "~"}
        if state:
            query, parameters["state"] = query + " and State eq @state", state
        with translated():
            pages = self._table.query_entities(query, parameters=parameters, results_per_page=limit).by_page(
                continuation_token=decode_token(token))
            rows = list(next(pages, []))
        return Page([to_conversation(r) for r in rows], encode_token(pages.continuation_token))


def encode_token(token: dict[str, str] | None) -> str | None:
    if not token:
        return None
    return base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str | None) -> dict[str, str] | None:
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a page token") from exc
    if not isinstance(value, dict) or set(value) != {"PartitionKey", "RowKey"} \
            or not all(isinstance(v, str) and len(v) < 2048 for v in value.values()):
        raise ValueError("not a page token")
    return value
