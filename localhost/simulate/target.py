"""Which running instance to call and which account to sign for, found as `make run` finds them.

The settings are the ones `make run` gives the host: the environment over
`local.settings.json`, the development sealing key from `.local/`, and, while `make run`
is running, the Azurite it started (recorded in `.local/run.json`, since it may not be on
the usual port). The account is read through the app's own wiring, so its credentials are
unsealed exactly as the app unseals them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from functions.settings import Settings
from core.errors import SwitchboardError
from core.records import Account
from functions.wiring import build
from localhost.entra import LocalTenant
from localhost.state import (
    REPO_ROOT, SEALING_KEY_ENV, SEALING_KEY_FILE, STORAGE_SETTINGS, RunRecord, app_environment, local_dir,
    use_recorded_storage,
)
from localhost.simulate.delivery import SimulationError

URL_ENV = "SWITCHBOARD_URL"


@dataclass(frozen=True)
class Target:
    account: Account
    url: str  # where the instance answers
    public_base_url: str  # what the app rebuilds a webhook's URL from, so what a provider signs
    tenant: LocalTenant  # signs Event Grid's Entra tokens


def app_settings(environ: Mapping[str, str], storage: str | None) -> tuple[dict[str, str], RunRecord | None]:
    """The app settings `make run` would give the host, and the record of a running `make run`."""
    env = app_environment(REPO_ROOT, environ)
    record = RunRecord.read(local_dir(env))
    if storage:
        env[STORAGE_SETTINGS[0]] = storage
    else:
        use_recorded_storage(env, record)
    if not env.get(SEALING_KEY_ENV):  # make run's development key; without it nothing stored can be unsealed
        key_file = local_dir(env) / SEALING_KEY_FILE
        if not key_file.is_file():
            raise SimulationError(f"no sealing key: {key_file} appears with the first `make run` "
                                  f"(or set {SEALING_KEY_ENV})")
        env[SEALING_KEY_ENV] = key_file.read_text().strip()
    return env, record


def base_url(given: str | None, env: Mapping[str, str], record: RunRecord | None) -> str:
    """--url, else SWITCHBOARD_URL, else the running `make run`'s address, else localhost:$PORT."""
    url = given or env.get(URL_ENV) or (record.url if record else "") or f"http://localhost:{env.get('PORT') or 7071}"
    return url.rstrip("/")


def find(account_id: str, url: str | None, storage: str | None, environ: Mapping[str, str]) -> Target:
    env, record = app_settings(environ, storage)
    settings = Settings.from_env(env)
    base = base_url(url, env, record)
    try:
        account = build(settings).stores.accounts.get(account_id)
    except SwitchboardError as exc:
        raise SimulationError(f"cannot read account {account_id} from storage: {exc.message} "
                              "(is `make run` running? --storage names another storage)") from exc
    if account is None:
        raise SimulationError(f"no account {account_id} in this storage (table prefix {settings.table_prefix})")
    ran = record if record is not None and base == record.url.rstrip("/") else None  # the `make run` it calls
    public = (ran.public_base_url if ran else settings.public_base_url) or base  # what that host checks
    return Target(account, base, public, LocalTenant.of(env))
