"""Start and stop the local stand-ins for Azure: Azurite, Prism and the host.

Used by `make run` and by the test session. Every service runs in its own
process group so that stopping it also stops whatever it spawned (npm shims,
node workers), and every live service is registered with `atexit` so that a
crashed test session does not leave ports bound for the next one. Output goes
to a file, never a pipe: a chatty child writing into a pipe nobody drains
would block forever.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from localhost.auth import KEY_ENV, local_key
from localhost.server import READY_LOG, STATUS_PATH
from localhost.state import REPO_ROOT

NODE_BIN = REPO_ROOT / "node_modules" / ".bin"

# Azurite's published development account; not a secret.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

_live: set[_Process] = set()
_live_lock = threading.Lock()
# Logs of services that have no data directory of their own; created on first use, removed at exit.
_log_dir: Path | None = None


class ServiceError(RuntimeError):
    """A local service could not be started."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _node_tool(name: str) -> Path:
    path = NODE_BIN / name
    if not path.exists():
        raise ServiceError(f"{path} is missing: run `make install` (it runs `npm ci`) first")
    return path


def _new_log(prefix: str) -> Path:
    """A fresh log file, so one start's output is never mistaken for another's."""
    global _log_dir
    with _live_lock:
        if _log_dir is None:
            _log_dir = Path(tempfile.mkdtemp(prefix="switchboard-services-"))
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".log", dir=_log_dir)
    os.close(fd)
    return Path(name)


class _Process:
    """A child in its own process group whose output goes to a file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.stop_signal = stop_signal
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        # Logs in a data directory are appended to across restarts; output() shows this run only.
        self._log_start = log_path.stat().st_size if log_path.exists() else 0
        # The child keeps its own copy of the descriptor; ours can close right away.
        with open(log_path, "ab") as log:
            self.popen = subprocess.Popen(
                [os.fspath(a) for a in argv],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
            )
        with _live_lock:
            _live.add(self)

    def output(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._log_start)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float) -> None:
        """Poll `ready` until true; fail with the child's output if it dies or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if not self.alive():
                raise ServiceError(
                    f"{self.name} exited with code {self.popen.returncode} before {what}; "
                    f"its output:\n{self.output()}"
                )
            time.sleep(0.1)
        output = self.output()
        self.stop()
        raise ServiceError(f"{self.name} did not get {what} within {timeout:.0f} s; its output:\n{output}")

    def stop(self) -> None:
        """Ask the group to stop with `stop_signal`, SIGKILL it if it lingers."""
        with _live_lock:
            _live.discard(self)
        if self.popen.returncode is not None:
            return
        self._signal(self.stop_signal)
        try:
            self.popen.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.popen.wait()
        # Whatever the leader left behind in its group.
        self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)


@atexit.register
def _stop_all() -> None:
    with _live_lock:
        live = list(_live)
    for process in live:
        process.stop()
    if _log_dir is not None:
        shutil.rmtree(_log_dir, ignore_errors=True)


class _Service:
    """Context-manager plumbing shared by the services."""

    _process: _Process

    def stop(self) -> None:
        """Stop the service and everything it started; safe to call twice."""
        self._process.stop()

    def output(self) -> str:
        """What the service logged so far."""
        return self._process.output()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


