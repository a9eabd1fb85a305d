"""infra/deploy.sh against stubs of `az` and `npm` that record every call they receive.

Each test copies the script into a throwaway repository with a small fake app, puts the
stubs first on PATH and reads the recorded calls back (npm's as ["npm", ...], in the same
log): which commands ran, in what order, with which arguments. Nothing reaches Azure or
the npm registry.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.files import write_tree

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "infra" / "deploy.sh"

OBJECT_ID = "11111111-2222-3333-4444-555555555555"
TENANT_ID = "99999999-8888-7777-6666-555555555555"
APP_HOST = "func-swb-abc123.azurewebsites.net"
BASE_ARGS = ["-g", "rg-switchboard", "-l", "westeurope", "-p", "swb"]

STUB = r'''#!{python}
"""Stub az: logs argv as one JSON line, answers like the real CLI for what deploy.sh asks."""
import json, os, shutil, sys

state = os.environ["AZ_STUB_DIR"]
args = sys.argv[1:]
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\n")


def starts(*words):
    return args[: len(words)] == list(words)


def option(name):
    return args[args.index(name) + 1] if name in args else None


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def count(name):
    path = os.path.join(state, name + ".count")
    value = int(open(path).read()) + 1 if os.path.exists(path) else 1
    open(path, "w").write(str(value))
    return value


flags = os.environ.get("AZ_STUB_FLAGS", "").split(",")
base_url = "https://{host}"
api = base_url + "/api"

if starts("account", "show"):
    if "not-logged-in" in flags:
        fail("Please run 'az login' to setup account.")
    user = {{"name": "00000000-aaaa-bbbb-cccc-000000000000", "type": "servicePrincipal"}} if "sp-login" in flags \
        else {{"name": "ops@example.com", "type": "user"}}
    print(json.dumps({{"id": "sub-id", "name": "Switchboard subscription", "tenantId": "{tenant}", "user": user}}))
elif starts("ad", "signed-in-user", "show") or starts("ad", "sp", "show"):
    print("{object_id}")
elif starts("group", "exists"):
    print("false" if "no-group" in flags else "true")
elif starts("group", "create"):
    pass
elif starts("deployment", "group", "what-if"):
    print("Resource changes: 12 to create.")
elif starts("deployment", "group", "create"):
    acs_id = next((a.split("=", 1)[1] for a in args if a.startswith("acsAccountId=")), "")
    outputs = {{
        "functionAppName": {{"type": "String", "value": "func-swb-abc123"}},
        "baseUrl": {{"type": "String", "value": base_url}},
        "keyVaultName": {{"type": "String", "value": "kv-swb-abc123"}},
        "sealingKeySecretName": {{"type": "String", "value": "switchboard-sealing-key"}},
        "callbackUrls": {{"type": "Object", "value": {{
            "health": api + "/health",
            "twilioInbound": api + "/twilio/{{account_id}}/inbound",
            "twilioStatus": api + "/twilio/{{account_id}}/status",
            "acsEvents": api + "/acs/{{account_id}}/events",
            "telesignInbound": api + "/telesign/{{account_id}}/inbound",
            "adminAccounts": api + "/admin/accounts",
            "adminWorkstreams": api + "/admin/workstreams",
            "conversations": api + "/conversations",
        }}}},
        "acsEventsEndpointUrl": {{"type": "String", "value": api + "/acs/" + acs_id + "/events" if acs_id else ""}},
    }}
    print(json.dumps(outputs))
elif starts("keyvault", "secret", "show"):
    if count("secret-show") <= int(os.environ.get("AZ_STUB_FORBIDDEN_TIMES", "0")):
        fail("(Forbidden) Caller is not authorized to perform action on resource. Code: ForbiddenByRbac")
    if "secret-exists" in flags or os.path.exists(os.path.join(state, "secret-value")):
        print("https://kv-swb-abc123.vault.azure.net/secrets/switchboard-sealing-key/0123")
    else:
        fail("(SecretNotFound) A secret with (name/id) switchboard-sealing-key was not found in this key vault.")
elif starts("keyvault", "secret", "set"):
    shutil.copyfile(option("--file"), os.path.join(state, "secret-value"))
    print("https://kv-swb-abc123.vault.azure.net/secrets/switchboard-sealing-key/0123")
elif starts("functionapp", "deployment", "source", "config-zip"):
    shutil.copyfile(option("--src"), os.path.join(state, "package.zip"))
elif starts("functionapp", "restart"):
    pass
elif starts("rest"):
    if "unhealthy" in flags:
        fail("Not Found({{\"status\": \"unavailable\"}})")
    print(json.dumps({{"status": "ok"}}))
else:
    fail("stub az: unexpected call " + " ".join(args), 2)
'''

NPM_STUB = r'''#!{python}
"""Stub npm: logs ["npm", *argv] beside az's calls; `run build` writes a small web/dist."""
import json, os, sys

