"""infra/deploy.sh and sign-in, against the recording stubs (tests/support/deploy.py):
the Entra app registration, what the summary says of it, and the check that the live app
refuses whom it should. Nothing reaches Azure or Microsoft Graph."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from tests.support.deploy import (APP_HOST, BASE_ARGS, CUSTOM_HOST, ENTRA_APP_ID, ENTRA_APP_NAME, ENTRA_SECRET,
                                  ENTRA_SP_ID, MUTATING, PEOPLE_ROLES, REALTIME_ROLE, Run, TENANT_ID,
                                  assert_temporary_files_are_gone, option, parameters, run)

pytestmark = pytest.mark.long  # started first (tests/conftest.py)


def test_first_run_creates_the_registration_and_a_second_reuses_it(repo: Path, stub_bin: Path) -> None:
    first = run(repo, stub_bin, *BASE_ARGS)
    assert first.returncode == 0, first.stderr
    (lookup,) = first.find("ad app list")
    # An exact name: `--display-name` would also match names that only start with it.
    assert option(lookup, "--filter") == f"displayName eq '{ENTRA_APP_NAME}'"
    (create,) = first.find("ad app create")
    assert option(create, "--display-name") == ENTRA_APP_NAME
    assert option(create, "--sign-in-audience") == "AzureADMyOrg", "single tenant"
    assert len(first.find("ad sp create")) == 1

    second = run(repo, stub_bin, *BASE_ARGS)
    assert second.returncode == 0, second.stderr
    assert not second.find("ad app create")
    assert not second.find("ad sp create")
    assert f"Reusing the Entra app registration {ENTRA_APP_NAME} ({ENTRA_APP_ID})" in second.stderr
    for result in (first, second):
        (infra,) = result.find("deployment group create")
        assert f"entraClientId={ENTRA_APP_ID}" in parameters(infra)
        assert_registration_configured(result)
    # The secret was created by the first run only; the second finds it in Key Vault.
    assert len(first.find("ad app credential reset")) == 1
    assert not second.find("ad app credential reset")
    assert not second.find("functionapp restart")


def assert_registration_configured(result: Run) -> None:
    """Every run brings the registration to the same state, created or reused."""
    configure = result.find("ad app update")[0]
    assert option(configure, "--id") == ENTRA_APP_ID
    assert option(configure, "--identifier-uris") == f"api://{ENTRA_APP_ID}"
    assert option(configure, "--app-roles") == "@infra/app-roles.json"
    assert option(configure, "--enable-id-token-issuance") == "true"
    assert option(configure, "--sign-in-audience") == "AzureADMyOrg"
    assert option(configure, "--set") == "api.requestedAccessTokenVersion=2"
    (sp_update,) = result.find("ad sp update")
    assert option(sp_update, "--id") == ENTRA_SP_ID
    assert option(sp_update, "--set") == "appRoleAssignmentRequired=true"


def test_an_existing_service_principal_is_reused(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("entra-app-exists", "entra-sp-exists"))
    assert result.returncode == 0, result.stderr
    assert not result.find("ad app create") and not result.find("ad sp create")
    assert f"Reusing its service principal {ENTRA_SP_ID}" in result.stderr
    assert_registration_configured(result)


def test_the_redirect_uri_is_set_once_the_app_url_is_known(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    configure, redirects = result.find("ad app update")
    assert "--web-redirect-uris" not in configure
    assert option(redirects, "--id") == ENTRA_APP_ID
    assert redirects[redirects.index("--web-redirect-uris") + 1:] == [f"https://{APP_HOST}/.auth/login/aad/callback"]
    assert result.index("deployment group create") < result.index("ad app update", 1)
    assert result.index("ad app update", 1) < result.index("functionapp deployment source config-zip")


def test_a_custom_base_url_gets_both_redirect_uris(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("custom-domain",))
    assert result.returncode == 0, result.stderr
    redirects = result.find("ad app update")[1]
    assert redirects[redirects.index("--web-redirect-uris") + 1:] == [
        f"https://{CUSTOM_HOST}/.auth/login/aad/callback",
        f"https://{APP_HOST}/.auth/login/aad/callback",
    ]


def test_the_client_secret_goes_to_key_vault_only(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    (reset,) = result.find("ad app credential reset")
    assert option(reset, "--id") == ENTRA_APP_ID
    assert "--append" in reset, "other credentials of the registration stay valid"
    assert option(reset, "--query") == "password"
    stored = (result.state / "secret.switchboard-entra-client-secret").read_text()
    assert stored == ENTRA_SECRET, "stored whole, without the newline az prints"
    secret_set = result.find("keyvault secret set")[1]
    assert option(secret_set, "--name") == "switchboard-entra-client-secret"
    assert "--value" not in secret_set
    for text in (result.stdout, result.stderr, json.dumps(result.calls)):
        assert ENTRA_SECRET not in text
    assert_temporary_files_are_gone(repo)
    # Easy Auth reads the new secret once the app restarts.
    assert result.index("keyvault secret set", 1) < result.index("functionapp restart")


def test_an_existing_client_secret_is_left_alone(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("secret-exists", "entra-secret-exists", "entra-app-exists"))
    assert result.returncode == 0, result.stderr
    assert not result.find("ad app credential reset")
    assert not result.find("keyvault secret set")
    assert "switchboard-entra-client-secret already in kv-swb-abc123: left untouched" in result.stderr


def test_a_registration_you_do_not_own_stops_the_run_at_once(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("entra-app-exists", "not-app-owner"))
    assert result.returncode != 0
    assert "only its owners" in result.stderr and f"az ad app owner add --id {ENTRA_APP_ID}" in result.stderr
    assert len(result.find("ad app update")) == 1, "a refusal is not retried"
    assert not result.find("deployment group create")


def test_without_rights_on_the_service_principal_role_assignment_stays_optional(
    repo: Path, stub_bin: Path
) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("not-sp-owner",))
    assert result.returncode == 0, result.stderr
    assert len(result.find("ad sp update")) == 1, "a refusal is not retried"
    assert "does not require role assignment" in result.stderr
    assert f"az ad sp update --id {ENTRA_SP_ID} --set appRoleAssignmentRequired=true" in result.stderr
    assert "Anyone in the tenant can sign in" in result.stdout
    assert "Only people and applications given one of its app roles can sign in" not in result.stdout


def test_several_registrations_with_the_name_stop_the_run(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("entra-app-twice",))
    assert result.returncode != 0
    assert f"several app registrations are named {ENTRA_APP_NAME}" in result.stderr
    assert not MUTATING & set(result.commands())


def test_no_right_to_register_apps_points_to_no_auth(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("no-app-registration-rights",))
    assert result.returncode != 0
    assert "could not create the app registration" in result.stderr and "--no-auth" in result.stderr
    assert not result.find("deployment group create")


def test_no_auth_deploys_without_sign_in_and_fails_closed(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, "--no-auth", flags=("easy-auth-off",))
    assert result.returncode == 0, result.stderr
    assert [c for c in result.commands() if c.startswith("ad ")] == ["ad signed-in-user show"]
    (infra,) = result.find("deployment group create")
    assert not [v for v in parameters(infra) if v.startswith("entraClientId=")]
    assert [option(c, "--name") for c in result.find("keyvault secret show")] == ["switchboard-sealing-key"]
    # The check still runs: with sign-in off the app must refuse, forged header or not.
    assert len(result.find("curl")) == 3
    assert "Sign-in is off (--no-auth): every agent and admin route answers 401" in result.stdout
    assert "appRoleAssignedTo" not in result.stdout


def test_help_says_no_auth_fails_closed(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, "--help")
    help_text = " ".join(result.stdout.split())
    assert "--no-auth" in help_text
    assert "the app refuses every agent and admin route (401, fail closed)" in help_text


def test_the_summary_says_how_to_sign_in_and_assign_roles(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"People sign in at:  https://{APP_HOST}/.auth/login/aad" in out
    assert "Only people and applications given one of its app roles can sign in" in out
    assert "az ad user show --id someone@example.com --query id --output tsv" in out
    assert (
        f"az rest --method post --url https://graph.microsoft.com/v1.0/servicePrincipals/{ENTRA_SP_ID}/appRoleAssignedTo"
        in out
    )
    assert f'"resourceId\\": \\"{ENTRA_SP_ID}\\"' in out and '"principalId\\": \\"$user\\"' in out
    for role in PEOPLE_ROLES:
        assert re.search(rf"{re.escape(role['value'])}\s+{role['id']}", out), role["value"]
    assert REALTIME_ROLE["id"] not in out, "Web PubSub's role is not one to give people"
    assert f"az account get-access-token --resource api://{ENTRA_APP_ID} --query accessToken --output tsv" in out
    assert f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token" in out
    assert f"scope=api://{ENTRA_APP_ID}/.default" in out
    # Function keys no longer open the API.
    assert "functions-key" not in out and "functionapp keys" not in out


# --- the sign-in check after the code is live --------------------------------------


def forged_claims(call: list[str]) -> dict:
    header = next(h for h in call if h.startswith("X-MS-CLIENT-PRINCIPAL: "))
    return json.loads(base64.b64decode(header.split(": ", 1)[1]))


def test_the_check_probes_health_me_and_a_forged_admin(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    health, me, forged = result.find("curl")
    assert health[-1] == f"https://{APP_HOST}/api/health"
    assert me[-1] == f"https://{APP_HOST}/api/me"
    assert "--header" not in me, "no credentials"
    # A read-only admin route, so a forged request that got through would write nothing.
    assert forged[-1] == f"https://{APP_HOST}/api/admin/agents"
    claims = forged_claims(forged)
    assert {"typ": "roles", "val": "Switchboard.Admin"} in claims["claims"]
    # The probe is only worth something if the app, reached, would take it for an admin.
    from core.identity import ADMIN
    from functions.identity import client_principal

    header = next(h for h in forged if h.startswith("X-MS-CLIENT-PRINCIPAL: ")).split(": ", 1)[1]
    principal = client_principal({"X-MS-CLIENT-PRINCIPAL": header})
    assert principal is not None and principal.has(ADMIN)
    assert "Sign-in is enforced" in result.stderr
    assert result.index("functionapp deployment source config-zip") < result.index("curl")


@pytest.mark.parametrize(
    "flag, found, forgery",
    [
        ("me-open", "GET /api/me without credentials answered 200", True),
        ("easy-auth-passes-through", "with a forged X-MS-CLIENT-PRINCIPAL header claiming Switchboard.Admin answered 200", True),
        ("easy-auth-off", "App Service Authentication is not running in front of it", False),
        ("health-blocked", "GET /api/health answered 401, not 200", False),
    ],
)
def test_the_check_stops_the_run_when_the_platform_does_not_enforce_sign_in(
    repo: Path, stub_bin: Path, flag: str, found: str, forgery: bool
) -> None:
    result = run(
        repo, stub_bin, *BASE_ARGS, "--acs-account-id", "acct-42", "--event-grid-app-id", "api://x", flags=(flag,)
    )
    assert result.returncode != 0
    assert f"error: App Service Authentication does not protect https://{APP_HOST} as it must" in result.stderr
    assert found in result.stderr
    assert ("OPEN TO FORGERY" in result.stderr) == forgery
    if forgery:
        assert "az functionapp stop --resource-group rg-switchboard --name func-swb-abc123" in result.stderr
    else:
        assert "stay closed" in result.stderr
    assert len(result.find("curl")) == 3 * 3, "retried: the settings may take a moment to apply"
    assert len(result.find("deployment group create")) == 1, "nothing more is wired to an unprotected app"
    assert "Switchboard is deployed" not in result.stdout
