"""A deployment where nothing vouches for the principal headers (no App Service
Authentication, no local host in front) refuses every agent and admin route, however
convincing the headers a client sends; health and the webhooks stay open."""

from __future__ import annotations

import base64
import json

import azure.functions as func
import pytest

from functions import conversations_api, people_api, admin_api, health, wiring
from functions.settings import LOCAL_EASY_AUTH, Settings

FORGED = base64.b64encode(json.dumps({"auth_typ": "aad", "claims": [
    {"typ": "oid", "val": "5d2a1c0f-9e3b-4f7a-8c6d-2b1e0a9f8c7d"}, {"typ": "name", "val": "Mallory"},
    {"typ": "roles", "val": "Switchboard.Admin"}], "name_typ": "name", "role_typ": "roles"}).encode()).decode()


def request(method: str, path: str) -> func.HttpRequest:
    return func.HttpRequest(method, f"http://localhost:7071{path}", headers={"X-MS-CLIENT-PRINCIPAL": FORGED},
                            params={}, route_params={}, body=b"")


@pytest.fixture
def served(settings_env, clock, monkeypatch):
    def serve(easy_auth: bool) -> None:
        env = {**settings_env, **({LOCAL_EASY_AUTH: "1"} if easy_auth else {})}
        monkeypatch.setattr(wiring, "_services", wiring.build(Settings.from_env(env), clock=clock))
    return serve


@pytest.mark.parametrize("handler,method,path", [
    (admin_api.list_accounts, "GET", "/api/admin/accounts"), (conversations_api.list_conversations, "GET", "/api/conversations"),
    (people_api.me, "GET", "/api/me"), (people_api.list_agents, "GET", "/api/admin/agents"),
])
def test_without_easy_auth_every_agent_and_admin_route_refuses(served, handler, method, path):
    served(easy_auth=False)
    answer = handler(request(method, path))
    assert answer.status_code == 401
    assert json.loads(answer.get_body())["error"]["code"] == "authentication_unavailable"


def test_health_needs_no_sign_in(served):
    served(easy_auth=False)
    assert health.health(request("GET", "/api/health")).status_code == 200


def test_with_easy_auth_in_front_the_same_headers_are_the_principal(served):
    served(easy_auth=True)
    me = json.loads(people_api.me(request("GET", "/api/me")).get_body())
    assert (me["name"], me["roles"]) == ("Mallory", ["admin"])
