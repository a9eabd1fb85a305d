"""infra/deploy.sh against stubs of `az` and `npm` that record every call they receive.

Each test copies the script into a throwaway repository with a small fake app, puts the
stubs first on PATH and reads the recorded calls back (npm's as ["npm", ...], in the same
log): which commands ran, in what order, with which arguments. Nothing reaches Azure or
the npm registry.
"""

from __future__ import annotations

import base64
import json
import re
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
CUSTOM_HOST = "chat.example.com"
BASE_ARGS = ["-g", "rg-switchboard", "-l", "westeurope", "-p", "swb"]
ENTRA_APP_NAME = "switchboard-swb-rg-switchboard"
ENTRA_APP_ID = "aaaaaaaa-0000-4000-8000-000000000001"
ENTRA_SP_ID = "bbbbbbbb-0000-4000-8000-000000000002"
# What the stub's `az ad app credential reset` hands out: it must reach Key Vault and
# nothing else.
ENTRA_SECRET = "stub~Entra.client-secret_0123456789abcdefXYZ"
APP_ROLES = json.loads((REPO / "infra" / "app-roles.json").read_text())
# The role Web PubSub's identity gets, and the roles people are given.
REALTIME_ROLE = next(r for r in APP_ROLES if r["value"] == "Switchboard.RealtimeEvents")
PEOPLE_ROLES = [r for r in APP_ROLES if "User" in r["allowedMemberTypes"]]
WEBPUBSUB_HOST = "wps-swb-abc123.webpubsub.azure.com"
WEBPUBSUB_PRINCIPAL = "dddddddd-0000-4000-8000-000000000004"
ROLE_ASSIGNMENTS_URL = f"https://graph.microsoft.com/v1.0/servicePrincipals/{ENTRA_SP_ID}/appRoleAssignedTo"

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


