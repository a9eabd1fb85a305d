"""The development state `make run`, the host and the simulator share in `.local/`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from localhost.state import (
    RunRecord, configured_storage, create_once, development_sealing_key, local_dir, use_recorded_storage,
)

AZURITE = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;TableEndpoint=http://127.0.0.1:51234/x;"


def test_a_file_is_created_once_for_its_owner_only(tmp_path):
    path = tmp_path / "state" / "key"
    assert create_once(path, lambda: b"first") == b"first"
    assert create_once(path, lambda: b"second") == b"first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["key"]  # no draft left behind


def test_the_sealing_key_lives_in_the_local_dir_the_environment_names(tmp_path):
    env = {"SWITCHBOARD_LOCAL_DIR": str(tmp_path)}
    assert local_dir(env) == tmp_path.resolve()
    key, path = development_sealing_key(env)
    assert path == tmp_path / "sealing.key" and development_sealing_key(env)[0] == key
    assert local_dir({}).name == ".local"


def test_a_run_record_is_read_only_while_its_process_lives(tmp_path):
    RunRecord(os.getpid(), "http://localhost:7072", AZURITE).write(tmp_path)
    assert RunRecord.read(tmp_path) == RunRecord(os.getpid(), "http://localhost:7072", AZURITE)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    RunRecord(int(finished.stdout), "http://localhost:7073").write(tmp_path)
    assert RunRecord.read(tmp_path) is None


def test_clearing_leaves_another_runs_record(tmp_path):
    mine, theirs = RunRecord(os.getpid(), "http://localhost:7071"), RunRecord(os.getpid(), "http://localhost:8080")
    theirs.write(tmp_path)
    mine.clear(tmp_path)
    assert RunRecord.read(tmp_path) == theirs
    theirs.clear(tmp_path)
    assert not (tmp_path / "run.json").exists()


def test_a_second_run_stopping_gives_the_record_back_to_the_first_while_it_runs(tmp_path):
    first, second = RunRecord(os.getpid(), "http://localhost:7071"), RunRecord(os.getpid(), "http://localhost:7081")
    first.write(tmp_path)
    second.write(tmp_path)  # `PORT=7081 make run` beside the first
    second.clear(tmp_path, before=first)
    assert RunRecord.read(tmp_path) == first
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    gone = RunRecord(int(finished.stdout), "http://localhost:7071")  # a first that stopped meanwhile
    second.write(tmp_path)
    second.clear(tmp_path, before=gone)
    assert not (tmp_path / "run.json").exists()


@pytest.mark.parametrize(("configured", "used"), [
    ({}, AZURITE),
    ({"AzureWebJobsStorage": "UseDevelopmentStorage=true"}, AZURITE),
    ({"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=real"}, "DefaultEndpointsProtocol=https;"
                                                                                 "AccountName=real"),
])
def test_the_recorded_azurite_is_used_where_make_run_used_it(configured, used):
    env = dict(configured)
    use_recorded_storage(env, RunRecord(os.getpid(), "http://localhost:7071", AZURITE))
    assert configured_storage(env) == used


def test_without_a_record_the_configured_storage_stays(tmp_path):
    env = {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}
    assert not use_recorded_storage(env, None)
    assert not use_recorded_storage(env, RunRecord(os.getpid(), "http://localhost:7071"))
    assert env == {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}
