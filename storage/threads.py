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

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Mapping

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode

from conversations.models import OPTED_IN, Consent, Conversation, Media, Message
from storage.client import TableStorage, translated
from storage.keys import safe_key

HEAD = "head"
MAX_KEY_ID = 255  # provider ids (Twilio's are 34 characters) up to this length key their marker as they are
MAX_STORED_ID = 1024  # what a message row keeps of a longer one; its marker still finds it
MAX_ERROR_CODE, MAX_ERROR_MESSAGE = 100, 1000  # what a message keeps of a provider's error


class ConcurrencyConflict(Exception):
    """Someone else changed the thread since it was read; read again and retry."""


class DuplicateMarker(Exception):
    """The provider message id was stored before: this delivery is a retry."""

    def __init__(self, provider_message_id: str) -> None:
        super().__init__(provider_message_id)
        self.provider_message_id = provider_message_id


@dataclass(frozen=True)
class Head:
    conversation: Conversation
    seq: int
    etag: str


def thread_key(account_id: str, business: str, customer: str) -> str:
    return hashlib.sha256(f"{account_id}|{business}|{customer}".encode()).hexdigest()[:32]


def partition_of(conversation_id: str) -> str:
    return conversation_id[:32]


def _conversation_key(conversation_id: str) -> str:
    return f"c|{conversation_id}"


def message_key(conversation_id: str, seq: int) -> str:
    return f"c|{conversation_id}|m|{seq:010d}"


