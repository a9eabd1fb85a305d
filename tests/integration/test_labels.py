"""Labels on real storage (Azurite): admins define them, agents put them on conversations,
lists show them (a change of labels re-places the conversation), reports group by them,
and nothing unknown is kept."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.distribution.inboxes import Query
from core.errors import Conflict, NotFound, ValidationFailed
from core.reports import LABEL, ReportQuery
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE


@pytest.fixture
def desk(make_services, clock):
    desk = open_desk(make_services(), clock)
    for name, colour in (("VIP", "#D4A72C"), ("Billing", "#1f6feb")):
        desk.services.admin.labels.create({"name": name, "colour": colour})
    return desk


def listed(desk, cid: str) -> tuple[str, ...]:
    query = Query("workstream", desk.workstream_id)
    [found] = [c for c in desk.services.distribution.inboxes.page(ALICE, query, 100).conversations if c.id == cid]
    return found.labels


def test_labels_are_kept_as_the_catalogue_spells_them_and_lists_show_them(desk):
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1), "my invoice")
    labelled = desk.services.messaging.actions.label(cid, ["billing", "vip", "BILLING"], ana)
    assert labelled.labels == ("Billing", "VIP") and listed(desk, cid) == ("Billing", "VIP")
    assert desk.services.messaging.actions.label(cid, [], ana).labels == () and listed(desk, cid) == ()
    with pytest.raises(ValidationFailed) as unknown:
        desk.services.messaging.actions.label(cid, ["Billing", "Urgent"], ana)
    assert unknown.value.field == "labels[1]"
    with pytest.raises(ValidationFailed) as colour:
        desk.services.admin.labels.create({"name": "Urgent", "colour": "red"})
    assert colour.value.field == "colour"
    with pytest.raises(Conflict) as twice:
        desk.services.admin.labels.create({"name": "vip"})
    assert twice.value.code == "label_exists"


def test_a_name_with_characters_storage_keys_refuse_is_kept_found_and_deleted(desk):
    """Names may hold # (C#), which a storage key may not: a label and a skill named so are
    kept, found whatever the case, put on a conversation and deleted; a name from a URL with
    a / is nobody's (404), not a storage error."""
    services = desk.services
    services.admin.labels.create({"name": "C# & .NET", "colour": "#1f6feb"})
    services.admin.skills.create({"name": "C#"})
    cid = desk.customer_writes(customer(2))
    assert services.messaging.actions.label(cid, ["c# & .net"], desk.agent("ana")).labels == ("C# & .NET",)
    assert [s.name for s in services.admin.skills.list()] == ["C#"]
    services.admin.labels.delete("C# & .NET")
    services.admin.skills.delete("c#")
    assert services.admin.skills.list() == [] and "C# & .NET" not in [l.name for l in services.admin.labels.list()]
    for delete in (services.admin.labels.delete, services.admin.skills.delete):
        with pytest.raises(NotFound):
            delete("a/b")


def test_reports_group_by_label_and_a_removed_label_keeps_its_name(desk, clock):
    ana = desk.agent("ana")
    first, second, third = (desk.customer_writes(customer(i)) for i in (2, 3, 4))
    desk.services.messaging.actions.label(first, ["VIP", "Billing"], ana)
    desk.services.messaging.actions.label(second, ["Billing"], ana)
    desk.services.admin.labels.delete("billing")
    assert [label.name for label in desk.services.admin.labels.list()] == ["VIP"]
    assert desk.conversation(second).labels == ("Billing",)

    day = clock().date()
    summary = desk.services.reporting.history.summary(ALICE, ReportQuery(day, day, group_by=LABEL))
    counts = {g["label"]: g["conversations"] for g in summary["groups"]}
    assert counts == {"Billing": 2, "VIP": 1, "(no label)": 1} and summary["total"]["conversations"] == 3
    assert third not in (first, second)