def load(name, default):
    path = os.path.join(state, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else default


def save(name, value):
    json.dump(value, open(os.path.join(state, name + ".json"), "w"))


def quoted(text):
    """The value in an OData filter such as "displayName eq 'x'"."""
    return text.split("'")[1]


def parameter(name):
    return next((a.split("=", 1)[1] for a in args if a.startswith(name + "=")), "")


flags = os.environ.get("AZ_STUB_FLAGS", "").split(",")
default_url = "https://{host}"
base_url = "https://{custom_host}" if "custom-domain" in flags else default_url
api = base_url + "/api"
apps = load("entra-apps", [{{"appId": "{app_id}", "displayName": "{app_name}"}}] if "entra-app-exists" in flags else [])
if "entra-app-twice" in flags:
    apps = [{{"appId": "{app_id}", "displayName": "{app_name}"}}, {{"appId": "cccccccc-0000-4000-8000-000000000003", "displayName": "{app_name}"}}]
sps = load("entra-sps", {{"{app_id}": "{sp_id}"}} if "entra-sp-exists" in flags else {{}})
secrets = {{"switchboard-sealing-key": "secret-exists", "switchboard-entra-client-secret": "entra-secret-exists"}}

if starts("account", "show"):
    if "not-logged-in" in flags:
        fail("Please run 'az login' to setup account.")
    user = {{"name": "00000000-aaaa-bbbb-cccc-000000000000", "type": "servicePrincipal"}} if "sp-login" in flags \
        else {{"name": "ops@example.com", "type": "user"}}
    print(json.dumps({{"id": "sub-id", "name": "Switchboard subscription", "tenantId": "{tenant}", "user": user}}))
elif starts("ad", "signed-in-user", "show") or starts("ad", "sp", "show"):
    print("{object_id}")
elif starts("ad", "app", "list"):
    name = quoted(option("--filter"))
    print("\n".join(a["appId"] for a in apps if a["displayName"] == name))
elif starts("ad", "app", "create"):
    if "no-app-registration-rights" in flags:
        fail("Insufficient privileges to complete the operation.")
    apps.append({{"appId": "{app_id}", "displayName": option("--display-name")}})
    save("entra-apps", apps)
    print("{app_id}")
elif starts("ad", "app", "update"):
    assert option("--id") in [a["appId"] for a in apps], "update of an unknown app"
    if "not-app-owner" in flags:
        fail("Insufficient privileges to complete the operation.")
elif starts("ad", "app", "credential", "reset"):
    print("{entra_secret}")
elif starts("ad", "sp", "list"):
    app_id = quoted(option("--filter"))
    print(sps.get(app_id, ""))
elif starts("ad", "sp", "create"):
    sps[option("--id")] = "{sp_id}"
    save("entra-sps", sps)
    print(json.dumps({{"id": "{sp_id}", "appId": option("--id")}}))
elif starts("ad", "sp", "update"):
    if "not-sp-owner" in flags:
        fail("Insufficient privileges to complete the operation.")
elif starts("group", "exists"):
    print("false" if "no-group" in flags else "true")
elif starts("group", "create"):
    pass
elif starts("deployment", "group", "what-if"):
    print("Resource changes: 12 to create.")
elif starts("deployment", "group", "create"):
    acs_id = parameter("acsAccountId")
    redirects = [base_url + "/.auth/login/aad/callback"]
    if base_url != default_url:
        redirects.append(default_url + "/.auth/login/aad/callback")
    outputs = {{
        "functionAppName": {{"type": "String", "value": "func-swb-abc123"}},
        "baseUrl": {{"type": "String", "value": base_url}},
        "keyVaultName": {{"type": "String", "value": "kv-swb-abc123"}},
        "sealingKeySecretName": {{"type": "String", "value": "switchboard-sealing-key"}},
        "signInConfigured": {{"type": "Bool", "value": bool(parameter("entraClientId"))}},
        "signInUrl": {{"type": "String", "value": base_url + "/.auth/login/aad"}},
        "entraRedirectUris": {{"type": "Array", "value": redirects}},
        "entraClientSecretName": {{"type": "String", "value": "switchboard-entra-client-secret"}},
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
    realtime = bool(parameter("entraClientId")) and "no-webpubsub" not in flags
    outputs["webPubSubHostName"] = {{"type": "String", "value": "{webpubsub_host}" if realtime else ""}}
    outputs["webPubSubPrincipalId"] = {{"type": "String", "value": "{webpubsub_principal}" if realtime else ""}}
    print(json.dumps(outputs))
elif starts("keyvault", "secret", "show"):
    name = option("--name")
    if count("secret-show") <= int(os.environ.get("AZ_STUB_FORBIDDEN_TIMES", "0")):
        fail("(Forbidden) Caller is not authorized to perform action on resource. Code: ForbiddenByRbac")
    if secrets[name] in flags or os.path.exists(os.path.join(state, "secret." + name)):
        print("https://kv-swb-abc123.vault.azure.net/secrets/" + name + "/0123")
    else:
        fail("(SecretNotFound) A secret with (name/id) " + name + " was not found in this key vault.")
elif starts("keyvault", "secret", "set"):
    name = option("--name")
    shutil.copyfile(option("--file"), os.path.join(state, "secret." + name))
    print("https://kv-swb-abc123.vault.azure.net/secrets/" + name + "/0123")
elif starts("functionapp", "deployment", "source", "config-zip"):
    shutil.copyfile(option("--src"), os.path.join(state, "package.zip"))
elif starts("functionapp", "restart"):
    pass
elif starts("rest") and option("--method") == "post" and option("--url").endswith("/appRoleAssignedTo"):
    # Microsoft Graph: an app role assignment (Web PubSub's identity).
    if "no-graph-rights" in flags:
        fail("Forbidden({{\"error\": {{\"code\": \"Authorization_RequestDenied\", \"message\": \"Insufficient privileges to complete the operation.\"}}}})")
    if count("role-assignment") <= int(os.environ.get("AZ_STUB_UNKNOWN_PRINCIPAL_TIMES", "0")):
        fail("Bad Request({{\"error\": {{\"code\": \"Request_ResourceNotFound\", \"message\": \"Resource 'x' does not exist or one of its queried reference-property objects are not present.\"}}}})")
    if "realtime-role-exists" in flags:
        fail("Bad Request({{\"error\": {{\"code\": \"Request_BadRequest\", \"message\": \"Permission being assigned already exists on the object\"}}}})")
    print(json.dumps({{"id": "assignment-1", **json.loads(option("--body"))}}))
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

CURL_STUB = r'''#!{python}
"""Stub curl: logs ["curl", *argv] beside az's calls and answers as App Service
Authentication in front of the app would, or, by flag, as a platform that lets callers
through: writes the body to --output and the status to stdout (--write-out)."""
import json, os, sys
from urllib.parse import urlsplit

state = os.environ["AZ_STUB_DIR"]
args = sys.argv[1:]
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps(["curl", *args]) + "\n")
flags = os.environ.get("AZ_STUB_FLAGS", "").split(",")
path = urlsplit(args[-1]).path
headers = [args[i + 1] for i, a in enumerate(args) if a == "--header"]
forged = any(h.lower().startswith("x-ms-client-principal:") for h in headers)


def app_error(code):
    return 401, json.dumps({{"error": {{"code": code, "message": "sign in first"}}}})


platform_401 = (401, "You do not have permission to view this directory or page.")
if path == "/api/health":
    answer = (503, '{{"status": "unavailable"}}') if "unhealthy" in flags else (200, '{{"status": "ok"}}')
    if "health-blocked" in flags:
        answer = platform_401
elif "easy-auth-off" in flags:
    answer = app_error("authentication_unavailable")
elif "easy-auth-passes-through" in flags:
    answer = (200, '{{"agents": []}}') if forged else app_error("unauthenticated")
elif "me-open" in flags and path == "/api/me":
    answer = (200, '{{"id": "someone"}}')
else:
    answer = platform_401
status, body = answer
with open(args[args.index("--output") + 1], "w") as out:
    out.write(body)
sys.stdout.write(str(status))
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


def health_probes(result: Run) -> list[list[str]]:
    """The `az rest` calls that probe the app's health (anonymous), not Microsoft Graph's."""
    return [call for call in result.find("rest") if "--skip-authorization-header" in call]


def role_grants(result: Run) -> list[list[str]]:
    """The `az rest` calls that assign an app role through Microsoft Graph."""
    return [call for call in result.find("rest") if option(call, "--url").endswith("/appRoleAssignedTo")]


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
    for name in ("deploy.sh", "package_app.py", "main.bicep", "main.parameters.json", "app-roles.json"):
        shutil.copy2(REPO / "infra" / name, root / "infra" / name)
    return root


@pytest.fixture
def stub_bin(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(STUB.format(
        python=sys.executable, host=APP_HOST, custom_host=CUSTOM_HOST, tenant=TENANT_ID, object_id=OBJECT_ID,
        app_id=ENTRA_APP_ID, app_name=ENTRA_APP_NAME, sp_id=ENTRA_SP_ID, entra_secret=ENTRA_SECRET,
        webpubsub_host=WEBPUBSUB_HOST, webpubsub_principal=WEBPUBSUB_PRINCIPAL,
    ))
    az.chmod(0o755)
    for name, stub in (("npm", NPM_STUB), ("curl", CURL_STUB)):
        path = bin_dir / name
        path.write_text(stub.format(python=sys.executable))
        path.chmod(0o755)
    return bin_dir


def run(
    repo: Path, stub_bin: Path | None, *args: str, flags: tuple[str, ...] = (), path: str | None = None, **env: str
) -> Run:
    state = repo.parent / "az-state"
    state.mkdir(exist_ok=True)
    # The stub's state (app registrations, secrets) outlives a run; its call log does not.
    (state / "calls.jsonl").unlink(missing_ok=True)
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
    "ad app create",
    "ad app update",
    "ad app credential reset",
    "ad sp create",
    "ad sp update",
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


def assert_temporary_files_are_gone(repo: Path) -> None:
    """The secrets' files lived in the script's own temporary directory (mktemp -d under
    TMPDIR, here the test's folder), which is removed when it exits."""
    assert not [p.name for p in repo.parent.iterdir() if p.name.startswith("tmp.")]


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


# --- sign-in: the Entra app registration ------------------------------------------


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


# --- Web PubSub's identity and its app role ------------------------------------------


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
