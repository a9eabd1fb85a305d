"""Customers' reactions (core.ports.MessageReactions), kept on the message row they react
to in its thread's partition: ``Reaction`` (the emoji, empty once removed) and
``ReactionAt`` (when the customer reacted), so that a redelivered or late event never
puts back a reaction a newer one replaced."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.records import Message
from core.retry import ConcurrencyConflict, until_committed
from storage.client import TableStorage, translated
from storage.thread_rows import marker_key, to_message

ATTEMPTS = 20  # reactions racing for one message settle long before this


class ReactionStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("threads")

    def react(self, thread: str, provider_message_id: str, emoji: str, at: datetime) -> tuple[Message, bool] | None:
        """Two point reads (the provider id's marker, the message) and one merge checked
        by ETag; None when no message of the thread has that provider id."""
        with translated():
            return until_committed(lambda: self._react(thread, provider_message_id, emoji, at),
                                   "record the reaction", ATTEMPTS)

    def _react(self, thread: str, provider_message_id: str, emoji: str, at: datetime) -> tuple[Message, bool] | None:
        try:
            row_key = self._table.get_entity(thread, marker_key(provider_message_id)).get("MessageRowKey")
            row = self._table.get_entity(thread, row_key) if row_key else None
        except ResourceNotFoundError:  # no such message, or it is being erased
            return None
        if row is None:  # a delivery report's parked status: the message is not recorded yet
            return None
        message = to_message(row)
        if row.get("ReactionAt") and row["ReactionAt"] >= at:  # this event again, or an older one
            return message, False
        try:
            self._table.update_entity({"PartitionKey": thread, "RowKey": row_key, "Reaction": emoji, "ReactionAt": at},
                                      mode=UpdateMode.MERGE, etag=row.metadata["etag"],
                                      match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise ConcurrencyConflict() from exc
        return replace(message, reaction=emoji or None), True
