"""The ``erasures`` table: one row per erasure job, in the partition of its state.

A running job keeps its subject (the customer's address) sealed with the sealing key, so
a retry or the timer can finish it; once done, the row moves to ``done`` keeping only the
counts of what was erased, by table. Running jobs are one partition: the timer reads only
those."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from core.custody import DONE, RUNNING, ErasureJob, Subject
from core.identity import Actor
from storage.client import TableStorage, translated
from storage.sealing import Sealer


class ErasureStore:
    def __init__(self, storage: TableStorage, sealer: Sealer) -> None:
        self._storage = storage
        self._sealer = sealer

    @property
    def _table(self) -> TableClient:
        return self._storage.table("erasures")

    def get(self, job_id: str) -> ErasureJob | None:
        with translated():
            for state in (RUNNING, DONE):
                try:
                    return self._to_job(self._table.get_entity(state, job_id))
                except ResourceNotFoundError:
                    continue
        return None

    def start(self, job: ErasureJob) -> ErasureJob:
        found = self.get(job.id)
        if found is not None:
            return found
        with translated():
            try:
                self._table.create_entity(self._to_entity(job))
            except ResourceExistsError:
                return self.get(job.id) or job
        return job

    def save(self, job: ErasureJob) -> None:
        with translated():
            if job.state == RUNNING:
                self._table.upsert_entity(self._to_entity(job), mode=UpdateMode.REPLACE)
                return
            self._table.upsert_entity(self._to_entity(replace(job, subject=None, threads=())),
                                      mode=UpdateMode.REPLACE)
            try:
                self._table.delete_entity(RUNNING, job.id)
            except ResourceNotFoundError:
                pass

    def running(self, limit: int) -> list[ErasureJob]:
        with translated():
            rows = self._table.query_entities("PartitionKey eq @pk", parameters={"pk": RUNNING},
                                              results_per_page=min(limit, 1000))
            found = []
            for row in rows:
                found.append(self._to_job(row))
                if len(found) >= limit:
                    break
        return found

    def _to_entity(self, job: ErasureJob) -> dict[str, Any]:
        subject = ({"address": job.subject.address, "account_id": job.subject.account_id or "",
                    "threads": list(job.threads)} if job.subject else None)
        return {"PartitionKey": job.state, "RowKey": job.id, "Subject": self._sealer.seal(subject) if subject else "",
                "Erased": json.dumps(dict(job.erased)), "Kept": json.dumps(dict(job.kept)),
                "StartedBy": job.started_by.id,
                "StartedByName": job.started_by.name, "CreatedAt": job.created_at, "UpdatedAt": job.updated_at}

    def _to_job(self, row: dict[str, Any]) -> ErasureJob:
        sealed = self._sealer.unseal(row["Subject"]) if row.get("Subject") else None
        subject = Subject(sealed["address"], sealed["account_id"] or None) if sealed else None
        return ErasureJob(id=row["RowKey"], state=row["PartitionKey"], subject=subject,
                          threads=tuple(sealed.get("threads", ())) if sealed else (),
                          erased=json.loads(row.get("Erased") or "{}"), kept=json.loads(row.get("Kept") or "{}"),
                          started_by=Actor(row["StartedBy"], row.get("StartedByName") or ""),
                          created_at=row["CreatedAt"], updated_at=row["UpdatedAt"])
