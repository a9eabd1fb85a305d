"""The figures of a group of conversations, from their entries: pure arithmetic."""

from __future__ import annotations

import math
from typing import Any, Iterable

from core.reports import DURATIONS, Entry


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile of ``values`` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(entries: Iterable[Entry]) -> dict[str, Any]:
    """conversations, answered, abandoned, bot_resolved; each duration's median and p90;
    csat's average and how many answered."""
    kept = list(entries)
    found: dict[str, Any] = {
        "conversations": len(kept),
        "answered": sum(e.answered for e in kept),
        "abandoned": sum(e.abandoned for e in kept),
        "bot_resolved": sum(e.bot_resolved for e in kept),
    }
    for name in DURATIONS:
        values = [v for v in (getattr(e, name) for e in kept) if v is not None]
        found[name] = {"median": percentile(values, 0.5), "p90": percentile(values, 0.9)}
    scores = [e.csat for e in kept if e.csat is not None]
    found["csat"] = {"average": round(sum(scores) / len(scores), 2) if scores else None, "responses": len(scores)}
    return found
