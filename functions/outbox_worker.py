"""The outbox queue's worker: each due job of the ``outbox`` Storage queue (OUTBOX_QUEUE; a send to try
again, a guard to check, a record to finish; conversations/messaging/delivery.py). A job that
fails (storage down) is delivered again, and after host.json's maxDequeueCount moves to
``outbox-poison``, where operators find it."""

from __future__ import annotations

import json
import logging
import os

import azure.functions as func

from functions.http import services
from functions.settings import OUTBOX_QUEUE
from functions.tracing import invocation

# The local host resolves %OUTBOX_QUEUE% from this process's environment; in Azure the
# setting must exist in the app settings (infra/main.bicep sets it).
os.environ.setdefault("OUTBOX_QUEUE", OUTBOX_QUEUE)

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.queue_trigger(arg_name="job", queue_name="%OUTBOX_QUEUE%", connection="AzureWebJobsStorage")
def outbox_worker(job: func.QueueMessage) -> None:
    with invocation("outbox_worker", "queue", job_id=job.id or "", dequeue_count=str(job.dequeue_count or 0)):
        payload = json.loads(job.get_body())
        if not isinstance(payload, dict) or "kind" not in payload:
            raise ValueError(f"outbox job {job.id} is not a job")
        services().messaging.outbox.run_job(payload)
