"""Deleting a customer's rows: a whole thread (erasure) or one closed conversation
(retention), with the rows of other tables that name them. Every delete skips a row that
is gone already, so a step cut short by an outage is simply repeated."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any, Iterable

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError

from core.custody import Subject, ThreadContents
from core.ids import thread_of
from core.inbox import Placement
from core.ports import CONTACT_PHONE, Head
from core.records import OUTBOUND, Conversation
from storage.client import TableStorage, delete_all, translated
from storage.columns import get_json
from storage.deadlines import bucket_of
from storage.earlier_inbox import EarlierInbox
from storage.inbox import EVERY, EVERY_ROWS, every_key, keys as inbox_keys
from storage.keys import safe_key
from storage.relocation import Relocation
from storage.thread_rows import (HEAD, attempts_prefix, conversation_key, event_key, marker_key, message_key,
                                 own_key, to_conversation, to_event, to_message)

TIMER_KINDS = ("place", "offer", "dispatch")  # timers rows that name a conversation (conversations/messaging/writer.py, ...)
_KEYS = ["PartitionKey", "RowKey"]


class Purger:
    def __init__(self, storage: TableStorage, relocation: Relocation) -> None:
        self._storage = storage
        self._earlier = EarlierInbox(storage)
        self._relocation = relocation

    def read_thread(self, thread: str) -> ThreadContents:
        with translated():
            rows = list(self._storage.table("threads").query_entities("PartitionKey eq @pk", parameters={"pk": thread}))
        head = next((Head(to_conversation(r), int(r["Seq"]), r.metadata["etag"]) for r in rows
                     if r["RowKey"] == HEAD), None)
        conversations = []
        for row in rows:
            if row.get("Kind") == "conversation":
                prefix = conversation_key(row["ConversationId"]) + "|"
                mine = [r for r in rows if r["RowKey"].startswith(prefix)]
                conversations.append(replace(
                    to_conversation(row), messages=tuple(to_message(r) for r in mine if r["Kind"] == "message"),
                    events=tuple(to_event(r) for r in mine if r["Kind"] == "event")))
        return ThreadContents(head, conversations)

    def threads_named(self, subject: Subject) -> set[str]:
        """From the inbox index's rows that list every conversation once (a filtered query of
        one partition's range: found also on numbers an account has dropped), and, until its
        upgrade is done, from the index's earlier layout too."""
        named, parameters = "Customer eq @customer", {"customer": subject.address}
        if subject.account_id:
            named, parameters["account"] = named + " and AccountId eq @account", subject.account_id
        with translated():
            rows = self._storage.table("inbox").query_entities(
                f"PartitionKey eq @every and RowKey ge @lo and RowKey lt @hi and {named}", select=["ConversationId"],
                parameters={**parameters, "every": EVERY, "lo": EVERY_ROWS, "hi": EVERY_ROWS + "~"})
            found = {thread_of(r["ConversationId"]) for r in rows}
        if not self._earlier.finished():
            found |= self._earlier.threads_named(named, parameters)
        return found

    def erase_thread(self, thread: str, contents: ThreadContents) -> dict[str, int]:
        """Rows elsewhere first (found through the thread's conversations), the thread's own
        rows last and its head after them: until then, a retry finds everything again."""
        # Each conversation's row in the list of every conversation stays until the end: it
        # tells where the last move placed it (_placed_now).
        every = {every_key(Placement.of(c)) for c in contents.conversations}
        listed = [k for k in self._placements(contents.conversations) if k not in every]
        counts = {"inbox": self._delete("inbox", listed),
                  # and a sweep's close left unfinished (conversations/messaging/sweep.py)
                  "deadlines": self._delete("deadlines", self._named("deadlines", [thread, f"place|{thread}"])),
                  "retention": self._delete("retention", self._named("retention", [thread])),
                  "timers": self._delete("timers", self._named("timers", [f"{k}|{thread}" for k in TIMER_KINDS]))}
        rows = self._thread_keys(thread)
        counts["threads"] = self._delete("threads", [k for k in rows if k[1] != HEAD])
        counts["threads"] += self._delete("threads", [k for k in rows if k[1] == HEAD])
        # A send's record (or a report adopting it) that landed between the read and the
        # deletion of its message left a marker; once the messages are gone none can. A move
        # placed meanwhile (an agent accepting, say) left the rows of where it put it.
        counts["threads"] += self._delete("threads", self._thread_keys(thread))
        counts["inbox"] += self._delete("inbox", self._placed_now(contents.conversations))
        if not self._earlier.finished():  # rows of the index's earlier layout the upgrade has not moved yet
            for c in contents.conversations:
                self._earlier.retire(c)
        return counts

    def _placed_now(self, conversations: Iterable[Conversation]) -> list[tuple[str, str]]:
        """The inbox rows of each conversation as its last move placed it, read from the one
        list that holds every conversation once (a point read each); a move that places it
        after this finds it gone when it reads it back, and removes its rows itself."""
        found: set[tuple[str, str]] = set()
        table = self._storage.table("inbox")
        for c in conversations:
            with translated():
                try:
                    row = table.get_entity(*every_key(Placement.of(c)))
                except ResourceNotFoundError:
                    continue
            found |= inbox_keys(Placement.of(to_conversation(row)))
        return sorted(found)

    def _thread_keys(self, thread: str) -> list[tuple[str, str]]:
        with translated():
            return [(r["PartitionKey"], r["RowKey"]) for r in self._storage.table("threads").query_entities(
                "PartitionKey eq @pk", parameters={"pk": thread}, select=_KEYS)]

    def erase_conversation(self, conversation: Conversation, head: Head | None) -> dict[str, int]:
        thread = thread_of(conversation.id)
        counts = {"inbox": self._delete("inbox", self._placements([conversation]))}
        due = conversation.last_activity_at + timedelta(minutes=conversation.auto_close_after_minutes)
        counts["deadlines"] = self._delete("deadlines", [(bucket_of(due), conversation.id)])
        if head is not None:
            counts["threads"] = self._delete_head(thread, head)
        counts["threads"] = counts.get("threads", 0) + self._delete("threads", [
            (thread, k) for k in _conversation_rows(conversation) + self._tries(thread, conversation.id)])
        return counts

    def _tries(self, thread: str, conversation_id: str) -> list[str]:
        """The keys of the conversation's send tries (storage/attempts.py): one range read."""
        prefix = attempts_prefix(conversation_id)
        with translated():
            return [r["RowKey"] for r in self._storage.table("threads").query_entities(
                "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
                parameters={"pk": thread, "lo": prefix, "hi": prefix + "~"}, select=["RowKey"])]

    def erase_contacts(self, address: str) -> dict[str, int]:
        """The contacts holding ``address``: by their mobile phone, or as one of their other
        numbers (the one its directory claim names); and the claims of every number they held."""
        contacts, directory = self._storage.table("contacts"), self._storage.table("directory")
        select = [*_KEYS, "MobilePhone", "OtherPhones"]
        with translated():
            rows = {r["RowKey"]: r for r in contacts.query_entities(
                "PartitionKey eq 'contact' and MobilePhone eq @phone", parameters={"phone": address}, select=select)}
            try:
                owner = directory.get_entity(CONTACT_PHONE, safe_key(address))["Owner"]
                rows.setdefault(owner, contacts.get_entity("contact", owner, select=select))
            except ResourceNotFoundError:
                pass
        held = {cid: {r["MobilePhone"], *get_json(r, "OtherPhones", [])} for cid, r in rows.items()}
        found = [cid for cid, phones in held.items() if address in phones]
        phones = {address}.union(*(held[cid] for cid in found))
        return {"contacts": self._delete("contacts", [("contact", cid) for cid in found]),
                "directory": self._delete("directory", [(CONTACT_PHONE, safe_key(p)) for p in sorted(phones)])}

    def erase_mentions(self, table: str, needles: Iterable[str]) -> dict[str, int]:
        """Rows of a short-lived table (``idempotency``: answers kept a day) whose values
        name any of ``needles``: the whole table is read, which its size allows."""
        needles = [n for n in needles if n]
        with translated():
            named = [(r["PartitionKey"], r["RowKey"]) for r in self._storage.table(table).list_entities()
                     if any(n in _text(r) for n in needles)]
        return {table: self._delete(table, named)}

    def _named(self, table: str, prefixes: list[str]) -> list[tuple[str, str]]:
        """Rows of a time-bucketed table whose RowKey starts with one of ``prefixes``, in any
        minute: one query (the table holds pending work, not history)."""
        clauses = " or ".join(f"( RowKey ge @lo{i} and RowKey lt @hi{i} )" for i in range(len(prefixes)))
        parameters = {**{f"lo{i}": p for i, p in enumerate(prefixes)}, **{f"hi{i}": p + "~" for i, p in enumerate(prefixes)}}
        with translated():
            return [(r["PartitionKey"], r["RowKey"]) for r in self._storage.table(table).query_entities(
                clauses, parameters=parameters, select=_KEYS)]

    def _placements(self, conversations: Iterable[Conversation]) -> list[tuple[str, str]]:
        """Their inbox rows, and until they are moved, their search rows kept before: those
        first, so that a row the relocation moves meanwhile is undone (storage/relocation.py)."""
        places = [Placement.of(c) for c in conversations]
        return self._relocation.earlier_rows(places) + sorted(set().union(*(inbox_keys(p) for p in places)))

    def _delete(self, table: str, keys: list[tuple[str, str]]) -> int:
        return delete_all(self._storage.table(table), keys) if keys else 0

    def _delete_head(self, thread: str, head: Head) -> int:
        """The head, unless it changed since it was read (a new conversation began)."""
        with translated():
            try:
                self._storage.table("threads").delete_entity(thread, HEAD, etag=head.etag,
                                                             match_condition=MatchConditions.IfNotModified)
                return 1
            except (ResourceModifiedError, ResourceNotFoundError):
                return 0


def _conversation_rows(c: Conversation) -> list[str]:
    rows = [conversation_key(c.id)]
    rows += [message_key(c.id, m.seq) for m in c.messages] + [event_key(c.id, e.seq) for e in c.events]
    rows += [marker_key(m.provider_message_id) for m in c.messages if m.provider_message_id]
    rows += [own_key(m.id) for m in c.messages if m.direction == OUTBOUND]
    return rows


def _text(row: dict[str, Any]) -> str:
    return "\n".join(str(v) for v in row.values() if isinstance(v, str))