class Azurite(_Service):
    """Azurite's Table service, persisting under `data_dir`.

    Restarting on the same `data_dir` keeps the tables, which lets tests
    simulate a storage outage by stopping and starting it again.
    """

    def __init__(self, process: _Process, host: str, port: int) -> None:
        self._process = process
        self.host = host
        self.port = port
        self.connection_string = azurite_connection_string(host, port)

    @classmethod
    def start(cls, data_dir: Path, port: int | None = None, host: str = "127.0.0.1") -> Azurite:
        """Start it and wait until it accepts connections."""
        tool = _node_tool("azurite-table")
        port = port or free_port()
        data_dir = Path(data_dir).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        argv: list[str | os.PathLike[str]] = [
            tool,
            "--tableHost", host,
            "--tablePort", str(port),
            "--location", data_dir,
            "--skipApiVersionCheck",
            "--loose",
            "--disableProductStyleUrl",
            "--disableTelemetry",
            "--silent",
        ]
        # Azurite flushes its database on SIGINT only; SIGTERM would lose recent writes.
        process = _Process(f"Azurite (table, port {port})", argv, data_dir / "azurite.log", stop_signal=signal.SIGINT)
        # Its own message, not a successful connect: another server may already hold the port.
        started = f"successfully started on {host}:{port}"
        process.wait_until(lambda: started in process.output(), "accepting connections", START_TIMEOUT)
        return cls(process, host, port)


class Prism(_Service):
    """Prism serving mock responses from an OpenAPI spec (for provider APIs)."""

    def __init__(self, process: _Process, port: int) -> None:
        self._process = process
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls, spec: Path, port: int | None = None) -> Prism:
        """Start it and wait until it reports it is listening."""
        tool = _node_tool("prism")
        port = port or free_port()
        log = _new_log(f"prism-{port}-")
        argv: list[str | os.PathLike[str]] = [tool, "mock", "-h", "127.0.0.1", "-p", str(port), Path(spec).resolve()]
        process = _Process(f"Prism (port {port})", argv, log)
        process.wait_until(lambda: "Prism is listening" in process.output(), "listening", START_TIMEOUT)
        return cls(process, port)


class LocalHost(_Service):
    """The local Functions host (`python -m localhost`) as a subprocess."""

    def __init__(self, process: _Process, port: int, key: str) -> None:
        self._process = process
        self.port = port
        self.key = key
        self.base_url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(
        cls,
        env: Mapping[str, str],
        port: int | None = None,
        script_root: Path = REPO_ROOT,
        app: str = "function_app:app",
    ) -> LocalHost:
        """Start it with `env` merged over `os.environ`; wait for /admin/host/status."""
        port = port or free_port()
        script_root = Path(script_root).resolve()
        merged = {**os.environ, **env}
        # The script root need not be the repo root; `-m localhost` must still resolve.
        merged["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), merged.get("PYTHONPATH", "")) if p)
        merged["PYTHONUNBUFFERED"] = "1"
        key = local_key(merged)
        merged[KEY_ENV] = key
        log = _new_log(f"localhost-{port}-")
        argv: list[str | os.PathLike[str]] = [
            sys.executable, "-m", "localhost",
            "--app", app,
            "--port", str(port),
            "--host", "127.0.0.1",
            "--script-root", script_root,
        ]
        process = _Process(f"local host (port {port})", argv, log, env=merged, cwd=script_root)
        status_url = f"http://127.0.0.1:{port}{STATUS_PATH}"
        # The log line proves it is our process that answers, not another one holding the port.
        process.wait_until(
            lambda: READY_LOG in process.output() and http_ok(status_url),
            "serving /admin/host/status",
            START_TIMEOUT,
        )
        return cls(process, port, key)


def azurite_connection_string(host: str, port: int) -> str:
    return (
        "DefaultEndpointsProtocol=http;"
        f"AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"TableEndpoint=http://{host}:{port}/{AZURITE_ACCOUNT};"
    )


def serves_azurite_tables(host: str, port: int) -> bool:
    """Whether Azurite's Table service answers on ``host:port`` (it names itself in every
    answer's Server header, an unsigned request's 403 included)."""
    request = urllib.request.Request(f"http://{host}:{port}/{AZURITE_ACCOUNT}/Tables")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            server = response.headers.get("Server", "")
    except urllib.error.HTTPError as exc:
        server = exc.headers.get("Server", "")
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return server.startswith("Azurite-Table/")


def http_ok(url: str) -> bool:
    """Whether a GET of `url` answers 200 right now (readiness probes)."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
