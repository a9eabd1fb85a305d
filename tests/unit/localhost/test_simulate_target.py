"""The simulator finds the settings `make run` gives the host, and says what is missing."""

from __future__ import annotations

import os

import pytest

from localhost.simulate.delivery import SimulationError
from localhost.simulate.target import app_settings, base_url
from localhost.state import RunRecord, configured_storage

AZURITE = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;TableEndpoint=http://127.0.0.1:51234/x;"
# Empty values mean "unset" and win over whatever a developer's local.settings.json holds.
UNSET = {"SWITCHBOARD_STORAGE_CONNECTION_STRING": "", "AzureWebJobsStorage": "", "SWITCHBOARD_SEALING_KEY": "",
         "SWITCHBOARD_URL": "", "PORT": ""}


@pytest.fixture
def state(tmp_path):
    (tmp_path / "sealing.key").write_text("the-development-key\n")
    RunRecord(os.getpid(), "http://localhost:7080", AZURITE).write(tmp_path)
    return {**UNSET, "SWITCHBOARD_LOCAL_DIR": str(tmp_path)}


def test_beside_make_run_its_azurite_key_and_url_are_used(state):
    env, record = app_settings(state, storage=None)
    assert configured_storage(env) == AZURITE and env["SWITCHBOARD_SEALING_KEY"] == "the-development-key"
    assert base_url(None, env, record) == "http://localhost:7080"


def test_what_the_user_gives_wins(state):
    env, record = app_settings({**state, "SWITCHBOARD_SEALING_KEY": "mine", "SWITCHBOARD_URL": "http://h:1/"},
                               storage="UseDevelopmentStorage=true")
    assert configured_storage(env) == "UseDevelopmentStorage=true" and env["SWITCHBOARD_SEALING_KEY"] == "mine"
    assert base_url(None, env, record) == "http://h:1" and base_url("http://other:2", env, record) == "http://other:2"


def test_without_make_run_the_port_decides_the_url(tmp_path):
    (tmp_path / "sealing.key").write_text("k")
    env, record = app_settings({**UNSET, "SWITCHBOARD_LOCAL_DIR": str(tmp_path), "PORT": "8080"}, storage=None)
    assert record is None and base_url(None, env, record) == "http://localhost:8080"


def test_without_a_sealing_key_it_says_where_one_comes_from(tmp_path):
    with pytest.raises(SimulationError, match="sealing.key appears with the first `make run`"):
        app_settings({**UNSET, "SWITCHBOARD_LOCAL_DIR": str(tmp_path)}, storage=None)
    assert list(tmp_path.iterdir()) == []
