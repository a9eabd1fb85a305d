"""Azure Event Grid push delivery: event envelopes and the validation handshakes (the
Entra bearer token Event Grid may present is checked in channels/entra.py).

Both delivery schemas are accepted: the Event Grid schema (a JSON array of events with
``eventType``) and CloudEvents 1.0 (one event, or a batch array, with ``type``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from core.errors import BadRequest
from core.json_body import parse_json

VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent"
MAX_EVENTS = 5000


class Data(dict):
    """An event's ``data``, read with keys in any case (samples use messageId and MessageId)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__({str(k).lower(): v for k, v in raw.items()})

    def text(self, key: str) -> str:
        value = self.get(key.lower())
        return value.strip() if isinstance(value, str) else ""

    def section(self, key: str) -> "Data":
        value = self.get(key.lower())
        return Data(value) if isinstance(value, dict) else Data({})


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    subject: str
    data: Data

    @classmethod
    def from_json(cls, raw: Any) -> "Event":
        if not isinstance(raw, dict):
            raise BadRequest("each event must be a JSON object")
        kind = raw.get("eventType") if "eventType" in raw else raw.get("type")  # Event Grid / CloudEvents
        event_id = raw.get("id")
        if not isinstance(kind, str) or not kind or not isinstance(event_id, str) or not event_id:
            raise BadRequest("each event needs an id and an eventType (or a CloudEvents type)")
        data = raw.get("data")
        return cls(id=event_id, type=kind, subject=str(raw.get("subject") or ""),
                   data=Data(data if isinstance(data, dict) else {}))

    def is_type(self, kind: str) -> bool:
        return self.type.lower() == kind.lower()


@dataclass(frozen=True)
class Malformed:
    """An item of a delivery that is no event (not an object, no id or type): skipped in its
    place, so that it holds back none of the batch's events."""

    reason: str


def parse_events(body: bytes) -> list[Event | Malformed]:
    """The events of one delivery, in order; BadRequest (400, not retried) when it is not
    JSON, or none of its items is an event."""
    raw = parse_json(body, "the delivery", lone_surrogates="replace")
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > MAX_EVENTS:
        raise BadRequest(f"a delivery carries at most {MAX_EVENTS} events")
    if not items:
        raise BadRequest("the delivery carries no event")
    read = [_event(item) for item in items]
    if all(isinstance(item, Malformed) for item in read):
        raise BadRequest(read[0].reason)
    return read


def _event(item: Any) -> Event | Malformed:
    try:
        return Event.from_json(item)
    except BadRequest as exc:
        return Malformed(exc.message)


def validation_code(events: list[Event | Malformed]) -> str | None:
    """The code to echo when the delivery is Event Grid's subscription validation."""
    for event in events:
        if isinstance(event, Event) and event.is_type(VALIDATION_EVENT):
            code = event.data.text("validationCode")
            if not code:
                raise BadRequest("the validation event carries no validationCode")
            return code
    return None
