"""Timer runs: never overlapping, late runs flagged past_due, failures survived."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import azure.functions as func

from localhost.functions import discover
from localhost.invoke import Invoker
from localhost.timers import TimerRunner


def test_timer_runs_survive_failures_never_overlap_and_flag_late_runs() -> None:
    app = func.FunctionApp()
    runs: list[bool] = []
    active = 0
    max_active = 0
    lock = threading.Lock()

    @app.timer_trigger(arg_name="timer", schedule="* * * * * *", run_on_startup=True)
    def tick(timer: func.TimerRequest) -> None:
        nonlocal active, max_active
        with lock:
            active += 1
            max_active = max(max_active, active)
            runs.append(timer.past_due)
            count = len(runs)
        try:
            if count == 1:
                raise RuntimeError("first run fails")
            if count == 2:
                time.sleep(2.5)  # overruns the next two occurrences
        finally:
            with lock:
                active -= 1

    timers = discover(app).timers
    invoker = Invoker(Path.cwd())
    runner = TimerRunner(timers, invoker)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while len(runs) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
        invoker.close()
    assert len(runs) >= 4
    assert max_active == 1
    assert runs[0] is False  # run_on_startup
    assert runs[2] is True  # started late because run 2 overran
    assert runs[3] is False  # back on schedule, missed occurrences not replayed


def test_stop_interrupts_the_wait_promptly() -> None:
    app = func.FunctionApp()

    @app.timer_trigger(arg_name="timer", schedule="0 0 0 1 1 *")
    def yearly(timer: func.TimerRequest) -> None:
        raise AssertionError("must not run")

    timers = discover(app).timers
    invoker = Invoker(Path.cwd())
    runner = TimerRunner(timers, invoker)
    runner.start()
    started = time.monotonic()
    runner.stop()
    invoker.close()
    assert time.monotonic() - started < 1
