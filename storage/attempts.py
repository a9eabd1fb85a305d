"""Each outbound message's tries (core.ports.Attempts), as rows of its thread's partition:
``a|<conversation id>|<seq>|<number>``, created (never updated) before the provider is
called. Creating a row fails when its key exists, so each try's number is taken once:
that is what keeps two processes from trying one message at the same time, and what
lets the guard's void and a request's retry exclude each other."""

from __future__ import annotations

import uuid
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, TableTransactionError, UpdateMode

from core.ids import thread_of
from core.records import Attempt, Message
from core.status import NOT_SENT, SENDING
from storage.client import TableStorage, translated
from storage.thread_rows import (
    MAX_ERROR_CODE,
    MAX_ERROR_MESSAGE,
    attempt_key,
    attempts_prefix,
    bounded,
    message_key,
)


class AttemptStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("threads")

    def of(self, message: Message) -> list[Attempt]:
        lo = attempt_key(message.conversation_id, message.seq, 0)
        hi = attempts_prefix(message.conversation_id) + f"{message.seq:010d}|~"
        with translated():
            rows = self._table.query_entities("PartitionKey eq @pk and RowKey gt @lo and RowKey lt @hi",
                                              parameters={"pk": thread_of(message.conversation_id), "lo": lo,
                                                          "hi": hi})
            return sorted((_to_attempt(r) for r in rows), key=lambda a: a.number)

    def claim(self, message: Message, attempt: Attempt, reopen: bool = False) -> bool:
        row = _entity(message, attempt)
        if not reopen:
            return self._create([("create", row)])
        return self._create([("create", row),
                             ("update", _status(message, SENDING, "", ""), {"mode": UpdateMode.MERGE})])

    def void(self, message: Message, error_code: str, error_message: str) -> bool:
        attempt = Attempt(1, message.created_at, 1, message.created_at, void=True)
        return self._create([("create", _entity(message, attempt)),
                             ("update", _status(message, NOT_SENT, error_code, error_message),
                              {"mode": UpdateMode.MERGE})])

    def _create(self, ops: list[tuple[Any, ...]]) -> bool:
        """Whether the try row (the first operation) is ours: created now, or created by this
        very call when the client sent it again after an answer it lost (its claimant
        token is ours); False when another process took the number."""
        row = ops[0][1]
        with translated():
            try:
                if len(ops) == 1:
                    self._table.create_entity(row)
                else:
                    self._table.submit_transaction(ops)
            except ResourceExistsError:
                return self._ours(row)
            except TableTransactionError as exc:
                if str(exc.error_code) != "EntityAlreadyExists":
                    raise
                return self._ours(row)
        return True

    def _ours(self, row: dict[str, Any]) -> bool:
        try:
            return self._table.get_entity(row["PartitionKey"], row["RowKey"]).get("Claimant") == row["Claimant"]
        except ResourceNotFoundError:
            return False


def _entity(message: Message, attempt: Attempt) -> dict[str, Any]:
    return {"PartitionKey": thread_of(message.conversation_id),
            "RowKey": attempt_key(message.conversation_id, message.seq, attempt.number), "Kind": "attempt",
            "MessageId": message.id, "Number": attempt.number, "At": attempt.at, "Chain": attempt.chain,
            "ChainAt": attempt.chain_at, "Void": attempt.void,
            "Claimant": uuid.uuid4().hex}  # this call's: the client's own retry of it finds it ours


def _status(message: Message, status: str, error_code: str, error_message: str) -> dict[str, Any]:
    return {"PartitionKey": thread_of(message.conversation_id),
            "RowKey": message_key(message.conversation_id, message.seq), "Status": status,
            "ErrorCode": bounded(error_code, MAX_ERROR_CODE), "ErrorMessage": bounded(error_message, MAX_ERROR_MESSAGE),
            "InDoubt": False}


def _to_attempt(e: dict[str, Any]) -> Attempt:
    return Attempt(number=int(e["Number"]), at=e["At"], chain=int(e["Chain"]), chain_at=e["ChainAt"],
                   void=bool(e.get("Void")))
