"""infra/deploy.sh and Web PubSub's identity, against the recording stubs
(tests/support/deploy.py): the app role it is given after the deployment, and the long
poll when there is no Web PubSub. Nothing reaches Azure or Microsoft Graph."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.deploy import (BASE_ARGS, ENTRA_SP_ID, REALTIME_ROLE, ROLE_ASSIGNMENTS_URL, WEBPUBSUB_HOST,
                                  WEBPUBSUB_PRINCIPAL, option, role_grants, run)


def test_web_pubsub_identity_gets_the_realtime_app_role_after_the_deployment(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    (grant,) = role_grants(result)
    assert option(grant, "--method") == "post"
    assert option(grant, "--url") == ROLE_ASSIGNMENTS_URL
    assert json.loads(option(grant, "--body")) == {
        "principalId": WEBPUBSUB_PRINCIPAL, "resourceId": ENTRA_SP_ID, "appRoleId": REALTIME_ROLE["id"],
    }
    # Once the deployment has created the identity, before the code can need it.
    position = result.calls.index(grant)
    assert result.index("deployment group create") < position < result.index("functionapp deployment source config-zip")
    assert "now holds Switchboard.RealtimeEvents" in result.stderr
    assert "warning" not in result.stderr
    assert f"Live push:     Azure Web PubSub {WEBPUBSUB_HOST}" in result.stdout


def test_a_realtime_role_already_held_is_left_as_it_is(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("realtime-role-exists",))
    assert result.returncode == 0, result.stderr
    assert len(role_grants(result)) == 1
    assert "holds Switchboard.RealtimeEvents" in result.stderr and "warning" not in result.stderr


def test_the_realtime_role_waits_for_the_new_identity_to_reach_the_directory(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, AZ_STUB_UNKNOWN_PRINCIPAL_TIMES="2")
    assert result.returncode == 0, result.stderr
    assert len(role_grants(result)) == 3
    assert "now holds Switchboard.RealtimeEvents" in result.stderr and "warning" not in result.stderr


def test_without_rights_to_assign_it_the_realtime_role_is_a_warning_with_the_command(
    repo: Path, stub_bin: Path
) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("no-graph-rights",))
    assert result.returncode == 0, result.stderr
    assert len(role_grants(result)) == 1, "a refusal is not retried"
    assert "warning: could not give Web PubSub's identity" in result.stderr
    assert f"az rest --method post --url {ROLE_ASSIGNMENTS_URL}" in result.stderr
    assert REALTIME_ROLE["id"] in result.stderr and WEBPUBSUB_PRINCIPAL in result.stderr
    # The rest of the deploy goes on.
    assert result.find("functionapp deployment source config-zip") and result.find("curl")


def test_without_web_pubsub_nothing_is_assigned_and_the_workspace_long_polls(repo: Path, stub_bin: Path) -> None:
    for flags, args in ((("no-webpubsub",), ()), (("easy-auth-off",), ("--no-auth",))):
        result = run(repo, stub_bin, *BASE_ARGS, *args, flags=flags)
        assert result.returncode == 0, result.stderr
        assert not role_grants(result)
        assert "Live push:     none (no Azure Web PubSub): the workspace long-polls GET /api/me/changes" in result.stdout
