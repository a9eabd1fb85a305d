"""The ``threads`` table: one partition per (account, business address, customer address).

Rows in a partition:
  ``head``                  the current conversation (a full copy, with the thread's consent)
                            and the message sequence
  ``c|<conversation id>``   every conversation of the thread, current or closed
  ``c|<id>|m|<seq>``        the conversation's messages, in order
  ``p|<provider msg id>``   one marker per provider message id (dedupe, status lookup)

Ingesting a message is one point read of ``head`` plus one batch (head with If-Match,
conversation row, message, marker): atomic, so a retry collides on the marker and a lost
race on the head is retried from a fresh read.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Iterable

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, TableTransactionError, UpdateMode

from core.errors import ThreadDeleted
from core.ids import thread_of
from core.ports import DuplicateMarker, Head
from core.records import OUTBOUND, Conversation, Event, Message
from core.retry import ConcurrencyConflict, until_committed
from core.status import PENDING, supersedes
from storage.client import TableStorage, translated
from storage.thread_rows import (
    HEAD,
    MAX_STORED_ID,
    conversation_fields,
    conversation_key,
    error_fields,
    event_entity,
    marker_key,
    message_entity,
    message_of,
    message_key,
    own_key,
    to_conversation,
    to_event,
    to_message,
)

STATUS_ATTEMPTS = 20  # reports racing for one message settle long before this

log = logging.getLogger(__name__)


class ThreadStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("threads")

    def read_head(self, thread: str) -> Head | None:
        with translated():
            try:
                entity = self._table.get_entity(thread, HEAD)
            except ResourceNotFoundError:
                return None
        return Head(to_conversation(entity), int(entity["Seq"]), entity.metadata["etag"])

    def commit(self, thread: str, head: Head | None, conversation: Conversation, seq: int,
               messages: Iterable[Message] = (), markers: Iterable[tuple[str, Message]] = (),
               events: Iterable[Event] = ()) -> str:
        """Write the head, the conversation row, new messages, history events and markers
        in one batch; answer the head's new ETag.

        Raises ConcurrencyConflict when the head changed (or appeared) since ``head`` was
        read, DuplicateMarker when a marker exists already, and ThreadDeleted (a 503) when the
        head was deleted with its thread meanwhile (retention, an erasure): the same request
        again, once the deletion finished, finds the conversation gone, or starts a new one,
        rather than now, when the erasure would leave half of it.
        """
        head_entity = {"PartitionKey": thread, "RowKey": HEAD, "Kind": "head", "Seq": seq,
                       **conversation_fields(conversation)}
        ops: list[tuple[Any, ...]] = [("create", head_entity) if head is None else (
            "update", head_entity, {"mode": UpdateMode.REPLACE, "etag": head.etag,
                                    "match_condition": MatchConditions.IfNotModified})]
        ops.append(("upsert", {"PartitionKey": thread, "RowKey": conversation_key(conversation.id),
                               "Kind": "conversation", **conversation_fields(conversation)},
                    {"mode": UpdateMode.REPLACE}))
        messages = list(messages)
        ops.extend(("create", message_entity(thread, m)) for m in messages)
        ops.extend(("create", event_entity(thread, v)) for v in events)
        keyed = [(marker_key(pid), m, pid) for pid, m in markers]
        keyed += [(own_key(m.id), m, m.id) for m in messages if m.direction == OUTBOUND]
        marker_ids = [named for _, _, named in keyed]
        ops.extend(("create", {"PartitionKey": thread, "RowKey": key, "Kind": "marker",
                               "MessageRowKey": message_key(m.conversation_id, m.seq)}) for key, m, _ in keyed)
        try:
            with translated():
                return self._table.submit_transaction(ops)[0]["etag"]
        except TableTransactionError as exc:
            code = str(exc.error_code or "")
            first_marker = len(ops) - len(marker_ids)
            if code == "EntityAlreadyExists" and exc.index >= first_marker:
                raise DuplicateMarker(marker_ids[exc.index - first_marker]) from exc
            if code in ("UpdateConditionNotSatisfied", "EntityAlreadyExists"):
                raise ConcurrencyConflict() from exc
            if code == "ResourceNotFound" and exc.index == 0 and head is not None:
                raise ThreadDeleted("the conversation was deleted while this request wrote to it; ask again") from exc
            raise

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation with its messages in order (one partition range query)."""
        lo = conversation_key(conversation_id)
        with translated():
            rows = list(self._table.query_entities(
                "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
                parameters={"pk": thread_of(conversation_id), "lo": lo, "hi": lo + "~"},
            ))
        conversation = next((r for r in rows if r["Kind"] == "conversation"), None)
        if conversation is None:
            return None
        messages = tuple(to_message(r) for r in rows if r["Kind"] == "message")
        events = tuple(to_event(r) for r in rows if r["Kind"] == "event")
        return replace(to_conversation(conversation), messages=messages, events=events)

    def current(self, conversation_id: str) -> Conversation | None:
        with translated():
            try:
                return to_conversation(self._table.get_entity(thread_of(conversation_id),
                                                              conversation_key(conversation_id)))
            except ResourceNotFoundError:
                return None

    def message(self, conversation_id: str, seq: int) -> Message | None:
        return self._row(thread_of(conversation_id), message_key(conversation_id, seq))

    def find_message(self, thread: str, message_id: str) -> Message | None:
        with translated():
            try:
                marker = self._table.get_entity(thread, own_key(message_id))
            except ResourceNotFoundError:
                return None
        return self._row(thread, marker["MessageRowKey"])

    def _row(self, thread: str, row_key: str) -> Message | None:
        with translated():
            try:
                return to_message(self._table.get_entity(thread, row_key))
            except ResourceNotFoundError:
                return None

    def record_sent(self, thread: str, message: Message, provider_message_id: str, status: str) -> None:
        """Attach the provider's id and status to a sent message and index it by that id.

        A delivery report can overtake us: it then left a marker with a pending status,
        which is merged here rather than lost. A message erased meanwhile (its thread's
        customer) records nothing: no marker is left to name it.
        """
        row_key = message_key(message.conversation_id, message.seq)
        update: dict[str, Any] = {"PartitionKey": thread, "RowKey": row_key,
                                  "ProviderMessageId": provider_message_id[:MAX_STORED_ID], "Status": status,
                                  **error_fields(None, None)}  # sent: what an earlier try failed with is past
        marker = {"PartitionKey": thread, "RowKey": marker_key(provider_message_id), "Kind": "marker",
                  "MessageRowKey": row_key}
        with translated():
            try:
                self._table.submit_transaction([("update", update, {"mode": UpdateMode.MERGE}), ("create", marker)])
                return
            except TableTransactionError as exc:
                if str(exc.error_code) == "ResourceNotFound" and exc.index == 0:
                    log.info("message %s sent after it was erased: nothing recorded", message.id)
                    return
                if str(exc.error_code) != "EntityAlreadyExists":
                    raise
            until_committed(lambda: self._merge_parked(update, marker), "record the send", STATUS_ATTEMPTS)

    def _merge_parked(self, update: dict[str, Any], marker: dict[str, Any]) -> None:
        """Record the send over a marker a delivery report parked its status on, or one a
        report wrote when it recorded the send first (then its status stands unless ours is
        later); a marker of another message (a provider that gave two messages one id, as a
        stand-in does) keeps that one's reports, and this message records its send all the same."""
        existing = self._table.get_entity(marker["PartitionKey"], marker["RowKey"])
        if existing.get("MessageRowKey"):
            if existing["MessageRowKey"] != update["RowKey"]:  # the provider gave another message this id
                log.warning("message %s: its provider id names message %s already; its reports go there",
                            update["RowKey"], existing["MessageRowKey"])
            self._merge_later(update, update["RowKey"])
            return
        pending = existing.get("PendingStatus")
        merged = dict(update)
        if pending and supersedes(pending, update["Status"]):
            merged.update(Status=pending, **error_fields(existing.get("PendingErrorCode"),
                                                         existing.get("PendingErrorMessage")))
        try:
            self._table.submit_transaction([
                ("update", merged, {"mode": UpdateMode.MERGE}),
                ("update", marker, {"mode": UpdateMode.MERGE, "etag": existing.metadata["etag"],
                                    "match_condition": MatchConditions.IfNotModified}),
            ])
        except TableTransactionError as exc:
            if str(exc.error_code) != "UpdateConditionNotSatisfied":
                raise
            raise ConcurrencyConflict() from exc

    def owner(self, thread: str, provider_message_id: str) -> tuple[str, int] | None:
        with translated():
            try:
                row_key = self._table.get_entity(thread, marker_key(provider_message_id)).get("MessageRowKey")
            except ResourceNotFoundError:
                return None
        return message_of(row_key) if row_key else None

    def _merge_later(self, update: dict[str, Any], row_key: str) -> None:
        row = self._table.get_entity(update["PartitionKey"], row_key)
        if row.get("ProviderMessageId") and not supersedes(update["Status"], row.get("Status")):
            return
        try:
            self._table.update_entity({**update, "RowKey": row_key}, mode=UpdateMode.MERGE, etag=row.metadata["etag"],
                                      match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise ConcurrencyConflict() from exc

    def mark_failed(self, thread: str, message: Message, error_code: str | None, error_message: str,
                    status: str = "failed", attempts: int | None = None) -> None:
        self._merge_owed(thread, message, {"Status": status, **error_fields(error_code, error_message), "InDoubt": False,
                                           **({"Attempts": attempts} if attempts is not None else {})})

    def mark_retrying(self, thread: str, message: Message, error_code: str | None, error_message: str,
                      attempts: int, in_doubt: bool = False) -> None:
        self._merge_owed(thread, message, {"Status": "retrying", **error_fields(error_code, error_message),
                                           "Attempts": attempts, "InDoubt": in_doubt})

    def _merge_owed(self, thread: str, message: Message, fields: dict[str, Any]) -> None:
        """Merge ``fields`` into the message while it is owed (pending, no provider id): a
        report that recorded its provider's id meanwhile (read, then ETag) keeps its word."""
        key = message_key(message.conversation_id, message.seq)

        def attempt() -> None:
            row = self._table.get_entity(thread, key)
            if row.get("ProviderMessageId") or row.get("Status") not in PENDING:
                return
            try:
                self._table.update_entity({"PartitionKey": thread, "RowKey": key, **fields}, mode=UpdateMode.MERGE,
                                          etag=row.metadata["etag"], match_condition=MatchConditions.IfNotModified)
            except ResourceModifiedError as exc:
                raise ConcurrencyConflict() from exc

        with translated():
            until_committed(attempt, "mark the message", STATUS_ATTEMPTS)

    def apply_status(self, thread: str, provider_message_id: str, status: str, error_code: str | None,
                     error_message: str | None, message_id: str | None = None) -> bool:
        """Move a message's status forward; returns False when the update was stale."""
        report = {"status": status, "code": error_code, "message": error_message,  # bounded as written (error_fields)
                  "provider_id": provider_message_id}
        with translated():
            return until_committed(lambda: self._apply(thread, marker_key(provider_message_id), report, message_id),
                                   "record the delivery report", STATUS_ATTEMPTS)

    def _apply(self, thread: str, key: str, report: dict[str, Any], message_id: str | None) -> bool:
        try:
            marker = self._table.get_entity(thread, key)
        except ResourceNotFoundError:
            own = self._own_row(thread, message_id) if message_id else None
            if own is not None and not own.get("ProviderMessageId"):
                return self._adopt(thread, key, own, report)
            if not self._has_head(thread):  # erased or expired: nothing to report on, nothing to keep
                return False
            try:  # the report overtook our own record of the send: park it on a marker
                self._table.create_entity({"PartitionKey": thread, "RowKey": key, "Kind": "marker",
                                           "PendingStatus": report["status"],
                                           **error_fields(report["code"], report["message"], "Pending")})
                return True
            except ResourceExistsError as exc:
                raise ConcurrencyConflict() from exc
        if marker.get("MessageRowKey"):
            try:
                row = self._table.get_entity(thread, marker["MessageRowKey"])
            except ResourceNotFoundError:  # being erased (or expired): its marker goes next
                return False
            current, etag = row.get("Status"), row.metadata["etag"]
            entity = {"PartitionKey": thread, "RowKey": row["RowKey"], "Status": report["status"],
                      **error_fields(report["code"], report["message"])}
        else:
            current, etag = marker.get("PendingStatus"), marker.metadata["etag"]
            entity = {"PartitionKey": thread, "RowKey": key, "PendingStatus": report["status"],
                      **error_fields(report["code"], report["message"], "Pending")}
        if not supersedes(report["status"], current):
            return False
        try:
            self._table.update_entity(entity, mode=UpdateMode.MERGE, etag=etag,
                                      match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise ConcurrencyConflict() from exc
        return True

    def _has_head(self, thread: str) -> bool:
        try:
            self._table.get_entity(thread, HEAD, select=["RowKey"])
        except ResourceNotFoundError:
            return False
        return True

    def _own_row(self, thread: str, message_id: str) -> dict[str, Any] | None:
        try:
            marker = self._table.get_entity(thread, own_key(message_id))
            return self._table.get_entity(thread, marker["MessageRowKey"])
        except ResourceNotFoundError:
            return None

    def _adopt(self, thread: str, key: str, row: dict[str, Any], report: dict[str, Any]) -> bool:
        """A report names one of our messages whose provider id was never recorded (the
        send's record failed): record the id, its marker and the status at once."""
        update: dict[str, Any] = {"PartitionKey": thread, "RowKey": row["RowKey"],
                                  "ProviderMessageId": report["provider_id"][:MAX_STORED_ID]}
        if supersedes(report["status"], row.get("Status")):
            update.update(Status=report["status"], **error_fields(report["code"], report["message"]))
        marker = {"PartitionKey": thread, "RowKey": key, "Kind": "marker", "MessageRowKey": row["RowKey"]}
        try:
            self._table.submit_transaction([
                ("update", update, {"mode": UpdateMode.MERGE, "etag": row.metadata["etag"],
                                    "match_condition": MatchConditions.IfNotModified}),
                ("create", marker),
            ])
        except TableTransactionError as exc:
            if str(exc.error_code) not in ("UpdateConditionNotSatisfied", "EntityAlreadyExists"):
                raise
            raise ConcurrencyConflict() from exc
        return True
