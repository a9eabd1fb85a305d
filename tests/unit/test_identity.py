"""The principal the app takes from Easy Auth's headers (documented payload shape, see
tests/fixtures/easyauth/), when it trusts them, and the scope rules it then applies."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conversations.access import Scope
from core.errors import Conflict, Forbidden, NotFound
from core.identity import ADMIN, AGENT, SUPERVISOR, Actor, Principal
from core.agents import QueueRef
from core.records import Conversation
from functions.identity import client_principal
from functions.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "easyauth"


def headers(name: str, **extra: str) -> dict[str, str]:
    encoded = base64.b64encode((FIXTURES / name).read_bytes()).decode()
    return {"X-MS-CLIENT-PRINCIPAL": encoded, **extra}


def test_a_person_from_the_browser_flow():
    principal = client_principal(headers("user_v1.json", **{"X-MS-CLIENT-PRINCIPAL-NAME": "ada@contoso.example"}))
    assert principal == Principal("5d2a1c0f-9e3b-4f7a-8c6d-2b1e0a9f8c7d", "Ada Lovelace",
                                  frozenset({AGENT, SUPERVISOR}), app=False)


def test_a_person_with_a_v2_access_token():
    assert client_principal(headers("user_v2.json")) == Principal(
        "0e6f7a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b", "Grace Hopper", frozenset({ADMIN}))


def test_an_application_with_client_credentials():
    principal = client_principal(headers("app.json"))
    assert principal is not None and principal.app and principal.roles == frozenset({SUPERVISOR})
    assert principal.name == "c0ffee00-1234-4abc-9def-0123456789ab"


@pytest.mark.parametrize("raw", ["", "not base64!", base64.b64encode(b"[1]").decode(),
                                 base64.b64encode(b'{"claims": [{"typ": "name", "val": "no id"}]}').decode()])
def test_no_or_unreadable_principal_is_nobody(raw):
    assert client_principal({"X-MS-CLIENT-PRINCIPAL": raw} if raw else {}) is None


@pytest.mark.parametrize("env,trusted", [
    ({"WEBSITE_AUTH_ENABLED": "True"}, True), ({"WEBSITE_AUTH_ENABLED": "false"}, False), ({}, False),
    ({"SWITCHBOARD_LOCAL_EASY_AUTH": "1"}, True),
    ({"SWITCHBOARD_LOCAL_EASY_AUTH": "1", "WEBSITE_INSTANCE_ID": "abc"}, False),  # the local marker means nothing in Azure
])
def test_the_principal_headers_are_trusted_only_where_something_sets_them(env, trusted):
    assert Settings.from_env(env).easy_auth is trusted


NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)


def conversation(queue: str | None, workstream: str | None = "w1", agent: Actor | None = None) -> Conversation:
    return Conversation("c1", "open", "sms", "twilio", "a", workstream, "+1", "+2", agent, NOW, NOW, None, 480,
                        queue=queue)


def scope(*roles: str, queues=(), supervises=()) -> Scope:
    return Scope(Principal("me", "Me", frozenset(roles)), tuple(queues), frozenset(supervises))


def test_a_queue_of_none_holds_the_workstreams_conversations_no_queue_took():
    assert QueueRef("w1").holds(conversation(None)) and not QueueRef("w1").holds(conversation("vip"))
    assert QueueRef("w1", "vip").holds(conversation("vip")) and not QueueRef("w2", "vip").holds(conversation("vip"))


def test_scope_rules():
    agent = scope(AGENT, queues=[QueueRef("w1", "vip")])
    assert agent.sees(conversation("vip")) and not agent.sees(conversation("general"))
    assert agent.sees(conversation("general", agent=Actor("me", "Me")))  # what it holds, wherever it is
    with pytest.raises(NotFound):
        agent.check_answer(conversation("general"))
    with pytest.raises(Conflict):
        agent.check_answer(conversation("vip", agent=Actor("other", "Other")))
    supervisor = scope(SUPERVISOR, supervises=["w1"])
    assert supervisor.sees(conversation("anything")) and not supervisor.sees(conversation(None, workstream=None))
    supervisor.check_close(conversation("vip"))
    with pytest.raises(Forbidden):
        supervisor.check_answer(conversation("vip"))
    assert scope(ADMIN).sees(conversation(None, workstream=None))
    assert not scope().sees(conversation("vip"))
