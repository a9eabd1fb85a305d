"""Search on real storage (Azurite): a customer's number in any written form, a word of the
contact's name, a label or an id finds the conversation, within the caller's scope, a page
at a time; an erasure leaves nothing for a search to find."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from core.identity import AGENT
from tests.support.desk import open_desk
from tests.support.scopes import ALICE
from tests.support.tables import every_row, naming

CHICAGO, SEATTLE = "+13125467890", "+12065550100"


@pytest.fixture
def desk(make_services, clock):
    desk = open_desk(make_services(), clock)
    desk.services.admin.contacts.create({"mobile_phone": CHICAGO, "name": "Ada Lovelace"})
    desk.services.admin.labels.create({"name": "VIP"})
    return desk


def found(desk, text: str, scope=ALICE, limit: int = 20, token: str | None = None) -> list[str]:
    return [c.id for c in desk.services.distribution.search.find(scope, text, limit, token).conversations]


def test_a_number_in_any_written_form_a_name_a_label_or_an_id_finds_it(desk):
    ada = desk.customer_writes(CHICAGO, "hello")
    other = desk.customer_writes(SEATTLE, "hi")
    for written in ("(312) 546-7890", "312.546.7890", "+1 312 546 7890", "13125467890", "546-7890"):
        assert found(desk, written) == [ada], written
    assert found(desk, "ada") == [ada] and found(desk, "LOVELACE") == [ada] and found(desk, "Lov") == [ada]
    assert found(desk, "0100") == [other]
    assert found(desk, "VIP") == []
    desk.services.messaging.actions.label(other, ["vip"], ALICE)
    assert found(desk, "vip") == [other]
    assert found(desk, other) == [other]
    assert found(desk, "Grace") == []
    with pytest.raises(ValidationFailed):
        found(desk, " ")


def test_a_name_is_found_with_or_without_its_accents(desk):
    desk.services.admin.contacts.create({"mobile_phone": "+14155550123", "name": "José Núñez"})
    jose = desk.customer_writes("+14155550123", "hola")
    for typed in ("jose", "José", "JOSE", "nunez", "Núñez", "Nú", "nu"):
        assert found(desk, typed) == [jose], typed
    assert found(desk, "josie") == []


def test_only_what_the_caller_may_see_a_page_at_a_time(desk, clock):
    first = desk.customer_writes(CHICAGO, "hello")
    desk.services.messaging.actions.close(first, ALICE)
    second = desk.customer_writes(CHICAGO, "me again")
    page = desk.services.distribution.search.find(ALICE, "5467890", 1)
    assert [c.id for c in page.conversations] == [second] and page.next is not None
    assert found(desk, "5467890", token=page.next, limit=1) == [first]

    stranger = desk.agent("zed", queue=None, roles=(AGENT,), available=False)
    desk.services.admin.directory.update(stranger.principal.id, {"queues": []})
    outsider = desk.services.admin.directory.scope(stranger.principal)
    assert found(desk, "5467890", scope=outsider) == []


def test_an_erasure_leaves_nothing_to_find(desk, azurite, table_prefix):
    cid = desk.customer_writes(CHICAGO, "hello")
    desk.services.messaging.actions.label(cid, ["VIP"], ALICE)
    reversed_digits = "13125467890"[::-1]
    assert naming(every_row(azurite.connection_string, table_prefix), {reversed_digits}) != []
    desk.services.customer_data.erasure.start({"address": CHICAGO}, ALICE.principal.actor)
    assert found(desk, "5467890") == [] and found(desk, "ada") == []
    assert naming(every_row(azurite.connection_string, table_prefix), {reversed_digits, "lovelace"}) == []
