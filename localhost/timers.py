"""Run timer-triggered functions on their NCRONTAB schedules.

Each timer gets its own thread, so a slow timer never delays another and an
invocation never overlaps the previous one of the same timer (Azure holds a
singleton lock per timer for the same reason). When an invocation overruns
one or more occurrences, the next run starts right away with `past_due=True`
and the missed occurrences are not replayed, as in Azure.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from azure.functions.timer import TimerRequest

from localhost.functions import TimerFunction
from localhost.invoke import Invoker
from localhost.workers import Workers

log = logging.getLogger("localhost.timer")

PAST_DUE_AFTER = 1.0  # seconds


def _now() -> datetime:
    return datetime.now(timezone.utc)


def timer_request(past_due: bool, last: datetime | None, next_due: datetime) -> TimerRequest:
    """The trigger argument, shaped like the JSON the host sends the worker."""
    return TimerRequest(
        past_due=past_due,
        schedule_status={
            "Last": (last or datetime.min.replace(tzinfo=timezone.utc)).isoformat(),
            "Next": next_due.isoformat(),
            "LastUpdated": _now().isoformat(),
        },
        schedule={"AdjustForDST": True},
    )


class TimerRunner:
    """Owns one thread per timer function; `stop` waits for running invocations."""

    def __init__(self, timers: list[TimerFunction], invoker: Invoker) -> None:
        self._timers = timers
        self._invoker = invoker
        self._workers = Workers()

    def start(self) -> None:
        for timer in self._timers:
            log.info("timer %s scheduled: %s (UTC)", timer.name, timer.schedule.expression)
            self._workers.start(f"timer-{timer.name}", self._loop, timer)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop scheduling; give running invocations up to `timeout` seconds to finish."""
        self._workers.stop(timeout)

    def _loop(self, timer: TimerFunction) -> None:
        last: datetime | None = None
        due = timer.schedule.next_after(_now())
        if timer.run_on_startup:
            self._run(timer, past_due=False, last=None, next_due=due)
            last = _now()
        while not self._workers.stopping.is_set():
            wait = (due - _now()).total_seconds()
            if wait > 0 and self._workers.stopping.wait(wait):
                return
            now = _now()
            # Late by more than a moment means the previous run overran this occurrence.
            past_due = (now - due).total_seconds() > PAST_DUE_AFTER
            following = timer.schedule.next_after(max(due, now))
            self._run(timer, past_due=past_due, last=last, next_due=following)
            last, due = due, following

    def _run(self, timer: TimerFunction, past_due: bool, last: datetime | None, next_due: datetime) -> None:
        started = time.monotonic()
        try:
            self._invoker.invoke(timer, timer_request(past_due, last, next_due))
        except Exception:
            log.exception("timer %s failed after %.1fms", timer.name, (time.monotonic() - started) * 1000)
        else:
            log.info("timer %s ran in %.1fms (past_due=%s)", timer.name, (time.monotonic() - started) * 1000, past_due)
