"""Conversations' fact rows (core/reports.py FactRow) as the ``inbox`` table keeps them:
in their workstream's partition beside its lists, so a move writes the row in the batch
it writes that partition with (storage/inbox.py), and a day's rows are one range.

  table       PartitionKey     RowKey                  holds
  inbox       w|<workstream>   f|<day>|<conversation>  its facts, and the version of it they are of
  reportdays  d|<workstream>   <day>                   the day's digest (storage/reports.py), or Stale
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.facts import Facts
from core.reports import FactRow
from storage.columns import get_json, put_json
from storage.keys import safe_key

FACTS = "f|"


def workstream_partition(workstream_id: str) -> str:
    """The partition of a workstream's lists and fact rows."""
    return f"w|{workstream_id}"


def digests_partition(workstream_id: str) -> str:
    """The partition of a workstream's finished days' digests."""
    return f"d|{safe_key(workstream_id)}"


def stale_digest(workstream_id: str, day: str) -> dict[str, Any]:
    """What marks a day's digest stale (merged: a row of that day changed)."""
    return {"PartitionKey": digests_partition(workstream_id), "RowKey": day, "Stale": True}


def day_prefix(day: str) -> str:
    """The RowKeys of a day's fact rows all begin so."""
    return f"{FACTS}{day}|"


def fact_key(workstream_id: str, day: str, conversation_id: str) -> tuple[str, str]:
    return workstream_partition(workstream_id), day_prefix(day) + conversation_id


def fact_entity(row: FactRow) -> dict[str, Any]:
    pk, rk = fact_key(row.workstream_id, row.day, row.conversation_id)
    entity = {"PartitionKey": pk, "RowKey": rk, "Kind": "fact",
              "WorkstreamId": row.workstream_id, "Day": row.day, "Hour": row.hour, "CreatedAt": row.created_at,
              "Queue": row.queue or "", "Channel": row.channel, "Provider": row.provider, "Customer": row.customer,
              "Version": row.version}
    return put_json(entity, "Facts", row.facts.to_dict())


def to_fact_row(e: dict[str, Any]) -> FactRow:
    created: datetime = e["CreatedAt"]
    return FactRow(e["RowKey"][len(day_prefix(e["Day"])):], e["WorkstreamId"], e["Day"], int(e["Hour"]), created,
                   e.get("Queue") or None, e["Channel"], e["Provider"], e.get("Customer") or "",
                   Facts.from_dict(get_json(e, "Facts", {})), int(e.get("Version") or 0))
