"""Cold start: how long ``import function_app`` takes (what the Functions host does to
index the app) next to importing azure.functions and azure.data.tables alone, and how long
the first use then takes to wire the services (the rest of the app loads there).

Each figure is the median over fresh interpreters, the contenders taking turns so that
a busy machine slows them alike."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent
BASELINE = "import azure.functions, azure.data.tables"
APP = "import function_app"
# Building the services touches no storage, so any settings that name some will do.
WIRED = APP + "; from functions.settings import Settings; from functions.wiring import build; build(Settings.from_env())"


def _seconds(statement: str, env: dict[str, str]) -> float:
    probe = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return float(run.stdout)


def run(rounds: int = 15) -> dict[str, float]:
    env = {**os.environ, "AzureWebJobsStorage": "UseDevelopmentStorage=true",
           "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode()}
    times: dict[str, list[float]] = {BASELINE: [], APP: [], WIRED: []}
    for _ in range(rounds):
        for statement, found in times.items():
            found.append(_seconds(statement, env))
    base, app, wired = (statistics.median(times[s]) * 1000 for s in (BASELINE, APP, WIRED))
    print(f"import azure.functions + azure.data.tables {base:7.1f} ms")
    print(f"import function_app                        {app:7.1f} ms   ratio {app / base:.2f} (target <= 1.3)")
    print(f"import function_app + wire the services    {wired:7.1f} ms   (the first request's extra work)")
    return {"baseline_ms": base, "app_ms": app, "ratio": app / base}
