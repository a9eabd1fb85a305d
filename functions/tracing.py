"""One trace per invocation: a span named for the function around each HTTP call
(functions/http.py ``handled``), queue message and timer run, with ``trigger`` and the
ids the route names. A route's values are the caller's, so only those shaped like our
ids become attributes. Webhooks also record their latency (core/telemetry.py)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator
from urllib.parse import urlsplit

import azure.functions as func

from core.ids import is_message_id, is_object_id, is_record_id, well_formed
from core.ports import Telemetry
from core.telemetry import WEBHOOK_DURATION

# Which id a route's {id} is, by the path segment before it, and how that id looks.
_ID_AFTER = {"accounts": "account_id", "workstreams": "workstream_id", "contacts": "contact_id",
             "agents": "agent_id", "conversations": "conversation_id"}
_SHAPE: dict[str, Callable[[str], bool]] = {
    "account_id": is_record_id, "workstream_id": is_record_id, "contact_id": is_record_id,
    "agent_id": is_object_id, "conversation_id": well_formed, "message_id": is_message_id,
}


def telemetry() -> Telemetry:
    from functions import wiring

    return wiring.telemetry()


@contextmanager
def invocation(function: str, trigger: str, **ids: str) -> Iterator[Telemetry]:
    """The span of a queue message or a timer run."""
    current = telemetry()
    with current.span(function, trigger=trigger, **ids):
        yield current


@contextmanager
def request(function: str, req: func.HttpRequest,
            provider: str | None) -> Iterator[Callable[[func.HttpResponse], func.HttpResponse]]:
    """The span of an HTTP call; what it yields is handed the answer before it leaves."""
    current, started = telemetry(), time.perf_counter()
    extra = {"provider": provider} if provider else {}
    with current.span(function, trigger="http", **route_ids(req), **extra):
        def answered(answer: func.HttpResponse) -> func.HttpResponse:
            status = str(answer.status_code)
            current.tag(status_code=status)
            if provider:
                current.record(WEBHOOK_DURATION, (time.perf_counter() - started) * 1000, provider=provider,
                               function=function, status_code=status)
            return answer

        yield answered


def route_ids(req: func.HttpRequest) -> dict[str, str]:
    segments = urlsplit(req.url).path.split("/")
    ids: dict[str, str] = {}
    for name, value in req.route_params.items():
        if name == "id":
            before = segments.index(value) - 1 if value in segments else -1
            name = _ID_AFTER.get(segments[before], "") if before >= 0 else ""
        shape = _SHAPE.get(name)
        if shape is not None and isinstance(value, str) and shape(value):
            ids[name] = value
    return ids