def _marker_key(provider_message_id: str) -> str:
    """Provider ids are escaped, not trusted; one too long for a key (1 KiB) is keyed by its
    hash (``%H`` cannot come out of safe_key, which only writes ``%`` before hex digits)."""
    key = safe_key(provider_message_id)
    if len(key) > MAX_KEY_ID:
        key = "%H" + hashlib.sha256(provider_message_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"p|{key}"


class ThreadStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self):
        return self._storage.table("threads")

    def read_head(self, pk: str) -> Head | None:
        with translated():
            try:
                entity = self._table.get_entity(pk, HEAD)
            except ResourceNotFoundError:
                return None
        return Head(_to_conversation(entity), int(entity["Seq"]), entity.metadata["etag"])

    def commit(
        self,
        pk: str,
        head: Head | None,
        conversation: Conversation,
        seq: int,
        messages: Iterable[Message] = (),
        markers: Iterable[tuple[str, Message]] = (),
    ) -> None:
        """Write the head, the conversation row, new messages and markers in one batch.

        Raises ConcurrencyConflict when the head changed (or appeared) since ``head`` was
        read, and DuplicateMarker when a marker exists already.
        """
        head_entity = {"PartitionKey": pk, "RowKey": HEAD, "Kind": "head", "Seq": seq, **_conversation_fields(conversation)}
        ops: list[tuple[Any, ...]] = []
        if head is None:
            ops.append(("create", head_entity))
        else:
            ops.append(("update", head_entity, {"mode": UpdateMode.REPLACE, "etag": head.etag,
                                               "match_condition": MatchConditions.IfNotModified}))
        ops.append(("upsert", {"PartitionKey": pk, "RowKey": _conversation_key(conversation.id),
                               "Kind": "conversation", **_conversation_fields(conversation)},
                    {"mode": UpdateMode.REPLACE}))
        ops.extend(("create", _message_entity(pk, m)) for m in messages)
        marker_ids: list[str] = []
        for provider_message_id, message in markers:
            marker_ids.append(provider_message_id)
            ops.append(("create", {"PartitionKey": pk, "RowKey": _marker_key(provider_message_id), "Kind": "marker",
                                   "MessageRowKey": message_key(message.conversation_id, message.seq)}))
        try:
            with translated():
                self._table.submit_transaction(ops)
        except TableTransactionError as exc:
            code = str(exc.error_code or "")
            first_marker = len(ops) - len(marker_ids)
            if code == "EntityAlreadyExists" and exc.index >= first_marker:
                raise DuplicateMarker(marker_ids[exc.index - first_marker]) from exc
            if code in ("UpdateConditionNotSatisfied", "EntityAlreadyExists"):
                raise ConcurrencyConflict() from exc
            raise

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation with its messages in order (one partition range query)."""
        pk = partition_of(conversation_id)
        lo = _conversation_key(conversation_id)
        with translated():
            rows = list(self._table.query_entities(
                "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
                parameters={"pk": pk, "lo": lo, "hi": lo + "~"},
            ))
        conversation = next((r for r in rows if r["Kind"] == "conversation"), None)
        if conversation is None:
            return None
        messages = tuple(_to_message(r) for r in rows if r["Kind"] == "message")
        return replace(_to_conversation(conversation), messages=messages)

    def list_conversations(self, filters: Mapping[str, str], limit: int) -> list[Conversation]:
        """Conversations newest activity first, filtered on ``state``, ``workstream_id`` and
        ``queue``. Scans the conversation rows across threads."""
        clauses, parameters = ["Kind eq 'conversation'"], {}
        for name, column in (("state", "State"), ("workstream_id", "WorkstreamId"), ("queue", "Queue")):
            if filters.get(name):
                clauses.append(f"{column} eq @{name}")
                parameters[name] = filters[name]
        with translated():
            rows = [_to_conversation(e) for e in self._table.query_entities(" and ".join(clauses), parameters=parameters)]
        rows.sort(key=lambda c: c.last_activity_at, reverse=True)
        return rows[:limit]

    def record_sent(self, pk: str, message: Message, provider_message_id: str, status: str,
                    supersedes: Callable[[str, str | None], bool]) -> None:
        """Attach the provider's id and status to a sent message and index it by that id.

        A delivery report can overtake us: it then left a marker with a pending status,
        which is merged here rather than lost.
        """
        row_key = message_key(message.conversation_id, message.seq)
        marker_key = _marker_key(provider_message_id)
        update: dict[str, Any] = {"PartitionKey": pk, "RowKey": row_key,
                                  "ProviderMessageId": provider_message_id[:MAX_STORED_ID], "Status": status}
        marker = {"PartitionKey": pk, "RowKey": marker_key, "Kind": "marker", "MessageRowKey": row_key}
        with translated():
            try:
                self._table.submit_transaction([("update", update, {"mode": UpdateMode.MERGE}), ("create", marker)])
                return
            except TableTransactionError as exc:
                if str(exc.error_code) != "EntityAlreadyExists":
                    raise
            for _ in range(20):  # another report may move the parked status while we merge it
                existing = self._table.get_entity(pk, marker_key)
                pending = existing.get("PendingStatus")
                merged = dict(update)
                if pending and supersedes(pending, status):
                    merged.update(Status=pending, ErrorCode=existing.get("PendingErrorCode"),
                                  ErrorMessage=existing.get("PendingErrorMessage"))
                try:
                    self._table.submit_transaction([
                        ("update", merged, {"mode": UpdateMode.MERGE}),
                        ("update", marker, {"mode": UpdateMode.MERGE, "etag": existing.metadata["etag"],
                                            "match_condition": MatchConditions.IfNotModified}),
                    ])
                    return
                except TableTransactionError as exc:
                    if str(exc.error_code) != "UpdateConditionNotSatisfied":
                        raise
        raise ConcurrencyConflict()

    def mark_failed(self, pk: str, message: Message, error_code: str | None, error_message: str) -> None:
        with translated():
            self._table.update_entity(
                {"PartitionKey": pk, "RowKey": message_key(message.conversation_id, message.seq),
                 "Status": "failed", "ErrorCode": _bounded(error_code, MAX_ERROR_CODE),
                 "ErrorMessage": _bounded(error_message, MAX_ERROR_MESSAGE)},
                mode=UpdateMode.MERGE,
            )

    def apply_status(self, pk: str, provider_message_id: str, status: str, error_code: str | None,
                     error_message: str | None, supersedes: Callable[[str, str | None], bool]) -> bool:
        """Move a message's status forward; returns False when the update was stale."""
        marker_key = _marker_key(provider_message_id)
        error_code, error_message = _bounded(error_code, MAX_ERROR_CODE), _bounded(error_message, MAX_ERROR_MESSAGE)
        fields = {"ErrorCode": error_code, "ErrorMessage": error_message}
        for _ in range(20):
            with translated():
                try:
                    marker = self._table.get_entity(pk, marker_key)
                except ResourceNotFoundError:
                    try:  # the report overtook our own record of the send: park it on a marker
                        self._table.create_entity({"PartitionKey": pk, "RowKey": marker_key, "Kind": "marker",
                                                   "PendingStatus": status, "PendingErrorCode": error_code,
                                                   "PendingErrorMessage": error_message})
                        return True
                    except ResourceExistsError:
                        continue
                try:
                    if marker.get("MessageRowKey"):
                        row = self._table.get_entity(pk, marker["MessageRowKey"])
                        if not supersedes(status, row.get("Status")):
                            return False
                        entity = {"PartitionKey": pk, "RowKey": row["RowKey"], "Status": status, **fields}
                        etag = row.metadata["etag"]
                    else:
                        if not supersedes(status, marker.get("PendingStatus")):
                            return False
                        entity = {"PartitionKey": pk, "RowKey": marker_key, "PendingStatus": status,
                                  "PendingErrorCode": error_code, "PendingErrorMessage": error_message}
                        etag = marker.metadata["etag"]
                    self._table.update_entity(entity, mode=UpdateMode.MERGE, etag=etag,
                                              match_condition=MatchConditions.IfNotModified)
                    return True
                except ResourceModifiedError:
                    continue
        raise ConcurrencyConflict()


