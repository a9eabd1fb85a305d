"""What the local tools keep between runs, so `make run`, the host and the simulator agree.

Everything lives in one folder, `.local/` (or `SWITCHBOARD_LOCAL_DIR`, so a test can use
its own): the development sealing key, the local Entra tenant's signing key, and the
record a running `make run` leaves of the storage it chose, which may be an Azurite on
another port than the usual one. Nothing here is used by the app in Azure.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from localhost.settings import load_local_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR_ENV = "SWITCHBOARD_LOCAL_DIR"
SEALING_KEY_FILE = "sealing.key"
RUN_RECORD_FILE = "run.json"
SEALING_KEY_ENV = "SWITCHBOARD_SEALING_KEY"
STORAGE_SETTINGS = ("SWITCHBOARD_STORAGE_CONNECTION_STRING", "AzureWebJobsStorage")  # the first set wins


def local_dir(env: Mapping[str, str]) -> Path:
    """The folder of the development state."""
    return Path(env.get(LOCAL_DIR_ENV) or REPO_ROOT / ".local").resolve()


def create_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content, written with `make()` first if it does not exist yet.

    Readable by the owner only, since it holds keys. Written aside and linked into place,
    so two processes creating it at once agree on one content and never read half a file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(make())
            with contextlib.suppress(FileExistsError):  # another process got there first: theirs wins
                os.link(draft, path)
        finally:
            os.unlink(draft)
    return path.read_bytes()


def development_sealing_key(env: Mapping[str, str]) -> tuple[str, Path]:
    """The development sealing key (created on first use) and the file that holds it."""
    path = local_dir(env) / SEALING_KEY_FILE
    return create_once(path, Fernet.generate_key).decode().strip(), path


def configured_storage(env: Mapping[str, str]) -> str:
    """The storage connection string the app would read, as written (maybe empty)."""
    return next((env[name] for name in STORAGE_SETTINGS if env.get(name)), "")


def is_development_storage(value: str) -> bool:
    """Whether a connection string is Core Tools' shorthand for the local Azurite."""
    return value.replace(" ", "").lower() == "usedevelopmentstorage=true"


def app_environment(script_root: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with `local.settings.json` below it, as Core Tools and `make run` read them."""
    env = dict(environ)
    load_local_settings(script_root, env)
    return env


@dataclass(frozen=True)
class RunRecord:
    """What a running `make run` tells the other local tools: where the host answers, the
    Azurite it uses (its connection string holds only Azurite's published key), and the
    PUBLIC_BASE_URL it was given (what a provider's signature covers)."""

    pid: int
    url: str
    storage: str | None = None
    public_base_url: str | None = None

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / RUN_RECORD_FILE
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(json.dumps(asdict(self)))
        draft.replace(path)
        return path

    @classmethod
    def read(cls, folder: Path) -> RunRecord | None:
        """The record of a `make run` that is still running, else None (none, or stale)."""
        try:
            record = cls(**json.loads((folder / RUN_RECORD_FILE).read_text()))
        except (OSError, ValueError, TypeError):
            return None
        return record if _alive(record.pid) else None

    def clear(self, folder: Path, before: RunRecord | None = None) -> None:
        """Remove the record, unless another `make run` has written its own since; the one
        it replaced (``before``) comes back while that `make run` still runs, so the
        simulator beside it finds it again."""
        if RunRecord.read(folder) != self:
            return
        if before is not None and _alive(before.pid):
            before.write(folder)
            return
        with contextlib.suppress(FileNotFoundError):
            (folder / RUN_RECORD_FILE).unlink()


def use_recorded_storage(env: MutableMapping[str, str], record: RunRecord | None) -> bool:
    """Point `env` at the Azurite a running `make run` started, where `make run` would have
    used it: no storage configured, or Core Tools' shorthand for the local Azurite."""
    configured = configured_storage(env)
    if record is None or not record.storage or (configured and not is_development_storage(configured)):
        return False
    env[STORAGE_SETTINGS[0]] = record.storage
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True
