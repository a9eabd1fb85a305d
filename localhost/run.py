"""`make run`: the app on http://localhost:7071 with local storage, in one command.

Starts Azurite's Table service (data kept in `.azurite/` across runs) unless a
storage connection string is already configured, makes sure a sealing key
exists (a development key in `.local/sealing.key`, created once, so sealed
data stays readable between runs), then runs the local Functions host with
its output on this terminal. Ctrl-C stops the host first, then Azurite, so no
request is cut off by storage disappearing underneath it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from cryptography.fernet import Fernet

from localhost.auth import local_key
from localhost.services import (
    REPO_ROOT, Azurite, ServiceError, azurite_connection_string, free_port, http_ok, serves_azurite_tables,
)
from localhost.settings import SettingsError, load_local_settings, route_prefix

AZURITE_DIR = REPO_ROOT / ".azurite"
SEALING_KEY_FILE = REPO_ROOT / ".local" / "sealing.key"
AZURITE_TABLE_PORT = 10002  # Azurite's usual port, where Storage Explorer looks first
READY_TIMEOUT = 30.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localhost.run", description=__doc__)
    parser.add_argument("--app", default="function_app:app", help="module:attribute of the FunctionApp")
    parser.add_argument("--script-root", type=Path, default=REPO_ROOT, help="folder with the app and host.json")
    return parser.parse_args(argv)


def _development_sealing_key() -> str:
    """The key in `.local/sealing.key`, generated on first use and readable only by the owner."""
    if not SEALING_KEY_FILE.exists():
        SEALING_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(SEALING_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return SEALING_KEY_FILE.read_text().strip()


def _start_storage(env: dict[str, str]) -> Azurite | None:
    """Azurite, unless a real connection string is configured (then nothing).

    ``UseDevelopmentStorage=true`` (as in local.settings.sample.json) means Azurite on its
    usual port: an Azurite already serving tables there is used; when something else holds
    the port, our own Azurite starts on a free port instead.
    """
    configured = env.get("SWITCHBOARD_STORAGE_CONNECTION_STRING") or env.get("AzureWebJobsStorage") or ""
    development = configured.replace(" ", "").lower() == "usedevelopmentstorage=true"
    if configured and not development:
        print("storage: using the configured connection string (no Azurite started)", flush=True)
        return None
    if development and serves_azurite_tables("127.0.0.1", AZURITE_TABLE_PORT):
        _use_storage(env, azurite_connection_string("127.0.0.1", AZURITE_TABLE_PORT))
        print(f"storage: the Azurite table service already running on port {AZURITE_TABLE_PORT}", flush=True)
        return None
    port = AZURITE_TABLE_PORT
    if not _port_free(port):
        port = free_port()
        print(f"storage: port {AZURITE_TABLE_PORT} is taken by something that is not Azurite's table service; "
              f"starting Azurite on port {port}", flush=True)
    azurite = Azurite.start(AZURITE_DIR, port=port)
    _use_storage(env, azurite.connection_string)
    print(f"storage: Azurite table service on port {port}, data in {AZURITE_DIR}", flush=True)
    return azurite


def _use_storage(env: dict[str, str], connection_string: str) -> None:
    env.pop("SWITCHBOARD_STORAGE_CONNECTION_STRING", None)
    env["AzureWebJobsStorage"] = connection_string


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


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    env = dict(os.environ)
    try:  # what Core Tools would read, so `make run` and `func start` agree
        load_local_settings(args.script_root, env)
    except SettingsError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    port = int(env.get("PORT") or 7071)
    if not env.get("SWITCHBOARD_SEALING_KEY"):
        env["SWITCHBOARD_SEALING_KEY"] = _development_sealing_key()
        print(f"sealing key: development key from {SEALING_KEY_FILE} (never use it in Azure)", flush=True)
    key = local_key(env)
    env["SWITCHBOARD_LOCAL_KEY"] = key

    stopping = False

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    # Installed before anything starts, so Ctrl-C during startup still cleans up.
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    try:
        azurite = _start_storage(env)
    except ServiceError as exc:
        print(f"cannot start storage: {exc}", file=sys.stderr, flush=True)
        return 1
    script_root = args.script_root.resolve()
    command = [sys.executable, "-m", "localhost", "--app", args.app, "--port", str(port)]
    command += ["--script-root", str(script_root)]
    # Own session: the terminal's Ctrl-C reaches only us, and we stop the host before Azurite.
    host = subprocess.Popen(command, cwd=REPO_ROOT, env=env, start_new_session=True)
    try:
        if _wait_ready(host, f"http://127.0.0.1:{port}/admin/host/status"):
            base = "/".join(p for p in (f"http://localhost:{port}", route_prefix(script_root)) if p) + "/"
            print(
                f"\nSwitchboard is running at {base}\n"
                f"  health:        {base}api/health\n"
                f"  API reference: {base}api-reference\n"
                f"function key: {key}\n"
                f'try: curl -H "x-functions-key: {key}" {base}api/conversations\n'
                "Ctrl-C stops it.\n",
                flush=True,
            )
        elif host.poll() is None:
            print(f"the host is not answering after {READY_TIMEOUT:.0f} s; see its log above", flush=True)
        while host.poll() is None and not stopping:
            time.sleep(0.2)
    finally:
        if host.poll() is None:
            host.send_signal(signal.SIGTERM)
            try:
                host.wait(timeout=35)
            except subprocess.TimeoutExpired:
                host.kill()
                host.wait()
        if azurite is not None:
            azurite.stop()
    return 0 if stopping else host.returncode


if __name__ == "__main__":
    sys.exit(main())
