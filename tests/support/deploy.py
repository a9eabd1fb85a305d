"""infra/deploy.sh's test harness: stubs of `az`, `npm` and `curl` that record every call
they receive and answer like the real tools for what the script asks, a small fake app to
deploy, and ``run``, which runs the script with the stubs first on PATH and reads the
calls back (npm's as ["npm", ...], in the same log). The fixtures that make a throwaway
repository and the stubs' folder are in tests/infra/conftest.py."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

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


def assert_temporary_files_are_gone(repo: Path) -> None:
    """The secrets' files lived in the script's own temporary directory (mktemp -d under
    TMPDIR, here the test's folder), which is removed when it exits."""
    assert not [p.name for p in repo.parent.iterdir() if p.name.startswith("tmp.")]
