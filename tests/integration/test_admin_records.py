"""Admin records on real storage as they refer to each other: agents' entries of a
workstream deleted or a queue dropped, a queue taken out only when empty, an account
refused while workstreams use it."""

from __future__ import annotations

import pytest

from core.agents import QueueRef
from core.errors import Conflict, ValidationFailed
from core.identity import AGENT, SUPERVISOR
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.twilio import account_body


@pytest.fixture
def desk(make_services):
    return open_desk(make_services(), mode="pick")


def test_a_deleted_workstream_or_queue_leaves_no_entry_an_agent_could_not_be_saved_with(desk):
    directory, admin = desk.services.admin.directory, desk.services.admin.workstreams
    ana = desk.agent("ana", queue="billing", roles=(AGENT, SUPERVISOR), available=False).principal.id
    sales_account = desk.services.admin.accounts.create(
        account_body(numbers=[{"number": "+14252306599", "type": "long_code"}]))
    sales = admin.create({"name": "Sales", "account_id": sales_account.id, "number": "+14252306599"})
    directory.update(ana, {"queues": [{"workstream_id": desk.workstream_id, "queue": "billing"},
                                      {"workstream_id": sales.id, "queue": None}],
                           "supervises": [desk.workstream_id, sales.id]})
    admin.delete(sales.id)
    cid = desk.customer_writes(customer(1))
    desk.services.distribution.assignments.transfer_to_queue(cid, ALICE, "billing")
    with pytest.raises(Conflict) as refused:  # it would wait there for nobody
        admin.update(desk.workstream_id, {"queues": ["general"]})
    assert refused.value.code == "queue_in_use" and cid in refused.value.message
    desk.services.messaging.actions.close(cid, ALICE)
    admin.update(desk.workstream_id, {"queues": ["general"]})  # billing removed, with nothing live in it
    seen = directory.get(ana)  # the deleted workstream gone; the dropped queue kept, as distribution reads it
    assert (seen.queues, seen.supervises) == ((QueueRef(desk.workstream_id, "billing"),), (desk.workstream_id,))
    assert [a.supervises for a in directory.list() if a.id == ana] == [(desk.workstream_id,)]
    # What the admin read is what it saves back.
    queues = [{"workstream_id": q.workstream_id, "queue": q.queue} for q in seen.queues]
    saved = directory.update(ana, {"queues": queues, "supervises": list(seen.supervises), "capacity": {"sms": 4}})
    assert (saved.queues, saved.supervises, saved.capacity["sms"]) == (seen.queues, (desk.workstream_id,), 4)
    assert directory.update(ana, {"name": "Ana B"}).supervises == (desk.workstream_id,)
    with pytest.raises(ValidationFailed):  # a dropped queue is kept, never given anew
        directory.update(desk.agent("bo", available=False).principal.id,
                         {"queues": [{"workstream_id": desk.workstream_id, "queue": "billing"}]})


def test_an_account_in_use_is_refused_naming_each_workstream_that_uses_it(make_services):
    services = make_services()
    numbers = [{"number": n, "type": "long_code"} for n in ("+14252306597", "+14252306598")]
    account = services.admin.accounts.create(account_body(numbers=numbers))
    for name, number in (("Sales", "+14252306597"), ("Billing", "+14252306598")):
        services.admin.workstreams.create({"name": name, "account_id": account.id, "number": number})
    with pytest.raises(Conflict) as refused:
        services.admin.accounts.delete(account.id)
    assert "used by workstreams " in refused.value.message
    assert "Sales (" in refused.value.message and "Billing (" in refused.value.message


def test_a_number_described_with_anything_but_text_is_refused(make_services):
    services = make_services()
    for description in ([], {}, 0, False):
        with pytest.raises(ValidationFailed) as refused:
            services.admin.accounts.create(account_body(numbers=[
                {"number": "+14252306596", "type": "long_code", "description": description}]))
        assert refused.value.field == "numbers[0].description"
    account = services.admin.accounts.create(account_body(numbers=[
        {"number": "+14252306596", "type": "long_code", "description": None}]))
    assert account.numbers[0].description == ""
