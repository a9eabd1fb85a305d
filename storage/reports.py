"""Conversations' fact rows, in the ``inbox`` table beside their workstream's lists
(storage/fact_rows.py), and ``reportdays``, finished days' digests.

  table       PartitionKey            RowKey             holds
  inbox       w|<workstream>          f|<day>|<id>       a conversation's facts (core/reports.py FactRow)
  reportdays  d|<workstream>          <day>              the day's digest (its columns), or Stale

A day's fact rows are one range of one partition, so computing its digest is one range; a
report's digests are one range of one partition per workstream. A digest marked stale (a
fact row written after its day ended) is computed again by the next report that needs it.
A move writes its conversation's row with its lists (storage/inbox.py); ``put`` is for a
commit that moved nothing. Deployments before December 2026 kept the rows in a table of
their own, ``reports``: storage/relocation.py moves them, and until it is done an erasure or
a retention deletes a row there too.
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import replace
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.reports import Digest, FactRow
from core.retry import ConcurrencyConflict, until_committed
from storage.client import TableStorage, submit_mended, translated
from storage.fact_rows import (day_prefix, digests_partition, fact_entity, fact_key, stale_digest, to_fact_row,
                               workstream_partition)
from storage.inbox import decode_token, encode_token
from storage.relocation import Relocation


log = logging.getLogger(__name__)

BINARY_PART = 64_000  # bytes of a binary property (at most 64 KiB)
TOO_LARGE = ("EntityTooLarge", "RequestBodyTooLarge")  # Table storage's answers to an entity over 1 MiB
ROUNDS = 5  # tries of a fact row's write against others writing it at once

_RANGE = "PartitionKey eq @pk and RowKey ge @first and RowKey le @last"


def _range(workstream_id: str, first: str, last: str) -> dict[str, str]:
    return {"pk": digests_partition(workstream_id), "first": first, "last": last}


class ReportTable:
    def __init__(self, storage: TableStorage, relocation: Relocation) -> None:
        self._storage = storage
        self._relocation = relocation

    @property
    def _table(self) -> TableClient:
        return self._storage.table("inbox")

    @property
    def _days(self) -> TableClient:
        return self._storage.table("reportdays")

    def put(self, row: FactRow, finished: bool, new: bool = False) -> None:
        """Write the row unless a newer version of it is there (a late writer never puts an
        older one back): created when ``new``, else read and replaced by its ETag."""
        with translated():
            self._newest(fact_entity(row), row.version, new)
        if finished:
            self.stale(row.workstream_id, row.day)

    def stale(self, workstream_id: str, day: str) -> None:
        with translated():
            self._days.upsert_entity(stale_digest(workstream_id, day), mode=UpdateMode.MERGE)

    def _newest(self, entity: dict[str, Any], version: int, new: bool) -> None:
        """The one read-check-commit loop (core/retry.py) over the row: create it, or read
        its version and replace it by its ETag when this one is newer."""
        creating = [new]

        def attempt() -> None:
            try:
                if creating[0]:
                    self._table.create_entity(entity)
                    return
                kept = self._table.get_entity(entity["PartitionKey"], entity["RowKey"], select=["Version"])
                if int(kept.get("Version") or 0) < version:
                    self._table.update_entity(entity, mode=UpdateMode.REPLACE, etag=kept.metadata["etag"],
                                              match_condition=MatchConditions.IfNotModified)
            except (ResourceExistsError, ResourceNotFoundError, ResourceModifiedError) as exc:
                creating[0] = isinstance(exc, ResourceNotFoundError)
                raise ConcurrencyConflict(f"fact row {entity['RowKey']} changed") from exc

        until_committed(attempt, "write its fact row", ROUNDS)

    def rows(self, workstream_id: str, day: str, limit: int, token: str | None = None,
             after: str | None = None) -> tuple[list[FactRow], str | None]:
        prefix = day_prefix(day)
        parameters = {"pk": workstream_partition(workstream_id), "lo": prefix + (after or ""), "hi": prefix + "~"}
        query = f"PartitionKey eq @pk and RowKey {'gt' if after is not None else 'ge'} @lo and RowKey lt @hi"
        with translated():
            pages = self._table.query_entities(query, parameters=parameters,
                                               results_per_page=limit).by_page(continuation_token=decode_token(token))
            rows = [to_fact_row(e) for e in next(pages, [])]
        return rows, encode_token(pages.continuation_token)

    def digests(self, workstream_id: str, first: str, last: str) -> dict[str, tuple[Digest | None, str]]:
        with translated():
            found = list(self._days.query_entities(_RANGE, parameters=_range(workstream_id, first, last)))
        return {e["RowKey"]: (None if e.get("Stale") else _unpacked(e), e.metadata["etag"]) for e in found}

    def digest_tags(self, workstream_id: str, first: str, last: str) -> dict[str, tuple[bool, str]]:
        with translated():
            found = list(self._days.query_entities(_RANGE, parameters=_range(workstream_id, first, last),
                                                    select=["RowKey", "Stale"]))
        return {e["RowKey"]: (bool(e.get("Stale")), e.metadata["etag"]) for e in found}

    def keep(self, workstream_id: str, day: str, digest: Digest, etag: str | None) -> str | None:
        entity = {"PartitionKey": digests_partition(workstream_id), "RowKey": day, "Stale": False,
                  **_packed(digest)}
        with translated():
            try:
                if etag is None:
                    written = self._days.create_entity(entity)
                else:
                    written = self._days.update_entity(entity, mode=UpdateMode.REPLACE, etag=etag,
                                                       match_condition=MatchConditions.IfNotModified)
            except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError) as exc:
                raise ConcurrencyConflict(f"digest {workstream_id} {day} changed") from exc
            except HttpResponseError as exc:
                if exc.status_code != 413 and getattr(exc, "error_code", None) not in TOO_LARGE:
                    raise
                log.warning("digest of workstream %s day %s is too large to keep (%d conversations): computed "
                            "from its rows each time", workstream_id, day, len(digest))
                return None
        return written["etag"]

    def unname(self, row: FactRow, unnamed: str) -> None:
        """Keep the row under ``unnamed``, without the customer, and delete it as it was: one
        batch (both lie in one partition), the delete skipped when it is gone already."""
        self._relocation.forget_fact(row)  # first: a row the relocation moves after this is undone
        kept = fact_entity(replace(row, conversation_id=unnamed, customer=""))
        pk, rk = fact_key(row.workstream_id, row.day, row.conversation_id)
        ops = [("upsert", kept, {"mode": UpdateMode.REPLACE}), ("delete", {"PartitionKey": pk, "RowKey": rk})]
        with translated():
            submit_mended(self._table, ops, lambda _op, code: [] if code == "ResourceNotFound" else None)

    def drop(self, row: FactRow) -> None:
        self._relocation.forget_fact(row)  # first, as for unname
        with translated():
            try:
                self._table.delete_entity(*fact_key(row.workstream_id, row.day, row.conversation_id))
            except ResourceNotFoundError:
                pass


def _packed(digest: Digest) -> dict[str, bytes]:
    """A digest's columns as compressed JSON, spread over binary properties of at most 64 KiB
    (about a tenth of the JSON: a day of 100,000 conversations fits in the 1 MiB an entity
    holds)."""
    data = zlib.compress(json.dumps(digest.columns, separators=(",", ":")).encode())
    parts = [data[i:i + BINARY_PART] for i in range(0, len(data), BINARY_PART)]
    return {("Columns" if i == 0 else f"Columns_{i}"): part for i, part in enumerate(parts)}


def _unpacked(e: dict[str, Any]) -> Digest:
    parts, index = [e["Columns"]], 1
    while f"Columns_{index}" in e:
        parts.append(e[f"Columns_{index}"])
        index += 1
    return Digest(json.loads(zlib.decompress(b"".join(bytes(p) for p in parts))))
