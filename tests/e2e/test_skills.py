"""Skills over HTTP, as the README shows them: the catalogue, an agent's skills, a routing
rule that needs some, and a conversation offered only to whoever has them."""

from __future__ import annotations

from typing import Any

import pytest

from localhost.easyauth import object_id_of
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def as_(api, who: str, method: str, path: str, body: Any = None):
    return api.call(method, path, body, as_=(who, "agent"))


@pytest.fixture(scope="module")
def world(api) -> dict[str, Any]:
    api.twilio.on("POST", MESSAGES, lambda _r: message_created("SM" + "5" * 32))
    for name in ("Spanish", "Refunds"):
        assert api.call("POST", "/admin/skills", {"name": name}).status_code == 201
    account = api.call("POST", "/admin/accounts", account_body(name="Skills")).json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "Skills", "account_id": account["id"], "number": BUSINESS, "queues": ["general"],
        "default_queue": "general", "distribution": {"mode": "push", "widen_skills_after_seconds": 300},
        "routing_rules": [{"name": "Spanish", "conditions": [{"field": "body", "operator": "contains", "value": "hola"}],
                           "queue": "general", "skills": [{"name": "spanish", "min_proficiency": 5}]}]})
    assert workstream.status_code == 201, workstream.text
    queues = [{"workstream_id": workstream.json()["id"], "queue": "general"}]
    for name, skills in (("ana", [{"name": "SPANISH", "proficiency": 8}]), ("bo", [])):
        assert as_(api, name, "GET", "/me").status_code == 200
        patched = api.call("PATCH", f"/admin/agents/{object_id_of(name)}",
                           {"queues": queues, "capacity": {"sms": 1 if name == "ana" else 9}, "skills": skills})
        assert patched.status_code == 200, patched.text
        assert as_(api, name, "PUT", "/me/presence", {"presence": "available"}).status_code == 200
    return {"account": account["id"], "workstream": workstream.json()}


def test_the_catalogue_and_an_agents_skills_as_named_there(api, world):
    assert [s["name"] for s in api.call("GET", "/admin/skills").json()["skills"]] == ["Refunds", "Spanish"]
    assert as_(api, "ana", "GET", "/me").json()["skills"] == [{"name": "Spanish", "proficiency": 8}]
    assert world["workstream"]["routing_rules"][0]["skills"] == [{"name": "Spanish", "min_proficiency": 5}]
    assert world["workstream"]["distribution"]["widen_skills_after_seconds"] == 300
    twice = api.call("POST", "/admin/skills", {"name": "refunds", "description": ""})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "skill_exists"
    assert twice.json()["error"]["field"] == "name"
    wrong = api.call("PATCH", f"/admin/agents/{object_id_of('bo')}", {"skills": [{"name": "Spanish", "proficiency": 0}]})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "skills[0].proficiency"
    in_use = api.call("DELETE", "/admin/skills/Spanish")
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "skill_in_use"
    assert api.call("DELETE", "/admin/skills/refunds").status_code == 204
    assert api.call("DELETE", "/admin/skills/refunds").status_code == 404
    assert as_(api, "ana", "GET", "/admin/skills").status_code == 403


def test_a_conversation_that_needs_a_skill_is_offered_to_who_has_it(api, world):
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "6" * 32, From="+12065550777", Body="hola!")
    assert api.webhook(f"/twilio/{world['account']}/inbound", form, AUTH_TOKEN).status_code == 200
    [offer] = as_(api, "ana", "GET", "/conversations?view=offers").json()["conversations"]
    assert offer["required_skills"] == [{"name": "Spanish", "min_proficiency": 5}]
    assert as_(api, "bo", "GET", "/conversations?view=offers").json()["conversations"] == []