state = os.environ["AZ_STUB_DIR"]
args = sys.argv[1:]
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps(["npm", *args]) + "\n")
flags = os.environ.get("AZ_STUB_FLAGS", "").split(",")
if args[:2] == ["run", "build"]:
    if "build-fails" in flags:
        sys.exit("build: web/pages/index.html references /assets/nope.css, which no asset provides")
    for name, text in {{"index.html": "<!doctype html>", "assets/site.0123456789ab.css": "body{{}}"}}.items():
        path = os.path.join("web", "dist", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").write(text)
elif args[:1] != ["ci"]:
    sys.exit("stub npm: unexpected call " + " ".join(args))
'''

FAKE_APP = {
    "function_app.py": "import azure.functions as func\napp = func.FunctionApp()\n",
    "host.json": '{"version": "2.0"}\n',
    "requirements.txt": "azure-functions\n",
    "requirements-dev.txt": "pytest\n",
    "config.py": "SETTING = 1\n",
    "functions/__init__.py": "",
    "functions/health.py": "def health():\n    return 'ok'\n",
    "functions/__pycache__/health.cpython-311.pyc": "bytecode",
    "channels/__init__.py": "",
    "channels/twilio.py": "NAME = 'twilio'\n",
    "conversations/engine.py": "ENGINE = 1\n",
    "storage/client.py": "CLIENT = 1\n",
    "storage/schema.json": "{}\n",
    "tests/test_app.py": "def test_x():\n    pass\n",
    "tests/fixtures/sample.txt": "fixture\n",
    "localhost/run.py": "print('local host')\n",
    "bench/__init__.py": "",
    "docs/deployment.md": "# docs\n",
    "node_modules/pkg/index.py": "x = 1\n",
    ".venv/lib/site.py": "x = 1\n",
    ".venv-infra/lib/site.py": "x = 1\n",
    ".git/config": "[core]\n",
    "local.settings.json": '{"Values": {"SECRET": "x"}}\n',
    "scratch/notes.py": "private = 1\n",
    ".funcignore": "# local only\nscratch\n",
    "Makefile": "test:\n",
    "package.json": '{"scripts": {"build": "node web/build.mjs"}}\n',
    "web/build.mjs": "// builds web/dist\n",
    "web/pages/index.html": "<!doctype html>\n",
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    calls: list[list[str]]
    state: Path

    def commands(self) -> list[str]:
        """Each call's command words (up to the first option)."""
        words = []
        for call in self.calls:
            command = []
            for arg in call:
                if arg.startswith("-"):
                    break
                command.append(arg)
            words.append(" ".join(command))
        return words

    def find(self, command: str) -> list[list[str]]:
        return [call for call, words in zip(self.calls, self.commands()) if words == command]

    def index(self, command: str, nth: int = 0) -> int:
        positions = [i for i, words in enumerate(self.commands()) if words == command]
        assert len(positions) > nth, f"{command!r} not called (calls: {self.commands()})"
        return positions[nth]


def option(call: list[str], name: str) -> str:
    assert name in call, f"{name} missing in {call}"
    return call[call.index(name) + 1]


def parameters(call: list[str]) -> list[str]:
    """Every value given after a --parameters flag."""
    values, collecting = [], False
    for arg in call:
        if arg == "--parameters":
            collecting = True
        elif arg.startswith("--"):
            collecting = False
        elif collecting:
            values.append(arg)
    return values


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", FAKE_APP)
    (root / "infra").mkdir()
    for name in ("deploy.sh", "package_app.py", "main.bicep", "main.parameters.json"):
        shutil.copy2(REPO / "infra" / name, root / "infra" / name)
    return root


@pytest.fixture
def stub_bin(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(STUB.format(python=sys.executable, host=APP_HOST, tenant=TENANT_ID, object_id=OBJECT_ID))
    az.chmod(0o755)
    npm = bin_dir / "npm"
    npm.write_text(NPM_STUB.format(python=sys.executable))
    npm.chmod(0o755)
    return bin_dir


def run(
    repo: Path, stub_bin: Path | None, *args: str, flags: tuple[str, ...] = (), path: str | None = None, **env: str
) -> Run:
    state = repo.parent / "az-state"
    state.mkdir(exist_ok=True)
    environment = {
        "HOME": str(repo.parent),
        "PATH": path if path is not None else f"{stub_bin}{os.pathsep}{os.environ['PATH']}",
        "AZ_STUB_DIR": str(state),
        "AZ_STUB_FLAGS": ",".join(flags),
        "SWITCHBOARD_DEPLOY_RETRIES": "3",
        "SWITCHBOARD_DEPLOY_RETRY_SLEEP": "0",
        "TMPDIR": str(repo.parent),
        **env,
    }
    result = subprocess.run(
        ["/bin/bash", str(repo / "infra" / "deploy.sh"), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=repo.parent,
        timeout=120,
    )
    log = state / "calls.jsonl"
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return Run(result.returncode, result.stdout, result.stderr, calls, state)


MUTATING = {
    "group create",
    "deployment group create",
    "keyvault secret set",
    "functionapp deployment source config-zip",
    "functionapp restart",
}


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


# --- full runs -------------------------------------------------------------------


def test_first_deploy_with_acs_runs_infra_key_code_then_subscription(repo: Path, stub_bin: Path) -> None:
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
        result.index("group create"),
        result.index("deployment group create"),
        result.index("keyvault secret show"),
        result.index("keyvault secret set"),
        result.index("functionapp restart"),
        result.index("functionapp deployment source config-zip"),
        result.index("rest"),
        result.index("deployment group create", 1),
    ]
    assert order == sorted(order), result.commands()
    assert len(result.find("deployment group create")) == 2

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

    health = result.find("rest")[0]
    assert option(health, "--url") == f"https://{APP_HOST}/api/health"
    assert "--skip-authorization-header" in health

    assert f"https://{APP_HOST}/api/twilio/{{account_id}}/inbound" in result.stdout
    assert f"https://{APP_HOST}/api/twilio/{{account_id}}/status" in result.stdout
    assert f"https://{APP_HOST}/api/acs/{{account_id}}/events" in result.stdout
    assert f"https://{APP_HOST}/api/telesign/{{account_id}}/inbound" in result.stdout
    assert f"https://{APP_HOST}/api/acs/acct-42/events" in result.stdout
    assert (
        "az functionapp keys list --resource-group rg-switchboard --name func-swb-abc123 "
        "--query functionKeys.default --output tsv" in result.stdout
    )


def test_sealing_key_is_a_fernet_key_that_is_never_printed(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS)
    assert result.returncode == 0, result.stderr
    key = (result.state / "secret-value").read_text()
    assert len(base64.urlsafe_b64decode(key.encode())) == 32
    assert key == key.strip(), "no trailing newline may end up in the secret"
    for text in (result.stdout, result.stderr, json.dumps(result.calls)):
        assert key not in text
    # The key file lived in the script's own temporary directory and is gone.
    assert not [p for p in repo.parent.rglob("sealing-key*")]


def test_redeploy_keeps_the_existing_sealing_key(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, flags=("secret-exists",))
    assert result.returncode == 0, result.stderr
    assert result.find("keyvault secret show")
    assert not result.find("keyvault secret set")
    assert not result.find("functionapp restart")
    assert "left untouched" in result.stderr
    assert result.find("functionapp deployment source config-zip")


def test_key_vault_access_is_retried_while_the_role_propagates(repo: Path, stub_bin: Path) -> None:
    result = run(repo, stub_bin, *BASE_ARGS, AZ_STUB_FORBIDDEN_TIMES="2")
    assert result.returncode == 0, result.stderr
    assert len(result.find("keyvault secret show")) == 3
    assert len(result.find("keyvault secret set")) == 1


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
    assert len(result.find("rest")) == 3
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
    assert not result.find("functionapp deployment source config-zip")
    assert not result.find("rest")


def test_what_if_previews_and_changes_nothing(repo: Path, stub_bin: Path) -> None:
    result = run(
        repo, stub_bin, *BASE_ARGS, "--what-if", "--acs-account-id", "acct-42", "--event-grid-app-id", "api://x"
    )
    assert result.returncode == 0, result.stderr
    assert result.commands() == [
        "account show",
        "ad signed-in-user show",
        "group exists",
        "deployment group what-if",
    ]
    assert not MUTATING & set(result.commands())
    (what_if,) = result.find("deployment group what-if")
    assert option(what_if, "--template-file") == "infra/main.bicep"
    assert option(what_if, "--resource-group") == "rg-switchboard"
    assert {"namePrefix=swb", "location=westeurope", "acsAccountId=acct-42"} <= set(parameters(what_if))
    assert "Resource changes" in result.stdout


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
    assert names == {
        "function_app.py",
        "host.json",
        "requirements.txt",
        "config.py",
        "functions/__init__.py",
        "functions/health.py",
        "channels/__init__.py",
        "channels/twilio.py",
        "conversations/engine.py",
        "storage/client.py",
        "storage/schema.json",
        "web/dist/index.html",
        "web/dist/assets/site.0123456789ab.css",
    }
    assert not [n for n in names if n.startswith(("tests/", ".venv", "localhost/", "node_modules/", "infra/"))]


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
