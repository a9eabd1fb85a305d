"""What each commit publishes, through the real Web PubSub adapter to the stand-in: once
per audience the move concerns (the agent offered or holding it, the queue it waits in,
its workstream, the admins), a message only to its holder, ids and list names only, and
every call one the service's published API document declares."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
import requests

from core.agents import QueueRef
from core.live import ADMINS, queue_group, workstream_group
from localhost.easyauth import object_id_of
from localhost.webpubsub.process import StandIn
from push.webpubsub import WebPubSub
from tests.support.desk import open_desk
from tests.support.scopes import ALICE
from tests.support.webpubsub_contract import problems


@pytest.fixture
def desk(make_services, clock, standin):
    return open_desk(make_services(realtime=WebPubSub.connect(standin.hub, connection_string=standin.connection_string)),
                     clock)


def audiences(standin: StandIn) -> list[str]:
    """Who each recorded publish went to: ``user:<id>`` or ``group:<name>``."""
    found = []
    for call in standin.calls():
        parts = call["path"].split("/")
        if call["method"] == "POST" and parts[-1] == ":send" and parts[-3] in ("users", "groups"):
            found.append(f"{parts[-3][:-1]}:{unquote(parts[-2])}")
    return found


def test_a_new_conversation_offered_then_accepted_then_written_to(desk, standin):
    desk.agent("ana")
    ws = desk.workstream_id
    standin.reset_calls()
    conversation_id = desk.customer_writes("+12065550800", body="My card number is 4111")
    ana = object_id_of("ana")
    assert sorted(audiences(standin)) == sorted([f"user:{ana}", f"group:{workstream_group(ws)}", f"group:{ADMINS}"])
    bodies = [c["body"] for c in standin.calls()]
    assert all("4111" not in b and "+1206" not in b and "ana" not in b for b in bodies)
    assert all(not problems(c) for c in standin.calls()), [problems(c) for c in standin.calls()]

    standin.reset_calls()
    desk.services.distribution.assignments.accept(conversation_id, desk.scopes["ana"])
    assert sorted(audiences(standin)) == sorted([f"user:{ana}", f"group:{workstream_group(ws)}", f"group:{ADMINS}"])

    standin.reset_calls()
    desk.customer_writes("+12065550800", body="Still there?")
    assert audiences(standin) == [f"user:{ana}"]


def test_nobody_available_tells_the_queue(desk, standin):
    desk.agent("bo", available=False)
    standin.reset_calls()
    desk.customer_writes("+12065550801")
    queue = queue_group(QueueRef(desk.workstream_id, "general"))
    assert sorted(audiences(standin)) == sorted([f"group:{queue}", f"group:{workstream_group(desk.workstream_id)}",
                                                 f"group:{ADMINS}"])


def test_a_failed_publish_fails_no_commit(desk, standin):
    desk.agent("cy")
    requests.put(standin.endpoint + "/_standin/outage", json={"status": 503}, timeout=5).raise_for_status()
    try:
        conversation_id = desk.customer_writes("+12065550802")
    finally:
        requests.delete(standin.endpoint + "/_standin/outage", timeout=5).raise_for_status()
    assert desk.offered_to(conversation_id) == "cy"


def test_an_erasure_tells_whoever_showed_the_conversation(desk, standin):
    desk.agent("dee")
    conversation_id = desk.customer_writes("+12065550803", body="Erase me")
    desk.services.distribution.assignments.accept(conversation_id, desk.scopes["dee"])
    standin.reset_calls()
    desk.services.customer_data.erasure.start({"address": "+12065550803"}, ALICE.principal.actor)
    dee, ws = object_id_of("dee"), desk.workstream_id
    assert sorted(audiences(standin)) == sorted([f"user:{dee}", f"group:{workstream_group(ws)}", f"group:{ADMINS}"])
    assert all("+1206" not in c["body"] and "Erase me" not in c["body"] for c in standin.calls())
