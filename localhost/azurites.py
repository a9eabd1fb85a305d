"""Whose Azurite is listening: `make run` reuses only this checkout's own (data in its
`.azurite/`, say left running by a `make run` that was killed), never another project's
that happens to hold Azurite's usual ports, whose tables it would mix with ours.

Answered from the processes themselves (psutil: their command lines, working directories
and listening sockets), since Azurite's answers do not say where it keeps its data. The
processes of another user, or of a container, stay hidden: never this checkout's, then.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import psutil

from localhost.services import serves_azurite

HOST = "127.0.0.1"


def data_dir(process: psutil.Process) -> Path | None:
    """Where an Azurite process keeps its data: its `--location`, else its working
    directory (Azurite's default); None for another program or an in-memory Azurite."""
    argv = process.cmdline()
    if not any(Path(arg).name.startswith("azurite") for arg in argv[:2]) or "--inMemoryPersistence" in argv:
        return None
    location = "."
    for flag, value in zip(argv, argv[1:] + [""]):
        if flag in ("--location", "-l"):
            location = value
        elif flag.startswith("--location="):
            location = flag.partition("=")[2]
    return (Path(process.cwd()) / location).resolve()


def _listening(process: psutil.Process) -> set[int]:
    return {c.laddr.port for c in process.net_connections("tcp") if c.status == psutil.CONN_LISTEN}


def running_on(folder: Path) -> tuple[int, int] | None:
    """The table and queue ports of an Azurite already serving `folder`, if both run."""
    ports: set[int] = set()
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if data_dir(process) == folder.resolve():
                ports |= _listening(process)
    table = next((p for p in sorted(ports) if serves_azurite("table", HOST, p)), None)
    queue = next((p for p in sorted(ports) if serves_azurite("queue", HOST, p)), None)
    return (table, queue) if table and queue else None


def holder(port: int) -> str:
    """Who listens on `port`, in words for `make run`'s output."""
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if port in _listening(process):
                folder = data_dir(process)
                if folder is not None:
                    return f"another Azurite (pid {process.pid}, data in {folder})"
                return f"{process.name()} (pid {process.pid})"
    if serves_azurite("table", HOST, port) or serves_azurite("queue", HOST, port):
        return "an Azurite of another user or a container"
    return "a program of another user or a container"
