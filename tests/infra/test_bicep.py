"""The Bicep templates parse, keep their security invariants, and checkov finds nothing.

pycep and checkov come from .venv-infra (created by `make install` from
infra/requirements.txt), kept apart from the app's venv because checkov's dependency tree
is large and tightly pinned. Both run offline.
"""

from __future__ import annotations

import collections
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from core import telemetry as names
from core.webhooks import ROUTES as WEBHOOK_ROUTES

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
INFRA_BIN = REPO / ".venv-infra" / "bin"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))

PARSE = """
import json, sys
from pathlib import Path
from pycep import BicepParser
parser = BicepParser()
print(json.dumps({p: parser.parse(file_path=Path(p)) for p in sys.argv[1:]}, default=str))
"""

# Built-in roles the templates may grant, and nothing broader.
EXPECTED_ROLES = {
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner (host storage, deployment package)",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor (Functions runtime)",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor (Switchboard tables)",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher (App Insights, Entra auth)",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User (app, Key Vault reference)",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer (deployer, sealing key, Entra client secret)",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor (Event Grid dead-letter container)",
    "12cf5a90-567b-43ae-8102-96cf46c7d9b4": "Web PubSub Service Owner (app, live push, on the Web PubSub resource)",
}
WEB_PUBSUB_SERVICE_OWNER = "12cf5a90-567b-43ae-8102-96cf46c7d9b4"

ACS_EVENT_TYPES = [
    "Microsoft.Communication.AdvancedMessageReceived",
    "Microsoft.Communication.AdvancedMessageDeliveryStatusUpdated",
    "Microsoft.Communication.SMSReceived",
    "Microsoft.Communication.SMSDeliveryReportReceived",
]

APP_SETTINGS = {
    "AzureWebJobsStorage__accountName",
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    "AZURE_CLIENT_ID",
    "SWITCHBOARD_TABLES_ENDPOINT",
    "SWITCHBOARD_SEALING_KEY",
    "PUBLIC_BASE_URL",
    "AUTO_CLOSE_SCHEDULE",
    "DISTRIBUTION_SCHEDULE",
    "OUTBOX_QUEUE",
    "AGENT_OFFLINE_AFTER_SECONDS",
    "AUTO_CLOSE_MIN_MINUTES",
    "DIRECTLINE_BASE_URL",
    "RETENTION_SCHEDULE",
    "TEMPLATE_SYNC_SCHEDULE",
    "RETENTION_MAX_DAYS",
    "AUDIT_RETENTION_DAYS",
    "PHONE_REGION",
}

AUTH_SECRET_SETTING = "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"
# Live push (functions/settings.py's RealtimeSettings reads them), only where Web PubSub is
# deployed: no access key, no connection string.
REALTIME_SETTINGS = {
    "WEBPUBSUB_ENDPOINT": "webPubSubEndpoint",
    "WEBPUBSUB_HUB": "webPubSubHub",
    "WEBPUBSUB_PRINCIPAL_ID": "webPubSubPrincipalId",
}
# Where Web PubSub calls the app (the app's event handler route), and what it may call it about.
REALTIME_EVENTS_PATH = "/api/realtime/events"
REALTIME_SYSTEM_EVENTS = ["connected", "disconnected"]
# The Entra app role deploy.sh gives the Web PubSub identity so that it may get a token for
# the app registration (which requires assignment); the app reads no permission from it.
REALTIME_APP_ROLE = "Switchboard.RealtimeEvents"

# What App Service Authentication lets through without sign-in (main.bicep's publicPaths).
PUBLIC_PATHS = [
    "/api/twilio/*",
    "/api/telesign/*",
    "/api/acs/*",
    "/api/health",
    "/api/bots/media/*",
    "/",
    "/index.html",
    "/assets/*",
    "/licenses/*",
    "/api-reference",
    "/api-reference.html",
    "/api/openapi.json",
]
# The API routes those paths open: webhooks, health and the OpenAPI document, and no other.
OPEN_API_ROUTES = {
    "api/acs/{account_id}/events",
    "api/bots/media/{id}/{seq:int}/{index:int}",
    "api/health",
    "api/openapi.json",
    "api/telesign/{account_id}/inbound",
    "api/twilio/{account_id}/inbound",
    "api/twilio/{account_id}/status",
}
ROUTE = re.compile(r'\broute="([^"]+)"')

# Settings and siteConfig properties a Flex Consumption app must not carry (deprecated,
# or rejected by ARM with error 51021).
FLEX_FORBIDDEN_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "ENABLE_ORYX_BUILD",
    "AzureWebJobsStorage",
}
FLEX_FORBIDDEN_SITE_CONFIG = {
    "linuxFxVersion",
    "ftpsState",
    "alwaysOn",
    "use32BitWorkerProcess",
    "netFrameworkVersion",
    "functionsRuntimeScaleMonitoringEnabled",
}

