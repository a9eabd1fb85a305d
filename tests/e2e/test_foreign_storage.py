"""Storage that answers but is not Table storage (some other program on Azurite's port)
is an outage: every request answers 503 storage_unavailable, and `make run` starts an
Azurite of its own instead of reusing that port, or another project's Azurite there; it
reuses only this checkout's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
import requests
from azure.data.tables import TableServiceClient

from localhost import run
from localhost.services import Azurite, LocalHost, azurite_connection_string
from tests.support.identity import bearer
from tests.support.recorder import Recorder, recording


@pytest.fixture(scope="module")
def foreign() -> Iterator[Recorder]:
    """An HTTP server that answers everything, as a web server on port 10002 would."""
    with recording() as recorder:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            recorder.on(method, r"/.*", (404, {"message": "Unsupported method"}))
        yield recorder


@pytest.fixture(scope="module")
def host_env(foreign, sealing_key, tmp_path_factory) -> dict[str, str]:
    port = int(foreign.base_url.rsplit(":", 1)[1])
    return {"AzureWebJobsStorage": azurite_connection_string("127.0.0.1", port), "SWITCHBOARD_SEALING_KEY": sealing_key,
            "PUBLIC_BASE_URL": "", "SWITCHBOARD_LOCAL_DIR": str(tmp_path_factory.mktemp("local"))}


@pytest.fixture(scope="module")
def host(host_env) -> Iterator[LocalHost]:
    service = LocalHost.start(host_env)
    yield service
    service.stop()


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/health"), ("GET", "/api/admin/accounts"), ("GET", "/api/admin/accounts/" + "a" * 32),
    ("POST", "/api/twilio/" + "a" * 32 + "/inbound"), ("GET", "/api/conversations"),
])
def test_every_call_is_an_outage_not_a_500(host, host_env, method, path):
    answer = requests.request(method, host.base_url + path, headers=bearer(host_env), timeout=30)
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body.get("dependencies", {}).get("tables") == "storage_unavailable" or \
        body["error"]["code"] == "storage_unavailable"


def test_make_run_starts_its_own_azurite_when_the_port_is_not_azurite(foreign, tmp_path: Path, monkeypatch,
                                                                       capsys):
    taken = int(foreign.base_url.rsplit(":", 1)[1])
    monkeypatch.setattr(run, "AZURITE_TABLE_PORT", taken)
    monkeypatch.setattr(run, "AZURITE_DIR", tmp_path / "azurite")
    env = {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}
    azurite, storage = run._start_storage(env)
    try:
        assert azurite is not None and azurite.port != taken
        assert env["AzureWebJobsStorage"] == storage == azurite.connection_string
        line, = capsys.readouterr().out.splitlines()
        assert line.startswith(f"storage: Azurite started on ports {azurite.port} (tables)")
        assert f"; port {taken} is held by " in line and line.endswith(f" (pid {os.getpid()}), not used")
    finally:
        azurite.stop()


def test_make_run_never_joins_another_projects_azurite(tmp_path: Path, monkeypatch, capsys):
    with Azurite.start(tmp_path / "theirs") as theirs:
        monkeypatch.setattr(run, "AZURITE_TABLE_PORT", theirs.port)
        monkeypatch.setattr(run, "AZURITE_QUEUE_PORT", theirs.queue_port)
        monkeypatch.setattr(run, "AZURITE_DIR", tmp_path / "ours")
        azurite, storage = run._start_storage({"AzureWebJobsStorage": "UseDevelopmentStorage=true"})
        try:
            assert azurite is not None and {azurite.port, azurite.queue_port}.isdisjoint({theirs.port,
                                                                                          theirs.queue_port})
            line, = capsys.readouterr().out.splitlines()
            assert f"data in {tmp_path / 'ours'}; port {theirs.port} is held by another Azurite (pid " in line
            assert line.endswith(f"data in {tmp_path / 'theirs'}), not used")
            TableServiceClient.from_connection_string(storage).create_table("ours")
            names = {t.name for t in TableServiceClient.from_connection_string(theirs.connection_string).list_tables()}
            assert "ours" not in names
        finally:
            azurite.stop()


def test_make_run_reuses_this_checkouts_azurite_already_running(tmp_path: Path, monkeypatch, capsys):
    """Say one left behind by a `make run` that was killed: a second on its folder would
    overwrite its saves, so it is used wherever it listens."""
    with Azurite.start(tmp_path / "ours") as ours:
        monkeypatch.setattr(run, "AZURITE_DIR", tmp_path / "ours")
        env: dict[str, str] = {}
        assert run._start_storage(env) == (None, ours.connection_string)
        assert env["AzureWebJobsStorage"] == ours.connection_string
        assert capsys.readouterr().out == (f"storage: this checkout's Azurite, already running on ports {ours.port} "
                                           f"(tables) and {ours.queue_port} (queues), data in {tmp_path / 'ours'}\n")


def test_storage_refusing_the_apps_key_is_an_outage_too(azurite, sealing_key, tmp_path):
    wrong_key = azurite.connection_string.replace("AccountKey=Eby8", "AccountKey=Xby8")
    env = {"AzureWebJobsStorage": wrong_key, "SWITCHBOARD_SEALING_KEY": sealing_key, "SWITCHBOARD_LOCAL_DIR": str(tmp_path)}
    service = LocalHost.start(env)
    try:
        health = requests.get(service.base_url + "/api/health", timeout=30)
        listed = requests.get(service.base_url + "/api/admin/accounts", headers=bearer(env), timeout=30)
    finally:
        service.stop()
    assert health.status_code == 503
    assert health.json()["dependencies"] == {"tables": "storage_unavailable", "queue": "storage_unavailable"}
    assert (listed.status_code, listed.json()["error"]["code"]) == (503, "storage_unavailable")
