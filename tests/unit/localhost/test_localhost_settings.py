"""local.settings.json and host.json handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localhost.settings import SettingsError, load_local_settings, route_prefix


def _write(path: Path, payload: object) -> None:
    path.write_text(json.dumps(payload))


def test_values_fill_unset_names_only(tmp_path: Path) -> None:
    values = {"A": "file", "B": "file", "N": 480, "F": True}
    _write(tmp_path / "local.settings.json", {"IsEncrypted": False, "Values": values})
    env = {"A": "shell"}
    copied = load_local_settings(tmp_path, env)
    assert env == {"A": "shell", "B": "file", "N": "480", "F": "true"}
    assert sorted(copied) == ["B", "F", "N"]


def test_missing_local_settings_is_fine(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    assert load_local_settings(tmp_path, env) == []
    assert env == {}


def test_broken_local_settings_is_reported(tmp_path: Path) -> None:
    (tmp_path / "local.settings.json").write_text("{not json")
    with pytest.raises(SettingsError, match=r"local\.settings\.json"):
        load_local_settings(tmp_path, {})


@pytest.mark.parametrize(
    ("host_json", "expected"),
    [
        (None, "api"),
        ({"version": "2.0"}, "api"),
        ({"extensions": {"http": {"routePrefix": "v1"}}}, "v1"),
        ({"extensions": {"http": {"routePrefix": "/nested/v1/"}}}, "nested/v1"),
        ({"extensions": {"http": {"routePrefix": ""}}}, ""),
    ],
)
def test_route_prefix(tmp_path: Path, host_json: object, expected: str) -> None:
    if host_json is not None:
        _write(tmp_path / "host.json", host_json)
    assert route_prefix(tmp_path) == expected


def test_repo_host_json_has_no_prefix_so_the_app_serves_its_root() -> None:
    # Every route starts with api/ itself; only the web app's pages live outside it.
    assert route_prefix(Path(__file__).resolve().parents[3]) == ""