def _bounded(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else value


def _conversation_fields(c: Conversation) -> dict[str, Any]:
    return {
        "ConversationId": c.id, "State": c.state, "Channel": c.channel, "Provider": c.provider,
        "AccountId": c.account_id, "WorkstreamId": c.workstream_id or "", "Customer": c.customer,
        "Business": c.business, "Agent": c.agent or "", "CreatedAt": c.created_at,
        "LastActivityAt": c.last_activity_at, "LastCustomerMessageAt": c.last_customer_message_at,
        "AutoCloseMinutes": c.auto_close_after_minutes, "ClosedAt": c.closed_at, "ClosedReason": c.closed_reason or "",
        "Queue": c.queue or "", "ContactId": c.contact_id or "", "ContactName": c.contact_name or "",
        "OutOfHoursPeriod": c.out_of_hours_period or "",
        "ConsentState": c.consent.state, "ConsentChangedAt": c.consent.changed_at,
        "ConsentSource": c.consent.source or "", "CustomerName": c.customer_name or "",
    }


def _to_conversation(e: dict[str, Any]) -> Conversation:
    return Conversation(
        id=e["ConversationId"], state=e["State"], channel=e["Channel"], provider=e["Provider"],
        account_id=e["AccountId"], workstream_id=e.get("WorkstreamId") or None, customer=e["Customer"],
        business=e["Business"], agent=e.get("Agent") or None, created_at=e["CreatedAt"],
        last_activity_at=e["LastActivityAt"], last_customer_message_at=e.get("LastCustomerMessageAt"),
        auto_close_after_minutes=int(e["AutoCloseMinutes"]), closed_at=e.get("ClosedAt"),
        closed_reason=e.get("ClosedReason") or None, queue=e.get("Queue") or None,
        contact_id=e.get("ContactId") or None, contact_name=e.get("ContactName") or None,
        out_of_hours_period=e.get("OutOfHoursPeriod") or None,
        consent=Consent(state=e.get("ConsentState") or OPTED_IN, changed_at=e.get("ConsentChangedAt"),
                        source=e.get("ConsentSource") or None),
        customer_name=e.get("CustomerName") or None,
    )


def _message_entity(pk: str, m: Message) -> dict[str, Any]:
    return {
        "PartitionKey": pk, "RowKey": message_key(m.conversation_id, m.seq), "Kind": "message",
        "MessageId": m.id, "ConversationId": m.conversation_id, "Direction": m.direction, "Body": m.body,
        "Media": json.dumps([x.to_dict() for x in m.media], ensure_ascii=False), "Status": m.status,
        "ProviderMessageId": (m.provider_message_id or "")[:MAX_STORED_ID] or None, "CreatedAt": m.created_at,
        "Agent": m.agent,
        "ErrorCode": m.error_code, "ErrorMessage": m.error_message, "Seq": m.seq, "Keyword": m.keyword,
        "Automated": m.automated, "MediaDropped": m.media_dropped,
    }


def _to_message(e: dict[str, Any]) -> Message:
    return Message(
        id=e["MessageId"], conversation_id=e["ConversationId"], direction=e["Direction"], body=e.get("Body") or "",
        media=tuple(Media(**x) for x in json.loads(e.get("Media") or "[]")), status=e.get("Status") or "",
        provider_message_id=e.get("ProviderMessageId"), created_at=e["CreatedAt"], seq=int(e["Seq"]),
        agent=e.get("Agent"), error_code=e.get("ErrorCode"), error_message=e.get("ErrorMessage"),
        keyword=e.get("Keyword"), automated=e.get("Automated"), media_dropped=int(e.get("MediaDropped") or 0),
    )
