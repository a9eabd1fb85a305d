"""The README's walkthrough, run as written by bash against `make run` (python -m localhost.run),
with Prism serving Twilio's contract as the README says, and the simulator finding what
`make run` made: its development sealing key and its local Entra tenant."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests

from localhost.services import free_port, http_ok
from localhost.state import RunRecord
from tests.conftest import REPO
from tests.support import acs as acs_data
from tests.support.identity import bearer

WALKTHROUGH = re.compile(r"^```bash walkthrough\n(.*?)^```$", re.DOTALL | re.MULTILINE)
READY_TIMEOUT = 60.0


@dataclass
class MakeRun:
    url: str
    env: dict[str, str]  # what a user's shell beside it holds: where the app's storage is, nothing secret
    log: Path

    def call(self, method: str, path: str, json: object = None) -> requests.Response:
        return requests.request(method, f"{self.url}/api{path}", json=json, headers=bearer(self.env), timeout=30)


def walkthrough() -> str:
    [block] = WALKTHROUGH.findall((REPO / "README.md").read_text())
    return block


@pytest.fixture(scope="module")
def make_run(azurite, twilio_contract_api, tmp_path_factory) -> Iterator[MakeRun]:
    """`make run` on the session's Azurite (a configured connection string: it starts none), its
    .local/ in a temporary folder, replies going to the Twilio stand-in."""
    port, local, log = free_port(), tmp_path_factory.mktemp("local"), tmp_path_factory.mktemp("run") / "run.log"
    # Empty values win over a local.settings.json and mean "unset": the development sealing key, the
    # local Entra tenant, no public URL; the storage is the session's Azurite under a table prefix of its own.
    shell = {**os.environ, "AzureWebJobsStorage": azurite.connection_string, "SWITCHBOARD_LOCAL_DIR": str(local),
             "SWITCHBOARD_TABLE_PREFIX": "w" + secrets.token_hex(5), "SWITCHBOARD_STORAGE_CONNECTION_STRING": "",
             "SWITCHBOARD_SEALING_KEY": "", "ENTRA_AUTHORITY_HOST": "", "PUBLIC_BASE_URL": ""}
    env = {**shell, "PORT": str(port), "TWILIO_API_BASE_URL": twilio_contract_api.base_url}
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "localhost.run"], cwd=REPO, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for(process, local, port, log)
        yield MakeRun(f"http://localhost:{port}", {**shell, "SWITCHBOARD_URL": f"http://localhost:{port}"}, log)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        process.wait(timeout=60)
    assert RunRecord.read(local) is None and not (local / "run.json").exists()


def _wait_for(process: subprocess.Popen[bytes], local: Path, port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        record = RunRecord.read(local)
        if record and record.pid == process.pid and http_ok(f"http://127.0.0.1:{port}/api/health"):
            return
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"make run did not come up; its output:\n{log.read_text()}")


def test_the_readme_walkthrough_runs_as_written(make_run, twilio_contract_api):
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=REPO, env=make_run.env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\nmake run:\n{make_run.log.read_text()}"

    [listed] = make_run.call("GET", "/conversations").json()["conversations"]
    conversation = make_run.call("GET", f"/conversations/{listed['id']}").json()
    assert (conversation["state"], conversation["closed_reason"], conversation["agent"]["name"]) == (
        "closed", "agent", "alice")
    assert [(e["action"], e["actor"]["name"]) for e in conversation["history"]] == [
        ("accepted", "alice"), ("parked", "alice"), ("closed", "alice")]
    assert conversation["workstream_id"] and conversation["customer"] == "+12065550100"
    inbound, outbound = conversation["messages"]
    assert (inbound["direction"], inbound["body"]) == ("inbound", "Where is my order?")
    assert (outbound["direction"], outbound["status"]) == ("outbound", "delivered")
    [sent] = twilio_contract_api.calls("POST", r"/2010-04-01/Accounts/AC\w+/Messages\.json")
    assert sent.form["To"] == ["+12065550100"] and sent.form["Body"] == [outbound["body"]]
    assert outbound["provider_message_id"] in done.stdout  # the reply's id, echoed by the walkthrough


def test_make_runs_local_tenant_signs_for_an_entra_guarded_acs_account(make_run):
    body = acs_data.whatsapp_account("https://contoso-acs.communication.azure.com",
                                     eventgrid_app_id=acs_data.APP_ID, eventgrid_tenant_id=acs_data.TENANT)
    created = make_run.call("POST", "/admin/accounts", body)
    assert created.status_code == 201, created.text
    account = created.json()["id"]
    done = subprocess.run([".venv/bin/python", "-m", "localhost.simulate", "message", "--account", account],
                          cwd=REPO, env=make_run.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\nmake run:\n{make_run.log.read_text()}"
    assert '"stored": 1' in done.stdout
    unsigned = requests.post(f"{make_run.url}/api/acs/{account}/events", json=acs_data.events(
        "advanced_message_received_text.json"), timeout=30)
    assert unsigned.status_code == 401
