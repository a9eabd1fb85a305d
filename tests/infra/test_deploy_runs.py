"""infra/deploy.sh's whole runs against the recording stubs (tests/support/deploy.py):
which commands ran, in what order, with which arguments; the secrets, what-if, the
deployed zip. Nothing reaches Azure or the npm registry."""

from __future__ import annotations

import base64
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from tests.support.deploy import (APP_HOST, BASE_ARGS, ENTRA_APP_ID, ENTRA_APP_NAME, MUTATING, OBJECT_ID,
                                  assert_temporary_files_are_gone, health_probes, option, parameters, run)

pytestmark = pytest.mark.long  # started first (tests/conftest.py)


def test_first_deploy_with_acs_runs_sign_in_infra_secrets_code_check_then_subscription(
    repo: Path, stub_bin: Path
) -> None:
    result = run(
        repo,
        stub_bin,
        *BASE_ARGS,
        "--acs-account-id",
        "acct-42",
        "--event-grid-app-id",
        "api://switchboard-events",
        "--acs-data-location",
        "Europe",
    )
    assert result.returncode == 0, result.stderr

    order = [
        result.index("ad app create"),
        result.index("ad sp create"),
        result.index("group create"),
        result.index("deployment group create"),
        result.index("ad app update", 1),  # the redirect URIs, once the app's URL is known
        result.index("keyvault secret show"),
        result.index("keyvault secret set"),
        result.index("ad app credential reset"),
        result.index("keyvault secret set", 1),
        result.index("functionapp restart"),
        result.index("functionapp deployment source config-zip"),
        result.calls.index(health_probes(result)[0]),
        result.index("curl"),
        result.index("deployment group create", 1),
    ]
    assert order == sorted(order), result.commands()
    assert len(result.find("deployment group create")) == 2
    assert len(result.find("functionapp restart")) == 1, "one restart picks up both new secrets"

    group = result.find("group create")[0]
    assert option(group, "--name") == "rg-switchboard" and option(group, "--location") == "westeurope"

    infra, subscription = result.find("deployment group create")
    for call in (infra, subscription):
        assert option(call, "--resource-group") == "rg-switchboard"
        assert option(call, "--template-file") == "infra/main.bicep"
        assert option(call, "--query") == "properties.outputs"
        values = parameters(call)
        assert values[0] == "infra/main.parameters.json"
        assert {
            "namePrefix=swb",
            "location=westeurope",
            f"deployerPrincipalId={OBJECT_ID}",
            "deployerPrincipalType=User",
            "deployCommunicationServices=true",
            "communicationServicesDataLocation=Europe",
            "eventGridAadApplicationIdOrUri=api://switchboard-events",
            f"entraClientId={ENTRA_APP_ID}",
        } <= set(values)
    # The first deployment must not create the subscription: the code is not live yet.
    assert not [v for v in parameters(infra) if v.startswith("acsAccountId=")]
    assert "acsAccountId=acct-42" in parameters(subscription)
    assert option(infra, "--name") != option(subscription, "--name")

    secret_set = result.find("keyvault secret set")[0]
    assert option(secret_set, "--vault-name") == "kv-swb-abc123"
    assert option(secret_set, "--name") == "switchboard-sealing-key"
    assert "--value" not in secret_set

    zip_deploy = result.find("functionapp deployment source config-zip")[0]
    assert option(zip_deploy, "--resource-group") == "rg-switchboard"
    assert option(zip_deploy, "--name") == "func-swb-abc123"
    assert option(zip_deploy, "--build-remote") == "true"

    health = health_probes(result)[0]
    assert option(health, "--url") == f"https://{APP_HOST}/api/health"
    assert "--skip-authorization-header" in health

    assert f"https://{APP_HOST}/api/twilio/{{account_id}}/inbound" in result.stdout
    assert f"https://{APP_HOST}/api/twilio/{{account_id}}/status" in result.stdout
    assert f"https://{APP_HOST}/api/acs/{{account_id}}/events" in result.stdout
    assert f"https://{APP_HOST}/api/telesign/{{account_id}}/inbound" in result.stdout
    assert f"https://{APP_HOST}/api/acs/acct-42/events" in result.stdout
    assert f"https://{APP_HOST}/.auth/login/aad" in result.stdout


