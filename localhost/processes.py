"""Children of the local tooling: each in its own process group, so that stopping it
also stops whatever it spawned (npm shims, node workers), and registered with `atexit`,
so that a crashed test session leaves no port bound for the next one. Output goes to a
file, never a pipe: a chatty child writing into a pipe nobody drains would block forever.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

STOP_TIMEOUT = 10.0

_live: set[Process] = set()
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


def new_log(prefix: str) -> Path:
    """A fresh log file, so one start's output is never mistaken for another's."""
    global _log_dir
    with _live_lock:
        if _log_dir is None:
            _log_dir = Path(tempfile.mkdtemp(prefix="switchboard-services-"))
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".log", dir=_log_dir)
    os.close(fd)
    return Path(name)


class Process:
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

    def kill(self) -> None:
        """SIGKILL the group at once, as a crash would: nothing gets to clean up."""
        with _live_lock:
            _live.discard(self)
        self._signal(signal.SIGKILL)
        self.popen.wait()

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


class Service:
    """Context-manager plumbing shared by the services."""

    _process: Process

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
