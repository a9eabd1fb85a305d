"""The ``idempotency`` table: one row per (caller, Idempotency-Key): the request's
fingerprint, whether it is still running (with a lease), and once done the answer it got.
PartitionKey is a hash of the caller and the key, so a key never names a row it cannot."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.idempotency import Answer, Claim, Found
from core.retry import ConcurrencyConflict
from storage.client import TableStorage, translated
from storage.columns import get_json, put_json

ROW = "request"


def partition(owner: str, key: str) -> str:
    return hashlib.sha256(f"{owner}\n{key}".encode("utf-8", "surrogatepass")).hexdigest()


class IdempotencyStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> TableClient:
        return self._storage.table("idempotency")

    def claim(self, owner: str, key: str, fingerprint: str, lease_until: datetime) -> Claim | Found:
        """Take the key for a new request (Claim), or what it holds already (Found)."""
        entity = {"PartitionKey": partition(owner, key), "RowKey": ROW, "Fingerprint": fingerprint,
                  "State": "running", "LeaseUntil": lease_until}
        with translated():
            try:
                created = self._table.create_entity(entity)
                return Claim(entity["PartitionKey"], created["etag"])
            except ResourceExistsError:
                pass
            try:
                row = self._table.get_entity(entity["PartitionKey"], ROW)
            except ResourceNotFoundError as exc:
                raise ConcurrencyConflict() from exc
        answer = Answer(int(row["Status"]), get_json(row, "Body", None)) if row.get("State") == "done" else None
        return Found(row["Fingerprint"], answer, row.get("LeaseUntil"), row.metadata["etag"])

    def take_over(self, owner: str, key: str, found: Found, lease_until: datetime) -> Claim:
        """A running request whose lease ran out: take its key (ConcurrencyConflict when
        another took it first)."""
        entity = {"PartitionKey": partition(owner, key), "RowKey": ROW, "Fingerprint": found.fingerprint,
                  "State": "running", "LeaseUntil": lease_until}
        return Claim(entity["PartitionKey"], self._replace(entity, found.etag))

    def finish(self, claim: Claim, fingerprint: str, answer: Answer) -> None:
        entity = put_json({"PartitionKey": claim.partition, "RowKey": ROW, "Fingerprint": fingerprint,
                           "State": "done", "Status": answer.status}, "Body", answer.body)
        self._replace(entity, claim.etag)

    def release(self, claim: Claim) -> None:
        """Give the key back (the request failed in a way a retry may mend)."""
        with translated():
            try:
                self._table.delete_entity(claim.partition, ROW, etag=claim.etag,
                                          match_condition=MatchConditions.IfNotModified)
            except (ResourceNotFoundError, ResourceModifiedError):
                pass

    def forget(self, key_partition: str) -> None:
        with translated():
            try:
                self._table.delete_entity(key_partition, ROW)
            except ResourceNotFoundError:
                pass

    def _replace(self, entity: dict[str, Any], etag: str) -> str:
        with translated():
            try:
                return self._table.update_entity(entity, mode=UpdateMode.REPLACE, etag=etag,
                                                 match_condition=MatchConditions.IfNotModified)["etag"]
            except (ResourceModifiedError, ResourceNotFoundError) as exc:
                raise ConcurrencyConflict() from exc