SKIP_COMMENT = re.compile(r"//\s*checkov:skip=(?P<id>CKV2?_[A-Z]+_\d+)(?P<rest>.*)$")


def infra_tool(name: str) -> Path:
    path = INFRA_BIN / name
    assert path.exists(), f"{path} is missing: `make install` creates .venv-infra from infra/requirements.txt"
    return path


def offline_env() -> dict[str, str]:
    # No update check, no Prisma Cloud mapping download: checkov stays offline.
    return {**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE"}


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    result = subprocess.run(
        [str(infra_tool("python")), "-c", PARSE, *map(str, BICEP_FILES)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return {Path(path).relative_to(INFRA).as_posix(): tree for path, tree in json.loads(result.stdout).items()}


@pytest.fixture(scope="module")
def checkov_report() -> dict:
    # No --quiet: the report must list the skipped checks too, to match them with the
    # inline skip comments.
    result = subprocess.run(
        [
            str(infra_tool("checkov")),
            "--directory",
            str(INFRA),
            "--framework",
            "bicep",
            "--skip-download",
            "--compact",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=offline_env(),
        cwd=REPO,
    )
    assert result.stdout.strip(), f"checkov printed no report (exit {result.returncode}): {result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    bicep = [r for r in reports if r.get("check_type") == "bicep"]
    assert len(bicep) == 1, f"expected one bicep report, got {[r.get('check_type') for r in reports]}"
    bicep[0]["exit_code"] = result.returncode
    return bicep[0]


def resources(parsed: dict[str, dict], file: str) -> dict[str, dict]:
    """Resources of a file, with a conditional resource's body unwrapped."""
    out = {}
    for name, resource in parsed[file]["resources"].items():
        config = resource["config"]
        if "condition" in config:
            config = {**config["config"], "__condition__": config["condition"]}
        out[name] = {**resource, "config": config}
    return out


def test_infra_holds_the_main_template_and_its_modules() -> None:
    names = {path.relative_to(INFRA).as_posix() for path in BICEP_FILES}
    assert {"main.bicep", "modules/functionapp.bicep", "modules/storage.bicep"} <= names


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.relative_to(INFRA).as_posix())
def test_bicep_file_parses(path: Path) -> None:
    result = subprocess.run(
        [str(infra_tool("python")), "-c", PARSE, str(path)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"pycep cannot parse {path}:\n{result.stderr[-3000:]}"
    tree = json.loads(result.stdout)[str(path)]
    assert tree.get("resources") or tree.get("modules"), f"{path} declares nothing"


def test_every_parameter_and_output_has_a_description(parsed: dict[str, dict]) -> None:
    missing = [
        f"{file}: {kind} {name}"
        for file, tree in parsed.items()
        for kind in ("parameters", "outputs")
        for name, item in tree.get(kind, {}).items()
        if not any(d.get("type") == "description" and d.get("argument") for d in item.get("decorators", []))
    ]
    assert not missing, "undocumented: " + ", ".join(missing)


def test_modules_referenced_by_the_templates_exist(parsed: dict[str, dict]) -> None:
    for file, tree in parsed.items():
        for name, module in tree.get("modules", {}).items():
            assert module["type"] == "local", f"{file}: module {name} comes from a registry"
            target = (INFRA / file).parent / module["detail"]["path"]
            assert target.is_file(), f"{file}: module {name} points at missing {target}"


def test_parameters_file_only_sets_template_parameters(parsed: dict[str, dict]) -> None:
    document = json.loads((INFRA / "main.parameters.json").read_text())
    assert document["$schema"].endswith("deploymentParameters.json#")
    unknown = set(document["parameters"]) - set(parsed["main.bicep"]["parameters"])
    assert not unknown, f"main.parameters.json sets parameters main.bicep does not declare: {unknown}"


def test_deploy_script_only_passes_template_parameters(parsed: dict[str, dict]) -> None:
    passed = set(re.findall(r'"(\w+)=\$', (INFRA / "deploy.sh").read_text()))
    assert {"namePrefix", "location", "deployerPrincipalId", "acsAccountId", "entraClientId"} <= passed
    unknown = passed - set(parsed["main.bicep"]["parameters"])
    assert not unknown, f"deploy.sh passes parameters main.bicep does not declare: {unknown}"


def test_api_versions_are_dated_and_stable(parsed: dict[str, dict]) -> None:
    allowed_preview = {"Microsoft.Insights/diagnosticSettings": "2021-05-01-preview"}
    for file, tree in parsed.items():
        for name, resource in tree["resources"].items():
            version = resource["api_version"]
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", version), f"{file}: {name}@{version}"
            if version.endswith("-preview"):
                assert allowed_preview.get(resource["type"]) == version, f"{file}: {name} uses {version}"


def test_role_assignments_grant_only_the_data_roles_needed(parsed: dict[str, dict]) -> None:
    text = "\n".join(path.read_text() for path in BICEP_FILES)
    role_ids = set(re.findall(r"'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'", text))
    assert role_ids == set(EXPECTED_ROLES), f"unexpected role definitions: {role_ids ^ set(EXPECTED_ROLES)}"
    for file, tree in parsed.items():
        for name, resource in resources(parsed, file).items():
            if resource["type"] == "Microsoft.Authorization/roleAssignments":
                assert resource["config"]["scope"], f"{file}: {name} has no explicit scope"


def test_storage_is_reachable_with_entra_only(parsed: dict[str, dict]) -> None:
    props = resources(parsed, "modules/storage.bicep")["storage"]["config"]["properties"]
    assert props["allowSharedKeyAccess"] is False
    assert props["allowBlobPublicAccess"] is False
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["supportsHttpsTrafficOnly"] is True
    assert props["defaultToOAuthAuthentication"] is True


def test_key_vault_uses_rbac_soft_delete_and_purge_protection(parsed: dict[str, dict]) -> None:
    props = resources(parsed, "modules/keyvault.bicep")["vault"]["config"]["properties"]
    assert props["enableRbacAuthorization"] is True
    assert props["enableSoftDelete"] is True
    assert props["enablePurgeProtection"] is True


def test_telemetry_has_local_auth_off(parsed: dict[str, dict]) -> None:
    monitoring = resources(parsed, "modules/monitoring.bicep")
    assert monitoring["appInsights"]["config"]["properties"]["DisableLocalAuth"] is True
    assert monitoring["logAnalytics"]["config"]["properties"]["features"]["disableLocalAuth"] is True


def variable(parsed: dict[str, dict], file: str, name: str):
    return parsed[file]["variables"][name]["value"]


def test_alerts_watch_send_failures_outbox_age_poison_5xx_and_dead_lettering(parsed: dict[str, dict]) -> None:
    alerts = {a["name"]: a["query"] for a in variable(parsed, "modules/alerts.bicep", "logAlerts")}
    assert set(alerts) == {"send-failures", "outbox-age", "poison-messages", "server-errors"}
    assert names.SEND_FAILURES in alerts["send-failures"] and names.MESSAGES_OUT in alerts["send-failures"]
    assert names.OUTBOX_AGE in alerts["outbox-age"]
    assert names.SENDS_POISONED in alerts["poison-messages"]
    assert "resultCode) >= 500" in alerts["server-errors"]
    rules = resources(parsed, "modules/alerts.bicep")
    rule = rules["rules"]["config"]["properties"]
    assert (rule["evaluationFrequency"], rule["windowSize"], rule["autoMitigate"]) == ("PT5M", "PT15M", True)
    dead = rules["deadLettered"]["config"]["properties"]
    [criterion] = dead["criteria"]["allOf"]
    assert (criterion["metricNamespace"], criterion["metricName"]) == ("Microsoft.EventGrid/systemTopics",
                                                                      "DeadLetteredCount")
    deployed = parsed["main.bicep"]["modules"]
    assert deployed["alerts"]["detail"]["path"] == "modules/alerts.bicep"
    assert deployed["workbook"]["detail"]["path"] == "modules/workbook.bicep"


def test_the_workbook_charts_every_metric_the_app_reports(parsed: dict[str, dict]) -> None:
    charts = variable(parsed, "modules/workbook.bicep", "charts")
    charts += variable(parsed, "modules/workbook.bicep", "conversationCharts")
    queries = " ".join(c["query"] for c in charts)
    reported = {value for key, value in vars(names).items() if isinstance(value, str) and key.isupper()
                and value.startswith("switchboard.")}
    assert reported and {name for name in reported if name not in queries} == set()
    workbook = resources(parsed, "modules/workbook.bicep")["workbook"]["config"]
    assert workbook["properties"]["category"] == "workbook"
    source = workbook["properties"]["sourceId"]["operator"]["operands"]
    assert (source["operand_1"], source["operand_2"]) == ("appInsights", "id")


def test_the_workbook_charts_closed_conversations_from_their_events(parsed: dict[str, dict]) -> None:
    workbook = "modules/workbook.bicep"
    charts = {c["title"]: c["query"] for c in variable(parsed, workbook, "conversationCharts")}
    closed = f'customEvents | where name == "{names.CONVERSATION_CLOSED}"'
    # Every chart reads the closed conversations' events of the workstreams picked, a close
    # reported twice once.
    for title, query in charts.items():
        assert closed in query and "dynamic([{Workstream}])" in query, title
        assert "workstream_id in (workstreams)" in query, title
        assert "by conversation_id" in query, title
    queries = " ".join(charts.values())
    for measure in ("wait_seconds", "first_response_seconds", "handle_seconds", "abandoned", "answered",
                    "bot_resolved", "csat", "agent_id"):
        assert f"customDimensions.{measure})" in queries, measure
    assert "by day = bin(timestamp, 1d)" in queries and "hourofday(timestamp)" in queries
    for measure in ("wait_seconds", "first_response_seconds"):
        [query] = [q for q in charts.values() if f"toint(customDimensions.{measure})" in q]
        assert f"percentile({measure}, 50)" in query and f"percentile({measure}, 90)" in query
    [abandoned] = [q for q in charts.values() if "abandoned_percent" in q]
    assert "100.0 * abandoned / conversations" in abandoned
    # Satisfaction counts a conversation's latest answer, late ones (after the close) included.
    satisfaction = [q for q in charts.values() if "avg(csat)" in q]
    assert len(satisfaction) == 2  # per day and per agent
    for query in satisfaction:
        assert f'name in ("{names.CONVERSATION_CLOSED}", "{names.CONVERSATION_RATED}")' in query
        assert "arg_max(timestamp, csat) by conversation_id" in query
    [per_agent] = [q for q in charts.values() if "by agent_id" in q]
    assert "conversations = count()" in per_agent and "percentile(handle_seconds, 50)" in per_agent
    # The section's parameters: a time range every chart takes its time from, and the
    # workstreams (all of them unless some are picked).
    parameters = variable(parsed, workbook, "conversationParameters")
    assert parameters["type"] == 9
    time_range, workstream = parameters["content"]["parameters"]
    assert (time_range["name"], time_range["type"], time_range["isRequired"]) == ("TimeRange", 4, True)
    assert (workstream["name"], workstream["type"], workstream["multiSelect"]) == ("Workstream", 2, True)
    assert workstream["quote"] == '"' and workstream["typeSettings"]["selectAllValue"] == ""
    assert closed in workstream["query"] and workstream["timeContextFromParameter"] == "TimeRange"
    items = variable(parsed, workbook, "conversationItems")
    assert items["loop_type"]["detail"]["array_name"] == "conversationCharts"
    assert items["config"]["content"]["timeContextFromParameter"] == "TimeRange"
    order = variable(parsed, workbook, "content")["items"]["function"]["parameters"]
    assert list(order.values()) == [["about"], "chartItems", ["conversationsHeader", "conversationParameters"],
                                    "conversationItems"]


def test_function_app_is_flex_python_311_https_only_with_one_identity(parsed: dict[str, dict]) -> None:
    app = resources(parsed, "modules/functionapp.bicep")
    plan = app["plan"]["config"]
    assert plan["sku"] == {"tier": "FlexConsumption", "name": "FC1"}
    assert plan["properties"]["reserved"] is True
    site = app["functionApp"]["config"]
    assert site["kind"] == "functionapp,linux"
    assert site["identity"]["type"] == "UserAssigned"
    props = site["properties"]
    assert props["httpsOnly"] is True
    assert props["siteConfig"]["minTlsVersion"] == "1.2"
    assert props["keyVaultReferenceIdentity"] == "identityId"
    assert not FLEX_FORBIDDEN_SITE_CONFIG & set(props["siteConfig"])
    config = props["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    assert config["deployment"]["storage"]["authentication"]["type"] == "UserAssignedIdentity"
    policies = {
        r["config"]["name"]: r["config"]["properties"]["allow"]
        for r in app.values()
        if r["type"] == "Microsoft.Web/sites/basicPublishingCredentialsPolicies"
    }
    assert policies == {"ftp": False, "scm": False}


def test_app_settings_are_the_ones_the_code_reads(parsed: dict[str, dict]) -> None:
    app = parsed["modules/functionapp.bicep"]
    assert resources(parsed, "modules/functionapp.bicep")["appSettings"]["config"]["properties"] == {
        "function": {"type": "union", "parameters": {
            "arg_1": "settings", "arg_2": "authSettings", "arg_3": "realtimeSettings"}}
    }
    settings = app["variables"]["settings"]["value"]
    assert set(settings) == APP_SETTINGS
    assert not FLEX_FORBIDDEN_SETTINGS & set(settings)
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == "ClientId=${identityClientId};Authorization=AAD"
    assert settings["SWITCHBOARD_SEALING_KEY"] == (
        "@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${sealingKeySecretName}/)"
    )
    assert json.dumps(settings["PUBLIC_BASE_URL"]).count("https://${functionApp.properties.defaultHostName}") == 1
    main_params = parsed["main.bicep"]["parameters"]
    assert main_params["autoCloseSchedule"]["default"] == "0 */5 * * * *"
    assert main_params["autoCloseMinMinutes"]["default"] == 480


def test_the_sign_in_secret_setting_is_a_key_vault_reference_only_with_sign_in(parsed: dict[str, dict]) -> None:
    auth_settings = parsed["modules/functionapp.bicep"]["variables"]["authSettings"]["value"]["operator"]
    assert auth_settings["type"] == "conditional"
    operands = auth_settings["operands"]
    assert operands["condition"] == {"function": {"type": "empty", "parameters": {"item_to_test": "authClientSecretName"}}}
    assert operands["true_value"] == {}
    assert operands["false_value"] == {
        AUTH_SECRET_SETTING: "@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${authClientSecretName}/)"
    }
    assert parsed["modules/functionapp.bicep"]["parameters"]["authClientSecretName"]["default"] == ""
    main = parsed["main.bicep"]
    app_params = main["modules"]["functionApp"]["config"]["params"]
    assert app_params["authClientSecretName"]["operator"]["operands"] == {
        "condition": "signInConfigured", "true_value": "entraClientSecretName", "false_value": ""
    }
    assert main["parameters"]["entraClientSecretName"]["default"] == "switchboard-entra-client-secret"


def test_sign_in_is_deployed_only_with_an_entra_client_id(parsed: dict[str, dict]) -> None:
    main = parsed["main.bicep"]
    assert main["parameters"]["entraClientId"]["default"] == ""
    assert main["variables"]["signInConfigured"]["value"] == {
        "operator": {"type": "not", "operands": {"bool_value": {
            "function": {"type": "empty", "parameters": {"item_to_test": "entraClientId"}}}}}
    }
    module = main["modules"]["auth"]
    assert module["detail"]["path"] == "modules/auth.bicep"
    assert module["config"]["condition"] == "signInConfigured"
    params = module["config"]["config"]["params"]
    assert params["clientId"] == "entraClientId"
    assert params["tenantId"]["function"]["type"] == "tenant"
    assert params["clientSecretSettingName"] == AUTH_SECRET_SETTING
    assert params["excludedPaths"] == "publicPaths"
    # The module waits for the app and its settings: it names the app through an output.
    assert "functionApp" in json.dumps(params["functionAppName"])


def test_easy_auth_requires_sign_in_and_answers_401(parsed: dict[str, dict]) -> None:
    (settings,) = [r["config"] for r in resources(parsed, "modules/auth.bicep").values() if not r["existing"]]
    assert settings["name"] == "authsettingsV2"
    assert settings["parent"] == "functionApp"
    props = settings["properties"]
    assert props["platform"]["enabled"] is True
    assert props["globalValidation"] == {
        "requireAuthentication": True,
        "unauthenticatedClientAction": "Return401",
        "excludedPaths": "excludedPaths",
    }
    assert props["httpSettings"]["requireHttps"] is True
    assert props["login"]["tokenStore"] == {"enabled": False}
    assert props["login"]["nonce"]["validateNonce"] is True
    assert set(props["identityProviders"]) == {"azureActiveDirectory"}, "Entra ID is the only provider"
    entra = props["identityProviders"]["azureActiveDirectory"]
    assert entra["enabled"] is True
    assert entra["registration"] == {
        "openIdIssuer": "${environment().authentication.loginEndpoint}${tenantId}/v2.0",
        "clientId": "clientId",
        "clientSecretSettingName": "clientSecretSettingName",
    }
    assert entra["validation"] == {"allowedAudiences": ["api://${clientId}", "clientId"]}


def test_the_paths_open_without_sign_in_are_exactly_the_public_ones(parsed: dict[str, dict]) -> None:
    assert parsed["main.bicep"]["variables"]["publicPaths"]["value"] == PUBLIC_PATHS
    outputs = parsed["main.bicep"]["outputs"]
    assert outputs["publicPaths"]["value"] == "publicPaths"


def excluded(path: str) -> bool:
    """Whether Easy Auth lets `path` through: an exact entry, or an entry ending in /*
    that the path lies below."""
    return any(path == entry or (entry.endswith("/*") and path.startswith(entry[:-1])) for entry in PUBLIC_PATHS)


def test_no_agent_or_admin_route_lies_under_a_public_path() -> None:
    routes = {route for file in (REPO / "functions").glob("*.py") for route in ROUTE.findall(file.read_text())}
    routes |= set(WEBHOOK_ROUTES.values())  # the webhooks' routes are named in one table
    api_routes = {route for route in routes if route.startswith("api/")}
    assert "api/me" in api_routes and "api/admin/accounts" in api_routes, "the route scan found the API"

    def concrete(route: str) -> str:
        return "/" + re.sub(r"\{[^}]+\}", "x1", route)

    assert {route for route in api_routes if excluded(concrete(route))} == OPEN_API_ROUTES
    # The pages (the catch-all web function) live outside /api, and every public path is
    # either one of them or an API route listed above.
    for entry in PUBLIC_PATHS:
        if entry.startswith("/api/"):
            assert any(excluded(concrete(route)) and concrete(route).startswith(entry.rstrip("*")) for route in OPEN_API_ROUTES)
    assert "{*path}" in routes


def test_outputs_give_the_sign_in_url_and_redirect_uris(parsed: dict[str, dict]) -> None:
    outputs = parsed["main.bicep"]["outputs"]
    assert outputs["signInUrl"]["value"] == "${baseUrl}/.auth/login/aad"
    assert outputs["entraRedirectUris"]["value"] == {"function": {"type": "union", "parameters": {
        "arg_1": ["${baseUrl}/.auth/login/aad/callback"],
        "arg_2": ["${defaultHostUrl}/.auth/login/aad/callback"],
    }}}
    assert outputs["signInConfigured"]["value"] == "signInConfigured"
    assert outputs["entraClientSecretName"]["value"] == "entraClientSecretName"


def test_app_roles_file_defines_the_roles_the_app_reads() -> None:
    from core.identity import APP_ROLES

    roles = json.loads((INFRA / "app-roles.json").read_text())
    # The app's roles, and the one Web PubSub's identity holds, which the app ignores.
    assert REALTIME_APP_ROLE not in APP_ROLES
    assert sorted(r["value"] for r in roles) == sorted([*APP_ROLES, REALTIME_APP_ROLE])
    assert len({r["id"] for r in roles}) == len(roles), "fixed, distinct role ids: reruns update, never duplicate"
    for role in roles:
        assert set(role) == {"allowedMemberTypes", "description", "displayName", "id", "isEnabled", "value"}
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", role["id"])
        if role["value"] == REALTIME_APP_ROLE:
            assert role["allowedMemberTypes"] == ["Application"], "a service's identity, never a person"
        else:
            assert role["allowedMemberTypes"] == ["User", "Application"], "people and scripts alike"
        assert role["isEnabled"] is True
        assert len(role["description"]) >= 40


def test_acs_event_subscription_uses_entra_auth_retries_and_dead_letters(parsed: dict[str, dict]) -> None:
    comm = resources(parsed, "modules/communication.bicep")
    assert comm["systemTopic"]["config"]["properties"]["topicType"] == "Microsoft.Communication.CommunicationServices"
    subscription = comm["eventSubscription"]["config"]
    assert subscription["__condition__"] == "createSubscription"
    props = subscription["properties"]
    destination = props["destination"]
    assert destination["endpointType"] == "WebHook"
    assert destination["properties"]["azureActiveDirectoryTenantId"]
    assert destination["properties"]["azureActiveDirectoryApplicationIdOrUri"]
    assert props["filter"]["includedEventTypes"] == ACS_EVENT_TYPES
    assert set(props["retryPolicy"]) == {"maxDeliveryAttempts", "eventTimeToLiveInMinutes"}
    dead_letter = props["deadLetterWithResourceIdentity"]
    assert dead_letter["identity"]["type"] == "SystemAssigned"
    assert dead_letter["deadLetterDestination"]["endpointType"] == "StorageBlob"
    main = parsed["main.bicep"]
    assert main["modules"]["communication"]["config"]["condition"] == "deployCommunicationServices"


def test_outputs_give_every_callback_and_no_secret(parsed: dict[str, dict]) -> None:
    outputs = parsed["main.bicep"]["outputs"]
    callbacks = outputs["callbackUrls"]["value"]
    assert callbacks == {
        "health": "${apiUrl}/health",
        "twilioInbound": "${apiUrl}/twilio/{account_id}/inbound",
        "twilioStatus": "${apiUrl}/twilio/{account_id}/status",
        "acsEvents": "${apiUrl}/acs/{account_id}/events",
        "telesignInbound": "${apiUrl}/telesign/{account_id}/inbound",
        "adminAccounts": "${apiUrl}/admin/accounts",
        "adminWorkstreams": "${apiUrl}/admin/workstreams",
        "conversations": "${apiUrl}/conversations",
    }
    assert "baseUrl" in outputs
    for file, tree in parsed.items():
        dumped = json.dumps(tree.get("outputs", {}))
        for leak in ("listKeys", "ConnectionString", "InstrumentationKey", "secretUriWithVersion"):
            assert leak not in dumped, f"{file}: an output exposes {leak}"
    assert "listKeys" not in "\n".join(path.read_text() for path in BICEP_FILES)


def test_web_pubsub_has_no_access_keys_and_its_own_identity(parsed: dict[str, dict]) -> None:
    service = resources(parsed, "modules/webpubsub.bicep")["webPubSub"]
    assert service["type"] == "Microsoft.SignalRService/webPubSub"
    assert service["api_version"] == "2024-03-01"
    config = service["config"]
    assert config["kind"] == "WebPubSub"
    props = config["properties"]
    assert props["disableLocalAuth"] is True, "no access keys: the app uses its managed identity"
    assert props["disableAadAuth"] is False
    assert props["publicNetworkAccess"] == "Enabled"
    assert props["tls"] == {"clientCertEnabled": False}
    assert props["liveTraceConfiguration"] == {"enabled": "false"}
    # The system-assigned identity signs the service's calls to the event handler.
    assert config["identity"] == {"type": "SystemAssigned"}
    # SKU and units from the parameters; a free instance has exactly one unit.
    assert config["sku"]["name"] == "serviceSku"
    assert config["sku"]["capacity"]["operator"]["operands"] == {
        "condition": {"operator": {"type": "equals", "operands": {"operand_1": "serviceSku", "operand_2": "Free_F1"}}},
        "true_value": 1,
        "false_value": "capacity",
    }
    tiers = parsed["modules/webpubsub.bicep"]["variables"]["tiers"]["value"]
    assert tiers == {"Free_F1": "Free", "Standard_S1": "Standard", "Premium_P1": "Premium"}
    main = parsed["main.bicep"]["parameters"]
    assert main["webPubSubSku"]["default"] == "Standard_S1"
    assert main["webPubSubUnits"]["default"] == 1
    assert main["webPubSubHubName"]["default"] == "switchboard"
    assert main["deployWebPubSub"]["default"] is True
    allowed = {p: next(d["argument"] for d in main[p]["decorators"] if d["type"] == "allowed")
               for p in ("webPubSubSku", "webPubSubUnits")}
    assert allowed["webPubSubSku"] == list(tiers)
    assert allowed["webPubSubUnits"][:10] == list(range(1, 11)) and allowed["webPubSubUnits"][-1] == 100
    logs = resources(parsed, "modules/webpubsub.bicep")["resourceLogs"]["config"]
    assert logs["scope"] == "webPubSub" and logs["properties"]["workspaceId"] == "logAnalyticsId"
    assert {entry["category"] for entry in logs["properties"]["logs"]} == {"ConnectivityLogs", "HttpRequestLogs"}


def test_web_pubsub_is_deployed_only_with_sign_in(parsed: dict[str, dict]) -> None:
    main = parsed["main.bicep"]
    assert main["variables"]["webPubSubEnabled"]["value"] == {
        "operator": {"type": "and", "operands": {"operand_1": "deployWebPubSub", "operand_2": "signInConfigured"}}
    }
    assert main["modules"]["webPubSub"]["detail"]["path"] == "modules/webpubsub.bicep"
    assert main["modules"]["realtimeHub"]["detail"]["path"] == "modules/webpubsub-hub.bicep"
    for module in ("webPubSub", "realtimeHub"):
        assert main["modules"][module]["config"]["condition"] == "webPubSubEnabled"
    params = main["modules"]["webPubSub"]["config"]["config"]["params"]
    assert (params["serviceSku"], params["capacity"]) == ("webPubSubSku", "webPubSubUnits")
    outputs = main["outputs"]
    assert outputs["webPubSubHostName"]["value"]["operator"]["operands"]["condition"] == "webPubSubEnabled"
    assert "hostName" in json.dumps(outputs["webPubSubHostName"]["value"])
    assert "principalId" in json.dumps(outputs["webPubSubPrincipalId"]["value"])


def test_the_hub_calls_the_app_on_connected_and_disconnected_with_a_managed_identity_token(
    parsed: dict[str, dict],
) -> None:
    hub = resources(parsed, "modules/webpubsub-hub.bicep")["hub"]
    assert hub["type"] == "Microsoft.SignalRService/webPubSub/hubs"
    assert hub["config"]["parent"] == "webPubSub" and hub["config"]["name"] == "hubName"
    props = hub["config"]["properties"]
    assert props["anonymousConnectPolicy"] == "Deny"
    assert props["eventListeners"] == []
    (handler,) = props["eventHandlers"]
    assert handler["urlTemplate"] == "eventHandlerUrl"
    assert handler["systemEvents"] == REALTIME_SYSTEM_EVENTS, "no blocking connect event"
    assert "userEventPattern" not in handler, "no user events: the workspaces only listen"
    assert handler["auth"] == {"type": "ManagedIdentity", "managedIdentity": {"resource": "eventHandlerAudience"}}
    params = parsed["main.bicep"]["modules"]["realtimeHub"]["config"]["config"]["params"]
    assert params["hubName"] == "webPubSubHubName"
    assert params["eventHandlerUrl"] == "${defaultHostUrl}" + REALTIME_EVENTS_PATH
    # The token's audience is one Easy Auth accepts for the same app registration.
    assert params["eventHandlerAudience"] == "api://${entraClientId}"
    auth = resources(parsed, "modules/auth.bicep")["authSettings"]["config"]["properties"]
    audiences = auth["identityProviders"]["azureActiveDirectory"]["validation"]["allowedAudiences"]
    assert params["eventHandlerAudience"].replace("entraClientId", "clientId") in audiences
    assert parsed["main.bicep"]["modules"]["auth"]["config"]["config"]["params"]["clientId"] == "entraClientId"
    # Easy Auth checks the service's token: the path is not one of the public ones.
    assert not excluded(REALTIME_EVENTS_PATH)


def test_the_app_identity_owns_the_web_pubsub_resource_only(parsed: dict[str, dict]) -> None:
    module = parsed["modules/webpubsub.bicep"]
    assert module["variables"]["webPubSubServiceOwnerRoleId"]["value"] == WEB_PUBSUB_SERVICE_OWNER
    (assignment,) = [r["config"] for r in resources(parsed, "modules/webpubsub.bicep").values()
                     if r["type"] == "Microsoft.Authorization/roleAssignments"]
    assert assignment["scope"] == "webPubSub"
    props = assignment["properties"]
    assert props["roleDefinitionId"]["function"]["parameters"]["resource_name_1"] == "webPubSubServiceOwnerRoleId"
    assert props["principalId"] == "appPrincipalId"
    assert props["principalType"] == "ServicePrincipal"
    app_principal = parsed["main.bicep"]["modules"]["webPubSub"]["config"]["config"]["params"]["appPrincipalId"]
    assert json.dumps(app_principal).count('"appIdentity"') == 1 and "principalId" in json.dumps(app_principal)


def test_the_app_settings_name_the_web_pubsub_endpoint_hub_and_principal(parsed: dict[str, dict]) -> None:
    realtime = parsed["modules/functionapp.bicep"]["variables"]["realtimeSettings"]["value"]["operator"]
    assert realtime["type"] == "conditional"
    assert realtime["operands"]["condition"] == {
        "function": {"type": "empty", "parameters": {"item_to_test": "webPubSubEndpoint"}}
    }
    assert realtime["operands"]["true_value"] == {}
    assert realtime["operands"]["false_value"] == REALTIME_SETTINGS
    params = parsed["main.bicep"]["modules"]["functionApp"]["config"]["params"]
    operands = {name: params[name]["operator"]["operands"] for name in REALTIME_SETTINGS.values()}
    assert all(o["condition"] == "webPubSubEnabled" and o["false_value"] == "" for o in operands.values())
    assert operands["webPubSubEndpoint"]["true_value"] == "https://${webPubSub.outputs.hostName}"
    assert operands["webPubSubHub"]["true_value"] == "webPubSubHubName"
    principal = json.dumps(operands["webPubSubPrincipalId"]["true_value"])
    assert '"webPubSub"' in principal and '"principalId"' in principal
    # No key and no connection string reaches the app or an output.
    text = "\n".join(path.read_text() for path in BICEP_FILES)
    assert "WEBPUBSUB_CONNECTION_STRING" not in text and "AccessKey" not in text


def test_checkov_reports_no_failed_check(checkov_report: dict) -> None:
    summary = checkov_report["summary"]
    failed = [
        f"{c['check_id']} {c['file_path']} {c['resource']}: {c['check_name']}"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert summary["parsing_errors"] == 0
    assert summary["failed"] == 0, "checkov failed checks:\n" + "\n".join(failed)
    # A scan that silently read nothing would also have no failure.
    assert summary["passed"] > 0
    assert summary["resource_count"] > 0
    assert checkov_report["exit_code"] == 0
    # Its Web PubSub checks ran on the module and passed (an SLA-backed SKU by default, a
    # managed identity).
    passed = {(c["file_path"].lstrip("/"), c["check_id"]) for c in checkov_report["results"]["passed_checks"]}
    assert {("modules/webpubsub.bicep", "CKV_AZURE_175"), ("modules/webpubsub.bicep", "CKV_AZURE_176")} <= passed


def test_every_inline_skip_has_a_reason_and_matches_a_finding(checkov_report: dict) -> None:
    comments: collections.Counter[tuple[str, str]] = collections.Counter()
    for path in BICEP_FILES:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = SKIP_COMMENT.search(line)
            if not match:
                assert "checkov:skip" not in line, f"{path}:{number}: malformed skip comment"
                continue
            reason = match["rest"].lstrip(":").strip()
            assert match["rest"].startswith(":") and len(reason) >= 20, f"{path}:{number}: skip without a reason"
            comments[(path.relative_to(INFRA).as_posix(), match["id"])] += 1
    skipped = collections.Counter(
        (c["file_path"].lstrip("/"), c["check_id"]) for c in checkov_report["results"]["skipped_checks"]
    )
    assert comments == skipped, f"skip comments without a finding: {comments - skipped}; findings: {skipped - comments}"
