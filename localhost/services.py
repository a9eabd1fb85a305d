"""Start and stop the local stand-ins for Azure: Azurite, Prism and the host, used by
`make run` and by the test session (each a child process, see localhost/processes.py)."""

from __future__ import annotations

import os
import re
import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from localhost.auth import KEY_ENV, local_key
from localhost.processes import Process, ServiceError, Service, free_port, new_log
from localhost.server import READY_LOG, STATUS_PATH
from localhost.state import REPO_ROOT

NODE_BIN = REPO_ROOT / "node_modules" / ".bin"

# Azurite's published development account; not a secret.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

START_TIMEOUT = 30.0


def _node_tool(name: str) -> Path:
    path = NODE_BIN / name
    if not path.exists():
        raise ServiceError(f"{path} is missing: run `make install` (it runs `npm ci`) first")
    return path


class Azurite(Service):
    """Azurite's Table and Queue services, persisting under `data_dir`.

    Restarting on the same `data_dir` keeps the tables and queues, which lets tests
    simulate a storage outage by stopping and starting it again.
    """

    def __init__(self, processes: list[Process], host: str, port: int, queue_port: int) -> None:
        self._processes = processes
        self.host = host
        self.port = port  # the Table service's
        self.queue_port = queue_port
        self.connection_string = azurite_connection_string(host, port, queue_port)

    @classmethod
    def start(cls, data_dir: Path, port: int | None = None, host: str = "127.0.0.1",
              queue_port: int | None = None, in_memory: bool = False) -> Azurite:
        """Start both and wait until they accept connections; ``in_memory``: keep nothing on
        disk (Azurite's periodic save of a large database stalls every request meanwhile)."""
        port, queue_port = port or free_port(), queue_port or free_port()
        data_dir = Path(data_dir).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        processes = [_azurite("table", host, port, data_dir, in_memory)]
        try:
            processes.append(_azurite("queue", host, queue_port, data_dir, in_memory))
        except BaseException:
            processes[0].stop()
            raise
        return cls(processes, host, port, queue_port)

    def stop(self) -> None:
        for process in reversed(self._processes):
            process.stop()

    def output(self) -> str:
        return "".join(process.output() for process in self._processes)


def _azurite(service: str, host: str, port: int, data_dir: Path, in_memory: bool = False) -> Process:
    argv: list[str | os.PathLike[str]] = [
        _node_tool(f"azurite-{service}"),
        f"--{service}Host", host,
        f"--{service}Port", str(port),
        # in memory: nothing on disk (it refuses a --location then), only the log in data_dir
        *(["--inMemoryPersistence"] if in_memory else ["--location", data_dir]),
        "--skipApiVersionCheck",
        "--loose",
        "--disableProductStyleUrl",
        "--disableTelemetry",
        "--silent",
    ]
    # Azurite flushes its database on SIGINT only; SIGTERM would lose recent writes.
    process = Process(f"Azurite ({service}, port {port})", argv, data_dir / f"azurite-{service}.log",
                      stop_signal=signal.SIGINT)
    # Its own message, not a successful connect: another server may already hold the port.
    # (The table service says "successfully started on host:port", the queue service
    # "successfully listens on http://host:port".)
    started = re.compile(rf"successfully (started on |listens on http://){re.escape(host)}:{port}\b")
    process.wait_until(lambda: started.search(process.output()) is not None, "accepting connections", START_TIMEOUT)
    return process


class Prism(Service):
    """Prism serving mock responses from an OpenAPI spec (for provider APIs)."""

    def __init__(self, process: Process, port: int) -> None:
        self._process = process
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls, spec: Path, port: int | None = None) -> Prism:
        """Start it and wait until it reports it is listening."""
        tool = _node_tool("prism")
        port = port or free_port()
        log = new_log(f"prism-{port}-")
        argv: list[str | os.PathLike[str]] = [tool, "mock", "-h", "127.0.0.1", "-p", str(port), Path(spec).resolve()]
        process = Process(f"Prism (port {port})", argv, log)
        process.wait_until(lambda: "Prism is listening" in process.output(), "listening", START_TIMEOUT)
        return cls(process, port)


class LocalHost(Service):
    """The local Functions host (`python -m localhost`) as a subprocess."""

    def __init__(self, process: Process, port: int, key: str) -> None:
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
        log = new_log(f"localhost-{port}-")
        argv: list[str | os.PathLike[str]] = [
            sys.executable, "-m", "localhost",
            "--app", app,
            "--port", str(port),
            "--host", "127.0.0.1",
            "--script-root", script_root,
        ]
        process = Process(f"local host (port {port})", argv, log, env=merged, cwd=script_root)
        status_url = f"http://127.0.0.1:{port}{STATUS_PATH}"
        # The log line proves it is our process that answers, not another one holding the port.
        process.wait_until(
            lambda: READY_LOG in process.output() and http_ok(status_url),
            "serving /admin/host/status",
            START_TIMEOUT,
        )
        return cls(process, port, key)


    def kill(self) -> None:
        """Kill the host with SIGKILL (crash tests): requests in flight get no answer."""
        self._process.kill()


def azurite_connection_string(host: str, port: int, queue_port: int | None = None) -> str:
    queues = f"QueueEndpoint=http://{host}:{queue_port}/{AZURITE_ACCOUNT};" if queue_port else ""
    return (
        "DefaultEndpointsProtocol=http;"
        f"AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"TableEndpoint=http://{host}:{port}/{AZURITE_ACCOUNT};{queues}"
    )


def serves_azurite(service: str, host: str, port: int) -> bool:
    """Whether Azurite's ``service`` (table or queue) answers on ``host:port`` (it names
    itself in every answer's Server header, an unsigned request's 403 included)."""
    request = urllib.request.Request(f"http://{host}:{port}/{AZURITE_ACCOUNT}/{'Tables' if service == 'table' else ''}")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            server = response.headers.get("Server", "")
    except urllib.error.HTTPError as exc:
        server = exc.headers.get("Server", "")
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return server.startswith(f"Azurite-{service.capitalize()}/")


def http_ok(url: str) -> bool:
    """Whether a GET of `url` answers 200 right now (readiness probes)."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