def test_sealing_key_is_a_fernet_key_that_is_never_printed(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    key = (result.state / "secret.switchboard-sealing-key").read_text()
    assert len(base64.urlsafe_b64decode(key.encode())) == 32
    assert key == key.strip(), "no trailing newline may end up in the secret"
    for text in (result.stdout, result.stderr, json.dumps(result.calls)):
        assert key not in text
    assert_temporary_files_are_gone(repo)


def test_redeploy_keeps_the_existing_secrets(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("secret-exists", "entra-secret-exists"))
    assert result.returncode == 0, result.stderr
    shown = [option(call, "--name") for call in result.find("keyvault secret show")]
    assert shown == ["switchboard-sealing-key", "switchboard-entra-client-secret"]
    assert not result.find("keyvault secret set")
    assert not result.find("ad app credential reset")
    assert not result.find("functionapp restart")
    assert result.stderr.count("left untouched") == 2
    assert result.find("functionapp deployment source config-zip")


def test_key_vault_access_is_retried_while_the_role_propagates(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, AZ_STUB_FORBIDDEN_TIMES="2")
    assert result.returncode == 0, result.stderr
    assert len(result.find("keyvault secret show")) == 3 + 1  # the sealing key's, then the Entra secret's
    assert len(result.find("keyvault secret set")) == 2


def test_key_vault_access_gives_up_with_a_clear_message(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, AZ_STUB_FORBIDDEN_TIMES="99")
    assert result.returncode != 0
    assert "Key Vault Secrets Officer" in result.stderr
    assert not result.find("keyvault secret set")
    assert not result.find("functionapp deployment source config-zip")


def test_without_acs_there_is_one_deployment_and_no_subscription(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    (infra,) = result.find("deployment group create")
    assert "deployCommunicationServices=false" in parameters(infra)
    assert "ACS event subscription created" not in result.stdout


def test_acs_without_account_id_creates_resources_but_no_subscription(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, "--acs")
    assert result.returncode == 0, result.stderr
    (infra,) = result.find("deployment group create")
    assert "deployCommunicationServices=true" in parameters(infra)


def test_unhealthy_app_blocks_the_subscription(repo: Path, stub_bin: Path) -> None:
    result = run(
        repo,
        stub_bin,
        *BASE_ARGS,
        "--acs-account-id",
        "acct-42",
        "--event-grid-app-id",
        "5b2f1c9e-0000-4000-8000-000000000001",
        flags=("unhealthy",),
    )
    assert result.returncode != 0
    assert "validation handshake" in result.stderr
    assert len(health_probes(result)) == 3
    assert len(result.find("deployment group create")) == 1


def test_service_principal_login_grants_the_service_principal(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("sp-login",))
    assert result.returncode == 0, result.stderr
    lookup = result.find("ad sp show")[0]
    assert option(lookup, "--id") == "00000000-aaaa-bbbb-cccc-000000000000"
    (infra,) = result.find("deployment group create")
    assert "deployerPrincipalType=ServicePrincipal" in parameters(infra)


def test_explicit_deployer_object_id_skips_the_directory_lookup(repo: Path, stub_bin: Path) -> None:
    other = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    result = run(repo, stub_bin, *BASE_ARGS, "--deployer-object-id", other)
    assert result.returncode == 0, result.stderr
    assert not result.find("ad signed-in-user show")
    assert f"deployerPrincipalId={other}" in parameters(result.find("deployment group create")[0])


def test_skip_code_deploys_infrastructure_only(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, "--skip-code")
    assert result.returncode == 0, result.stderr
    assert result.find("deployment group create")
    assert result.find("ad app create") and result.find("ad app credential reset")
    assert not result.find("functionapp deployment source config-zip")
    assert not health_probes(result)
    assert not result.find("curl"), "nothing to check before the code is live"


def test_what_if_previews_and_changes_nothing(repo: Path, stub_bin: Path) -> None:
    result = run(
        repo, stub_bin, *BASE_ARGS, "--what-if", "--acs-account-id", "acct-42", "--event-grid-app-id", "api://x"
    )
    assert result.returncode == 0, result.stderr
    assert result.commands() == [
        "account show",
        "ad signed-in-user show",
        "group exists",
        "ad app list",
        "deployment group what-if",
    ]
    assert not MUTATING & set(result.commands())
    (what_if,) = result.find("deployment group what-if")
    assert option(what_if, "--template-file") == "infra/main.bicep"
    assert option(what_if, "--resource-group") == "rg-switchboard"
    assert {"namePrefix=swb", "location=westeurope", "acsAccountId=acct-42"} <= set(parameters(what_if))
    # No registration yet: it is not created, and the preview goes without sign-in.
    assert not [v for v in parameters(what_if) if v.startswith("entraClientId=")]
    assert f"No app registration {ENTRA_APP_NAME} yet" in result.stderr
    assert "Resource changes" in result.stdout
    assert not (result.state / "entra-apps.json").exists()


def test_what_if_previews_sign_in_with_the_existing_registration(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, "--what-if", flags=("entra-app-exists",))
    assert result.returncode == 0, result.stderr
    assert not MUTATING & set(result.commands())
    (what_if,) = result.find("deployment group what-if")
    assert f"entraClientId={ENTRA_APP_ID}" in parameters(what_if)


def test_what_if_without_sign_in_reads_no_registration(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, "--what-if", "--no-auth")
    assert result.returncode == 0, result.stderr
    assert result.commands() == ["account show", "ad signed-in-user show", "group exists", "deployment group what-if"]


def test_what_if_needs_an_existing_resource_group(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, "--what-if", flags=("no-group",))
    assert result.returncode != 0
    assert "does not exist" in result.stderr
    assert not MUTATING & set(result.commands())
    assert not result.find("deployment group what-if")


def test_the_deployed_zip_holds_the_app_and_nothing_else(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(result.state / "package.zip") as archive:
        names = set(archive.namelist())
    modules = {"function_app.py", "config.py", "functions/__init__.py", "functions/health.py", "channels/__init__.py",
               "channels/twilio.py", "conversations/engine.py", "storage/client.py"}
    assert names == modules | {importlib.util.cache_from_source(m) for m in modules} | {
        "host.json",
        "requirements.txt",
        "storage/schema.json",
        "web/dist/index.html",
        "web/dist/assets/site.0123456789ab.css",
    }
    assert not [n for n in names if n.startswith(("tests/", ".venv", "localhost/", "node_modules/", "infra/"))]
