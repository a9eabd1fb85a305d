"""`make run`: the app on http://localhost:7071 with local storage, in one command.

Starts Azurite's Table and Queue services (data kept in `.azurite/` across runs; this
checkout's Azurite already running is used instead, another project's never) unless a
storage connection string is already configured, and the Web PubSub stand-in (live
updates pushed to workspaces) unless a Web PubSub service is, makes sure a sealing key
exists (a development key in `.local/sealing.key`, created once, so sealed
data stays readable between runs), points `ENTRA_AUTHORITY_HOST` at the local
host's development Entra tenant unless one is set, then runs the local
Functions host with its output on this terminal. While it runs, `.local/run.json`
tells the simulator where the host and its storage are. Ctrl-C stops the host
first, then Azurite, so no request is cut off by storage disappearing underneath it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from localhost import azurites, entra
from localhost.auth import local_key
from localhost.services import (
    Azurite, ServiceError, azurite_connection_string, free_port, http_ok,
)
from localhost.settings import SettingsError, route_prefix
from localhost.webpubsub.process import StandIn
from localhost.state import (
    REPO_ROOT, SEALING_KEY_ENV, RunRecord, app_environment, configured_storage, development_sealing_key,
    is_development_storage, local_dir,
)

AZURITE_DIR = REPO_ROOT / ".azurite"
AZURITE_TABLE_PORT = 10002  # Azurite's usual ports, where Storage Explorer looks first
AZURITE_QUEUE_PORT = 10001
WEBPUBSUB_PORT = 7072  # beside the host's 7071
READY_TIMEOUT = 30.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localhost.run", description=__doc__)
    parser.add_argument("--app", default="function_app:app", help="module:attribute of the FunctionApp")
    parser.add_argument("--script-root", type=Path, default=REPO_ROOT, help="folder with the app and host.json")
    return parser.parse_args(argv)


def _start_storage(env: dict[str, str]) -> tuple[Azurite | None, str | None]:
    """The Azurite started, if any, and the local Azurite's connection string in use.

    Nothing when a real connection string is configured. Else this checkout's Azurite
    (data in `.azurite/`): the one already running, if any (two on one folder would
    overwrite each other's saves), else a new one on Azurite's usual ports, or on free
    ones when something else holds those (another project's Azurite included: its tables
    are not ours), as the Web PubSub stand-in does. One line says which.
    """
    configured = configured_storage(env)
    if configured and not is_development_storage(configured):
        print("storage: using the configured connection string (no Azurite started)", flush=True)
        return None, None
    running = azurites.running_on(AZURITE_DIR)
    if running:
        _use_storage(env, azurite_connection_string("127.0.0.1", *running))
        print(f"storage: this checkout's Azurite, already running on ports {running[0]} (tables) and {running[1]} "
              f"(queues), data in {AZURITE_DIR}", flush=True)
        return None, env["AzureWebJobsStorage"]
    ports, taken = (AZURITE_TABLE_PORT, AZURITE_QUEUE_PORT), ""
    held = next((p for p in ports if not _port_free(p)), None)
    if held is not None:
        ports, taken = (free_port(), free_port()), f"; port {held} is held by {azurites.holder(held)}, not used"
    azurite = Azurite.start(AZURITE_DIR, port=ports[0], queue_port=ports[1])
    _use_storage(env, azurite.connection_string)
    print(f"storage: Azurite started on ports {ports[0]} (tables) and {ports[1]} (queues), data in {AZURITE_DIR}"
          f"{taken}", flush=True)
    return azurite, azurite.connection_string


def _use_storage(env: dict[str, str], connection_string: str) -> None:
    env.pop("SWITCHBOARD_STORAGE_CONNECTION_STRING", None)
    env["AzureWebJobsStorage"] = connection_string


def _start_live_updates(env: dict[str, str], script_root: Path) -> StandIn | None:
    """The Web PubSub stand-in (localhost/webpubsub/), unless a real service is configured:
    workspaces get their updates pushed, as in Azure, and the stand-in calls the host's
    event handler with each connection's connected and disconnected events."""
    if env.get("WEBPUBSUB_CONNECTION_STRING") or env.get("WEBPUBSUB_ENDPOINT"):
        print("live updates: the configured Web PubSub service (no stand-in started)", flush=True)
        return None
    port = WEBPUBSUB_PORT if _port_free(WEBPUBSUB_PORT) else free_port()
    base = "/".join(p for p in (f"http://127.0.0.1:{_port(env)}", route_prefix(script_root)) if p)
    live = StandIn.start(event_handler=f"{base}/api/realtime/events", port=port,
                         hub=env.get("WEBPUBSUB_HUB") or "switchboard")
    env["WEBPUBSUB_CONNECTION_STRING"] = live.connection_string
    print(f"live updates: the Web PubSub stand-in on port {port}", flush=True)
    return live


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_ready(host: subprocess.Popen[bytes], status_url: str) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and host.poll() is None:
        if http_ok(status_url):
            return True
        time.sleep(0.2)
    return False


def _settings(script_root: Path) -> dict[str, str] | None:
    """The host's environment: ours, local.settings.json below it, and the local defaults."""
    try:  # what Core Tools would read, so `make run` and `func start` agree
        env = app_environment(script_root, os.environ)
    except SettingsError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return None
    if not env.get(SEALING_KEY_ENV):
        env[SEALING_KEY_ENV], key_file = development_sealing_key(env)
        print(f"sealing key: development key from {key_file} (never use it in Azure)", flush=True)
    if not env.get("ENTRA_AUTHORITY_HOST"):
        env["ENTRA_AUTHORITY_HOST"] = entra.authority(f"http://127.0.0.1:{_port(env)}")
        print(f"entra: the local development tenant at {env['ENTRA_AUTHORITY_HOST']}", flush=True)
    env["SWITCHBOARD_LOCAL_KEY"] = local_key(env)
    return env


def _port(env: dict[str, str]) -> int:
    return int(env.get("PORT") or 7071)


def _announce(env: dict[str, str], script_root: Path) -> None:
    base = "/".join(p for p in (f"http://localhost:{_port(env)}", route_prefix(script_root)) if p) + "/"
    print(f"\nSwitchboard is running at {base}\n  health:        {base}api/health\n"
          f"  API reference: {base}api-reference\n  sign in:       {base}.auth/login/aad\n"
          "a token for curl: TOKEN=$(.venv/bin/python -m localhost.token --name you --role admin)\n"
          f'try: curl -H "Authorization: Bearer $TOKEN" {base}api/me\nCtrl-C stops it.\n', flush=True)


def _stop_host(host: subprocess.Popen[bytes]) -> None:
    if host.poll() is None:
        host.send_signal(signal.SIGTERM)
        try:
            host.wait(timeout=35)
        except subprocess.TimeoutExpired:
            host.kill()
            host.wait()


def _serve(env: dict[str, str], app: str, script_root: Path, storage: str | None,
           stopping: threading.Event) -> int:
    """Run the host until it exits or we are asked to stop; its exit code."""
    port, state = _port(env), local_dir(env)
    command = [sys.executable, "-m", "localhost", "--app", app, "--port", str(port)]
    command += ["--script-root", str(script_root)]
    # Own session: the terminal's Ctrl-C reaches only us, and we stop the host before Azurite.
    host = subprocess.Popen(command, cwd=REPO_ROOT, env=env, start_new_session=True)
    public = env.get("PUBLIC_BASE_URL", "").strip().rstrip("/") or None
    record, before = RunRecord(os.getpid(), f"http://localhost:{port}", storage, public), None
    try:
        if _wait_ready(host, f"http://127.0.0.1:{port}/admin/host/status"):
            before = RunRecord.read(state)  # another `make run`'s, on another port: its again once we stop
            record.write(state)
            _announce(env, script_root)
        elif host.poll() is None:
            print(f"the host is not answering after {READY_TIMEOUT:.0f} s; see its log above", flush=True)
        while host.poll() is None and not stopping.is_set():
            time.sleep(0.2)
    finally:
        record.clear(state, before)
        _stop_host(host)
    return host.returncode


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    script_root = args.script_root.resolve()
    env = _settings(script_root)
    if env is None:
        return 1
    if not _port_free(_port(env)):  # else what holds it would answer for the host, which then fails
        print(f"cannot start: port {_port(env)} is in use by {azurites.holder(_port(env))} (another `make run`?); "
              f"stop that, or choose another port: PORT={_port(env) + 10} make run", file=sys.stderr, flush=True)
        return 1
    stopping = threading.Event()
    # Installed before anything starts, so Ctrl-C during startup still cleans up; a closed
    # terminal (SIGHUP) stops everything too, which nothing would stop later, unless the run
    # was started to outlive its terminal (nohup: SIGHUP ignored).
    hangup = (signal.SIGHUP,) if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN else ()
    for signum in (signal.SIGINT, signal.SIGTERM, *hangup):
        signal.signal(signum, lambda _signum, _frame: stopping.set())
    try:
        azurite, storage = _start_storage(env)
    except ServiceError as exc:
        print(f"cannot start storage: {exc}", file=sys.stderr, flush=True)
        return 1
    try:
        live = _start_live_updates(env, script_root)
        try:
            code = _serve(env, args.app, script_root, storage, stopping)
        finally:
            if live is not None:
                live.stop()
    except ServiceError as exc:
        print(f"cannot start the Web PubSub stand-in: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        if azurite is not None:
            azurite.stop()
    return 0 if stopping.is_set() else code


if __name__ == "__main__":
    sys.exit(main())
