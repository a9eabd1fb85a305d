"""Cold start: how long ``import function_app`` takes (what the Functions host does to
index the app) next to importing azure.functions and azure.data.tables alone, and how long
the first use then takes to wire the services (the rest of the app loads there).

The app is measured as infra/package_app.py packages it for Azure, unpacked: with the
bytecode the package carries (the remote build compiles none of the app's own, and the
package is mounted read-only), and, beside it, the same files without it, as each cold
start of a package without bytecode would pay. Each figure is the median over fresh
interpreters, the contenders taking turns so that a busy machine slows them alike."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent
BASELINE = "import azure.functions, azure.data.tables"
APP = "import function_app"
# Building the services touches no storage, so any settings that name some will do.
WIRED = APP + "; from functions.settings import Settings; from functions.wiring import build; build(Settings.from_env())"


def _seconds(statement: str, env: dict[str, str], cwd: Path) -> float:
    probe = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    run = subprocess.run([sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return float(run.stdout)


def _unpacked(work: Path) -> tuple[Path, Path]:
    """The package unpacked twice: as it is, and without its bytecode."""
    package = work / "app.zip"
    subprocess.run([sys.executable, str(REPO / "infra" / "package_app.py"), "--output", str(package)], check=True,
                   capture_output=True)
    packaged, source = work / "packaged", work / "source"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(packaged)
        archive.extractall(source, members=[n for n in archive.namelist() if not n.endswith(".pyc")])
    return packaged, source


def run(rounds: int = 15) -> dict[str, float]:
    env = {**os.environ, "AzureWebJobsStorage": "UseDevelopmentStorage=true", "PYTHONDONTWRITEBYTECODE": "1",
           "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode()}
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory() as work:
        packaged, source = _unpacked(Path(work))
        contenders = {"base": (BASELINE, packaged), "app": (APP, packaged), "source": (APP, source),
                      "wired": (WIRED, packaged)}
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, (statement, cwd) in contenders.items():
                times[name].append(_seconds(statement, env, cwd))
    base, app, source_ms, wired = (statistics.median(times[n]) * 1000 for n in ("base", "app", "source", "wired"))
    print(f"import azure.functions + azure.data.tables   {base:7.1f} ms")
    print(f"import function_app, as packaged             {app:7.1f} ms   ratio {app / base:.2f} (target <= 1.3)")
    print(f"import function_app, without its bytecode    {source_ms:7.1f} ms   ratio {source_ms / base:.2f} "
          f"(what each cold start would pay)")
    print(f"import function_app + wire the services      {wired:7.1f} ms   (the first request's extra work)")
    return {"baseline_ms": base, "app_ms": app, "ratio": app / base}
