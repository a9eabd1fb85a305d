"""infra/deploy.sh against stubs of `az` and `npm` that record every call they receive
(tests/support/deploy.py): its arguments and what it checks before anything changes, the
web pages built and packaged first, and the script itself. Whole runs, sign-in and Web
PubSub's role are in test_deploy_runs.py, test_deploy_sign_in.py and
test_deploy_realtime.py. Nothing reaches Azure or the npm registry."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.deploy import BASE_ARGS, DEPLOY, MUTATING, run


# --- preflight and arguments ---------------------------------------------------


def test_missing_az_fails_early_with_a_clear_message(repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = run(repo, None, *BASE_ARGS, path=str(empty))
    assert result.returncode != 0
    assert "Azure CLI ('az') not found" in result.stderr
    assert result.calls == []


def test_not_logged_in_fails_early_with_a_clear_message(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("not-logged-in",))
    assert result.returncode != 0
    assert "not logged in" in result.stderr and "az login" in result.stderr
    assert result.commands() == ["account show"]


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "missing --resource-group"),
        (["-g", "rg"], "missing --location"),
        (["-g", "rg", "-l", "westeurope"], "missing --prefix"),
        (["-g"], "-g needs a value"),
        (["-g", "rg", "-l", "--prefix", "swb"], "-l needs a value"),
        ([*BASE_ARGS, "--bogus"], "unknown option: --bogus"),
        ([*BASE_ARGS, "extra"], "unexpected argument: extra"),
        (["-g", "rg", "-l", "westeurope", "-p", "Swb"], "invalid prefix"),
        (["-g", "rg", "-l", "westeurope", "-p", "ab"], "invalid prefix"),
        (["-g", "rg", "-l", "westeurope", "-p", "abcdefghijk"], "invalid prefix"),
        (["-g", "rg", "-l", "West Europe", "-p", "swb"], "invalid location"),
        (["-g", "bad/rg", "-l", "westeurope", "-p", "swb"], "invalid resource group"),
        ([*BASE_ARGS, "--acs-account-id", "acct1"], "--acs-account-id needs --event-grid-app-id"),
        ([*BASE_ARGS, "--acs-account-id", "a/b", "--event-grid-app-id", "x"], "invalid --acs-account-id"),
        ([*BASE_ARGS, "--deployer-object-id", "me"], "invalid --deployer-object-id"),
        ([*BASE_ARGS, "--event-grid-tenant-id", "contoso"], "invalid --event-grid-tenant-id"),
    ],
)
def test_bad_arguments_print_usage_and_exit_2(repo: Path, stub_bin: Path, args: list[str], message: str) -> None:
    result = run(repo, stub_bin, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Usage: infra/deploy.sh" in result.stderr
    assert result.calls == [], "no az call before the arguments are valid"


def test_help_prints_usage(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, "--help")
    assert result.returncode == 0
    assert "Usage: infra/deploy.sh -g RESOURCE_GROUP -l LOCATION -p PREFIX" in result.stdout
    assert result.calls == []


# --- the web pages -----------------------------------------------------------------


def test_the_pages_are_built_and_packaged_before_anything_changes(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    (ci,) = result.find("npm ci")
    assert {"--omit=dev", "--ignore-scripts"} <= set(ci), "only what ships, and no install scripts"
    order = [result.index("npm ci"), result.index("npm run build"), result.index("group create")]
    assert order == sorted(order), result.commands()
    assert result.index("npm run build") < result.index("functionapp deployment source config-zip")


def test_a_failing_build_stops_before_anything_changes(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("build-fails",))
    assert result.returncode != 0
    assert "npm run build failed" in result.stderr and "nothing was deployed" in result.stderr
    assert "references /assets/nope.css" in result.stderr
    assert not MUTATING & set(result.commands())


def test_missing_curl_fails_early_with_a_clear_message(repo: Path, stub_bin: Path, tmp_path: Path) -> None:
    no_curl = tmp_path / "no-curl"
    no_curl.mkdir()
    for name in ("az", "npm"):
        (no_curl / name).symlink_to(stub_bin / name)
    (no_curl / "python3").symlink_to(sys.executable)
    result = run(repo, None, *BASE_ARGS, path=str(no_curl))
    assert result.returncode != 0
    assert "curl not found" in result.stderr and "--skip-code" in result.stderr
    assert result.calls == []


def test_missing_npm_fails_early_with_a_clear_message(repo: Path, stub_bin: Path, tmp_path: Path) -> None:
    only_az = tmp_path / "only-az"
    only_az.mkdir()
    (only_az / "az").symlink_to(stub_bin / "az")
    (only_az / "python3").symlink_to(sys.executable)
    result = run(repo, None, *BASE_ARGS, path=str(only_az))
    assert result.returncode != 0
    assert "npm not found" in result.stderr and "--skip-code" in result.stderr
    assert result.calls == []


def test_skip_code_needs_no_npm(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, "--skip-code")
    assert result.returncode == 0, result.stderr
    assert not [c for c in result.commands() if c.startswith("npm")]


# --- static checks ---------------------------------------------------------------


def test_script_is_strict_bash() -> None:
    text = DEPLOY.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert os.access(DEPLOY, os.X_OK)


def test_shellcheck_is_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (Debian: apt-get install shellcheck); only this check is skipped")
    result = subprocess.run([shellcheck, "--severity=style", str(DEPLOY)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
