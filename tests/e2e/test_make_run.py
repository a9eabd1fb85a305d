"""What `make run` starts once its installs are done (`python -m localhost.run`): the URL it
prints answers with the web app, and health answers beside it."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from localhost.services import REPO_ROOT, Azurite, free_port

RUNNING = re.compile(r"Switchboard is running at (\S+)")


def run_env(azurite: Azurite, sealing_key: str) -> dict[str, str]:
    return {**os.environ, "PORT": str(free_port()), "AzureWebJobsStorage": azurite.connection_string,
            "SWITCHBOARD_SEALING_KEY": sealing_key, "SWITCHBOARD_TABLE_PREFIX": "r" + secrets.token_hex(5)}


@contextlib.contextmanager
def running(azurite: Azurite, sealing_key: str, log: Path,
            hangup: signal.Handlers = signal.SIG_DFL) -> Iterator[tuple[str, subprocess.Popen]]:
    """localhost.run on a free port and the session's Azurite (started with ``hangup`` as
    what SIGHUP does, as nohup sets it): the URL it printed, and it."""
    with open(log, "wb") as output:
        run = subprocess.Popen([sys.executable, "-m", "localhost.run"], cwd=REPO_ROOT, env=run_env(azurite, sealing_key),
                               stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGHUP, hangup))
    try:
        deadline = time.monotonic() + 60
        while not (found := RUNNING.search(log.read_text())) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert found, f"no base URL printed; output:\n{log.read_text()}"
        yield found.group(1), run
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()


@pytest.fixture
def make_run(azurite: Azurite, sealing_key: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """localhost.run on a free port and the session's Azurite; yields the URL it printed and its log."""
    log = tmp_path / "run.log"
    with running(azurite, sealing_key, log) as (base, run):
        yield base, log
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0, log.read_text()


def test_the_printed_url_serves_the_web_app_and_health(make_run: tuple[str, Path]) -> None:
    base, log = make_run
    assert re.fullmatch(r"http://localhost:\d+/", base)
    landing = requests.get(base, timeout=30)
    assert landing.status_code == 200 and landing.headers["Content-Type"].startswith("text/html")
    assert 'href="/api/health"' in landing.text
    assert requests.get(base + "api/health", timeout=30).json() == {"status": "ok",
                                                                    "dependencies": {"tables": "ok", "queue": "ok"}}
    printed = log.read_text()
    assert f"{base}api/health" in printed and f"{base}api-reference" in printed


def test_a_port_in_use_is_named_before_anything_starts(tmp_path: Path) -> None:
    """Another process (another `make run`, say) answers on the port: nothing is started
    and nothing says the app runs there."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "localhost.run"], cwd=REPO_ROOT, capture_output=True, text=True,
                             env={**os.environ, "PORT": str(port), "SWITCHBOARD_LOCAL_DIR": str(tmp_path)}, timeout=60)
    assert run.returncode == 1 and f"port {port} is in use by" in run.stderr and "PORT=" in run.stderr
    assert f"(pid {os.getpid()})" in run.stderr  # what holds it, to be stopped
    assert "Switchboard is running" not in run.stdout and "storage" not in run.stdout


def test_a_closed_terminal_stops_the_host_and_what_it_started(azurite: Azurite, sealing_key: str,
                                                               tmp_path: Path) -> None:
    """A hangup (the terminal closed) stops it as Ctrl-C does: nothing is left holding the
    port, which the next `make run` would find taken."""
    log = tmp_path / "run.log"
    with running(azurite, sealing_key, log) as (base, run):
        port = int(base.rstrip("/").rsplit(":", 1)[1])
        started = psutil.Process(run.pid).children(recursive=True)
        assert started, "the host and the Web PubSub stand-in"
        run.send_signal(signal.SIGHUP)
        assert run.wait(timeout=60) == 0, log.read_text()
    assert [p.pid for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_run_started_to_outlive_its_terminal_does(azurite: Azurite, sealing_key: str, tmp_path: Path) -> None:
    """`nohup make run &`: the hangup it ignores stops nothing; it stops when told to."""
    log = tmp_path / "run.log"
    with running(azurite, sealing_key, log, hangup=signal.SIG_IGN) as (base, run):
        run.send_signal(signal.SIGHUP)
        time.sleep(1)  # what a hangup would have set off, given the time to
        assert run.poll() is None and requests.get(base + "api/health", timeout=30).status_code == 200
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0, log.read_text()
