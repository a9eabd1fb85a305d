"""Internal notes on real storage (Azurite) with the Twilio stand-in and the Web PubSub
stand-in: a note is kept in the conversation and never reaches the provider, answers
nobody, is exported marked as a note, tells whom it names, and is erased with the rest."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from channels.twilio_api import TwilioSender
from core.errors import ValidationFailed
from core.identity import SUPERVISOR
from core.records import NOTE
from localhost.easyauth import object_id_of
from push.webpubsub import WebPubSub
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.tables import every_row, naming
from tests.support.twilio import MESSAGES_PATH

@pytest.fixture
def desk(make_services, clock, standin, provider):
    services = make_services(realtime=WebPubSub.connect(standin.hub, connection_string=standin.connection_string),
                             senders={"twilio": TwilioSender(provider.base_url)})
    desk = open_desk(services, clock)
    for name in ("Ana", "Ana Lima"):
        desk.agent(name)
    desk.agent("Sue", roles=(SUPERVISOR,), available=False)
    return desk


def mentions(standin) -> list[tuple[str, dict]]:
    found = []
    for call in standin.calls():
        parts = call["path"].split("/")
        if call["method"] == "POST" and parts[-1] == ":send" and json.loads(call["body"]).get("type") == "mention":
            found.append((unquote(parts[-2]), json.loads(call["body"])))
    return found


def test_a_note_is_kept_never_sent_answers_nobody_and_tells_whom_it_names(desk, standin, provider):
    ana = desk.scopes["Ana"]
    cid = desk.customer_writes(customer(1), "my order is late")
    desk.services.distribution.assignments.accept(cid, ana)
    before = desk.conversation(cid)
    standin.reset_calls()

    noted = desk.services.messaging.notes.add(cid, "Refund approved? @sue please check, cc @ANA LIMA.", ana)

    assert [a.name for a in noted.mentioned] == ["Ana Lima", "Sue"]
    assert sorted(to for to, _ in mentions(standin)) == sorted([object_id_of("Ana Lima"), object_id_of("Sue")])
    assert all(set(data) == {"type", "conversation_id", "version"} for _, data in mentions(standin))
    c = desk.conversation(cid)
    [note] = [m for m in c.messages if m.direction == NOTE]
    assert (note.body, note.agent.name, note.status) == ("Refund approved? @sue please check, cc @ANA LIMA.", "Ana",
                                                           "noted")
    assert provider.calls("POST", MESSAGES_PATH) == []
    assert c.facts == before.facts and c.facts.first_agent_reply_at is None  # no answer
    with pytest.raises(ValidationFailed):
        desk.services.messaging.notes.add(cid, "  ", ana)


def test_an_email_address_in_a_note_names_nobody(desk, standin):
    ana = desk.scopes["Ana"]
    cid = desk.customer_writes(customer(3), "please write to me")
    standin.reset_calls()
    noted = desk.services.messaging.notes.add(cid, "She asked us to write to mail@sue or to x@@Sue, not by SMS", ana)
    assert not noted.mentioned and mentions(standin) == []


def test_a_note_is_exported_marked_and_erased_with_its_conversation(desk, azurite, table_prefix):
    ana = desk.scopes["Ana"]
    cid = desk.customer_writes(customer(2), "hello")
    note = desk.services.messaging.notes.add(cid, "Asked for a callback on Monday", ana).message
    assert [m.direction for m in desk.conversation(cid).messages] == ["inbound", NOTE]
    assert naming(every_row(azurite.connection_string, table_prefix), {note.id}) != []

    desk.services.customer_data.erasure.start({"address": customer(2)}, ALICE.principal.actor)
    assert naming(every_row(azurite.connection_string, table_prefix), {note.id, "Asked for a callback"}) == []
