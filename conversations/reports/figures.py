"""The figures of a group of conversations, from their days' digests (core/reports.py
Digest): pure arithmetic, by the built-ins over whole columns rather than per conversation."""

from __future__ import annotations

import math
from bisect import bisect_right
from decimal import Decimal
from typing import Any, Iterable

from core.facts import Clocks, sla_count
from core.reports import COST, COUNTS, CSAT, DURATIONS, SLA, Digest, Entry
from core.sla import TARGETS


def percentile(runs: list[list[int]], share: float) -> int | None:
    """The nearest-rank percentile of the values of several sorted runs, found without
    joining them: a binary search over the values, counting each run's share with bisect,
    so it costs the same at any number of values."""
    total = sum(len(run) for run in runs)
    if not total:
        return None
    rank = max(0, math.ceil(share * total) - 1)  # how many values lie below the one sought
    runs = [run for run in runs if run]
    if len(runs) == 1:
        return runs[0][rank]
    low, high = min(run[0] for run in runs), max(run[-1] for run in runs)
    while low < high:
        middle = (low + high) // 2
        if sum(bisect_right(run, middle) for run in runs) > rank:
            high = middle
        else:
            low = middle + 1
    return low


def figures(entries: Iterable[Entry], category: str | None = None) -> dict[str, Any]:
    return digest_figures([Digest.of(list(entries))], category)


def digest_figures(digests: list[Digest], category: str | None = None) -> dict[str, Any]:
    """conversations, answered, abandoned, bot_resolved; each duration's median and p90;
    csat's average and how many answered; per SLA target, its clocks met, breached and the
    share met; the estimated cost (a decimal string; only ``category``'s when given): of
    several days' digests taken together (each day's values sorted once, and kept with it)."""
    found: dict[str, Any] = {name: sum(d.counts[name] for d in digests) for name in COUNTS}
    for name in DURATIONS:
        runs = [d.present[name] for d in digests]
        found[name] = {"median": percentile(runs, 0.5), "p90": percentile(runs, 0.9)}
    responses = sum(len(d.present[CSAT]) for d in digests)
    average = sum(d.counts["csat_total"] for d in digests) / responses if responses else None
    found[CSAT] = {"average": round(average, 2) if average is not None else None, "responses": responses}
    found[SLA] = {t: _sla(digests, t) for t in TARGETS}
    found[COST] = str(sum((d.cost(category) for d in digests), Decimal(0)))
    return found


def _sla(digests: list[Digest], target: str) -> dict[str, Any]:
    """A target's clocks met and breached in the digests, and the share met (None: none ended)."""
    clocks = Clocks(sum(d.counts[sla_count(target, "met")] for d in digests),
                    sum(d.counts[sla_count(target, "breached")] for d in digests))
    return {"met": clocks.met, "breached": clocks.breached, "share_met": clocks.share_met}
