"""Erasing a customer on real storage: afterwards no table in the storage account holds a
row that names their number or any of their ids; an opt-out stays, hashed; an outage
halfway leaves a job that finishes on retry or on the timer."""

from __future__ import annotations

from dataclasses import replace

import pytest
from channels.twilio_api import TwilioSender
from core.errors import NotFound, RecipientOptedOut, StorageUnavailable, ValidationFailed
from core.idempotency import Answer
from core.ids import thread_key
from core.messages import StatusUpdate
from functions.views import message_view
from storage.thread_rows import message_key
from tests.integration.test_inbox_upgrade import as_before
from tests.support.desk import open_desk
from tests.support.scopes import ALICE
from tests.support.storage import BodyOutage, HeldAt
from tests.support.tables import every_row, naming
from tests.support.twilio import ACCOUNT_SID, BUSINESS_E164, account_body, inbound, message_created

CUSTOMER, OTHER = "+12065550101", "+12065550102"
SECOND_BUSINESS = "+14252306550"
BASE = "https://sb.example.com"
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture
def shop(make_services, twilio_api, clock):
    """Two accounts; the customer has an agent's answered, closed conversation (sent under
    an Idempotency-Key, due for deletion in 30 days), a contact (its creation audited), a
    STOP, and a live conversation offered to an agent in the first; a conversation in the
    second; another customer has one too."""
    twilio_api.on("POST", MESSAGES, message_created("SMreply"))
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url)})
    desk = open_desk(services, clock)
    bob = desk.agent("bob")
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": 30})
    body = {"mobile_phone": CUSTOMER, "name": "Maria Garcia"}
    contact = services.admin.contacts.create(body)
    services.customer_data.audit.record(ALICE.principal, "203.0.113.5", "contact.create", contact.id, body)
    first = desk.customer_writes(CUSTOMER, "My card was charged twice")
    services.distribution.assignments.accept(first, bob)
    answer = lambda: Answer(201, message_view(services.messaging.outbox.reply(first, "Sorry, refunding it", bob, BASE)))
    services.messaging.idempotency.run(bob.principal.id, "key-1", "fp", answer)
    services.messaging.actions.close(first, bob)
    desk.customer_writes(CUSTOMER, "STOP")
    live = desk.customer_writes(CUSTOMER, "one more thing")
    second = services.admin.accounts.create(account_body(name="Second", numbers=[
        {"number": SECOND_BUSINESS, "type": "long_code"}]))
    services.messaging.ingest.message(second, replace(inbound(second.id, "SMsecond", "hi", CUSTOMER), business=SECOND_BUSINESS))
    kept = desk.customer_writes(OTHER, "I stay")
    return services, desk, second, {"first": first, "live": live, "kept": kept}


def ids_in(services, thread: str, contacts: bool = True) -> set[str]:
    contents = services.customer_data.purge.read_thread(thread)
    ids = {c.id for c in contents.conversations}
    ids |= {m.id for c in contents.conversations for m in c.messages}
    ids |= {m.provider_message_id for c in contents.conversations for m in c.messages if m.provider_message_id}
    return ids | ({c.contact_id for c in contents.conversations if c.contact_id} if contacts else set())


def test_erasure_leaves_no_row_naming_the_customer_and_keeps_the_hashed_opt_out(shop, azurite, table_prefix):
    services, desk, second, ids = shop
    threads = [thread_key(desk.account.id, BUSINESS_E164, CUSTOMER), thread_key(second.id, SECOND_BUSINESS, CUSTOMER)]
    needles = {CUSTOMER, CUSTOMER[1:], *threads, *ids_in(services, threads[0]), *ids_in(services, threads[1])}
    before = every_row(azurite.connection_string, table_prefix)
    assert {t for t, _, _ in naming(before, needles)} >= {f"{table_prefix}{t}" for t in (
        "Threads", "Inbox", "Deadlines", "Timers", "Retention", "Agentstates", "Idempotency", "Contacts",
        "Directory")}

    job = services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)

    after = every_row(azurite.connection_string, table_prefix)
    audit = after.pop(f"{table_prefix}Audit")  # kept whole, never edited: it names the contact's id, no number
    assert len(after) == 15  # and accounts, workstreams, agents, optouts, erasures, reports (unnamed counts)
    assert naming(after, needles) == [] and naming({"audit": audit}, {CUSTOMER, CUSTOMER[1:]}) == []
    assert job.state == "done" and job.kept == {"optouts": 1}
    assert job.erased["threads"] > 0 and job.erased["contacts"] == 1 and job.erased["idempotency"] == 1
    assert len(after[f"{table_prefix}Optouts"]) == 1
    other = services.messaging.actions.get(ids["kept"], ALICE)
    assert other.customer == OTHER and len(other.messages) == 1
    assert services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor).id == job.id  # the same job


def test_an_erased_customer_who_had_opted_out_is_still_opted_out(shop, twilio_api):
    services, desk, _, _ = shop
    services.customer_data.erasure.start({"address": CUSTOMER[1:]}, ALICE.principal.actor)
    again = desk.customer_writes(CUSTOMER, "hello?")
    conversation = services.messaging.actions.get(again, ALICE)
    assert (conversation.consent.state, conversation.consent.source) == ("opted_out", "kept_opt_out")
    with pytest.raises(RecipientOptedOut):
        services.messaging.outbox.reply(again, "welcome back", ALICE, BASE)
    desk.customer_writes(CUSTOMER, "START")
    assert services.messaging.actions.get(again, ALICE).consent.state == "opted_in"


def test_erasure_within_one_account_leaves_the_others(shop):
    services, desk, second, _ = shop
    job = services.customer_data.erasure.start({"address": CUSTOMER, "account_id": second.id}, ALICE.principal.actor)
    assert job.kept == {} and "contacts" not in job.erased  # contacts belong to no one account
    assert services.customer_data.purge.read_thread(thread_key(second.id, SECOND_BUSINESS, CUSTOMER)).head is None
    assert services.customer_data.purge.read_thread(thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)).head is not None


@pytest.mark.parametrize("empty", ["", [], {}, 0, False])
def test_an_empty_account_id_is_refused_not_read_as_every_account(shop, empty):
    services, desk, second, _ = shop
    body = {"address": CUSTOMER, "account_id": empty}
    for asked in (lambda: services.customer_data.erasure.start(body, ALICE.principal.actor),
                  lambda: services.customer_data.exports.customer(body)):
        with pytest.raises(ValidationFailed) as refused:
            asked()
        assert refused.value.field == "account_id"
    for account, business in ((desk.account.id, BUSINESS_E164), (second.id, SECOND_BUSINESS)):
        assert services.customer_data.purge.read_thread(thread_key(account, business, CUSTOMER)).head is not None


def test_erasure_cut_short_by_an_outage_finishes_on_retry_and_on_the_timer(make_services, shop, azurite,
                                                                           table_prefix):
    services, desk, second, _ = shop
    outage = BodyOutage(f"{table_prefix}Threads".encode())
    broken = make_services(request_hooks=[outage])
    threads = [thread_key(desk.account.id, BUSINESS_E164, CUSTOMER), thread_key(second.id, SECOND_BUSINESS, CUSTOMER)]
    needles = {CUSTOMER, CUSTOMER[1:], *threads, *ids_in(services, threads[0]), *ids_in(services, threads[1])}
    outage.on = True
    with pytest.raises(StorageUnavailable):
        broken.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)
    left = every_row(azurite.connection_string, table_prefix)
    assert naming(left, needles)  # the threads are still there ...
    jobs = left[f"{table_prefix}Erasures"]
    assert [j["PartitionKey"] for j in jobs] == ["running"] and CUSTOMER[1:] not in str(jobs)  # ... and sealed
    outage.on = False
    assert broken.customer_data.erasure.resume() == 1
    finished = every_row(azurite.connection_string, table_prefix)
    finished.pop(f"{table_prefix}Audit")
    assert naming(finished, needles) == []
    job = broken.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)
    assert job.state == "done" and job.erased["threads"] > 0


def test_a_conversation_on_a_number_its_account_dropped_is_found_through_the_index(shop, azurite, table_prefix):
    services, desk, second, _ = shop
    thread = thread_key(second.id, SECOND_BUSINESS, CUSTOMER)
    needles = {thread, *ids_in(services, thread, contacts=False)}  # the contact is every account's
    services.admin.accounts.update(second.id, {"numbers": [{"number": "+14252306551", "type": "long_code"}]})
    services.customer_data.erasure.start({"address": CUSTOMER, "account_id": second.id}, ALICE.principal.actor)
    assert naming(every_row(azurite.connection_string, table_prefix), needles) == []


def test_a_conversation_the_index_lists_only_in_its_earlier_layout_is_found_and_all_its_rows_go(shop, azurite,
                                                                                                table_prefix):
    """During the index's upgrade (tests/integration/test_inbox_upgrade.py), on a number
    its account has dropped: only the earlier layout lists the thread."""
    services, desk, second, _ = shop
    thread = thread_key(second.id, SECOND_BUSINESS, CUSTOMER)
    needles = {thread, *ids_in(services, thread, contacts=False)}
    as_before(services, [c.id for c in services.customer_data.purge.read_thread(thread).conversations])
    services.admin.accounts.update(second.id, {"numbers": [{"number": "+14252306551", "type": "long_code"}]})
    services.customer_data.erasure.start({"address": CUSTOMER, "account_id": second.id}, ALICE.principal.actor)
    assert naming(every_row(azurite.connection_string, table_prefix), needles) == []


def test_a_delivery_report_that_arrives_after_the_erasure_stores_nothing(shop, azurite, table_prefix):
    services, desk, _, _ = shop
    thread = thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)
    services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)
    late = StatusUpdate("twilio", desk.account.id, "SMreply", "delivered", BUSINESS_E164, CUSTOMER)
    unknown = StatusUpdate("twilio", desk.account.id, "SMnever", "sent", BUSINESS_E164, CUSTOMER)
    assert services.messaging.ingest.status(late) is False and services.messaging.ingest.status(unknown) is False
    assert naming(every_row(azurite.connection_string, table_prefix), {thread}) == []


def test_a_report_racing_the_erasure_finds_its_message_gone_and_is_dropped(shop):
    services, desk, _, ids = shop
    thread = thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)
    [reply] = [m for m in services.messaging.actions.get(ids["first"], ALICE).messages if m.provider_message_id == "SMreply"]
    services.stores.storage.table("threads").delete_entity(thread, message_key(ids["first"], reply.seq))  # erased first
    report = StatusUpdate("twilio", desk.account.id, "SMreply", "delivered", BUSINESS_E164, CUSTOMER)
    assert services.messaging.ingest.status(report) is False  # its marker is erased next


def test_a_send_recorded_while_its_thread_is_erased_leaves_no_marker(shop, azurite, table_prefix, monkeypatch):
    services, desk, _, _ = shop
    thread = thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)
    delete, raced = services.customer_data.purge._delete, []  # noqa: SLF001 - the race needs to be right there

    def racing(table: str, keys: list) -> int:
        if table == "threads" and keys and not raced:  # a send's record lands after the thread was read
            raced.append(services.stores.storage.table("threads").create_entity(
                {"PartitionKey": thread, "RowKey": "p|SMlate", "Kind": "marker"}))
        return delete(table, keys)

    monkeypatch.setattr(services.customer_data.purge, "_delete", racing)
    services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)
    assert raced and naming(every_row(azurite.connection_string, table_prefix), {thread}) == []


def test_a_conversation_moved_while_its_thread_is_erased_leaves_no_list_row(shop, azurite, table_prefix,
                                                                            monkeypatch):
    services, desk, _, ids = shop
    thread = thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)
    purge = services.customer_data.purge
    delete, raced = purge._delete, []  # noqa: SLF001 - the race needs to be right there

    def racing(table: str, keys: list) -> int:
        if table == "inbox" and not raced:  # an agent accepts it after the thread was read
            raced.append(services.distribution.assignments.accept(ids["live"], desk.scopes["bob"]))
        return delete(table, keys)

    monkeypatch.setattr(purge, "_delete", racing)
    services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)
    assert raced and naming(every_row(azurite.connection_string, table_prefix), {thread}) == []


def test_a_close_racing_the_erasure_is_asked_again_and_finds_its_conversation_gone(shop, make_services,
                                                                                    table_prefix):
    """Bob closes the live conversation (on another instance); the erasure deletes its
    thread between his read and his commit: the close answers 503 (ask again), not an
    error of storage's, and asked again, that the conversation is not there (404)."""
    services, desk, _, ids = shop
    held = HeldAt(f"{table_prefix}Threads")
    other = make_services(request_hooks=[held])
    erase = lambda: services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)  # noqa: E731
    with pytest.raises(StorageUnavailable):
        held.meanwhile(lambda: other.messaging.actions.close(ids["live"], desk.scopes["bob"]), erase)
    with pytest.raises(NotFound):
        other.messaging.actions.close(ids["live"], desk.scopes["bob"])


def test_a_message_racing_the_erasure_leaves_nothing_of_the_customer(shop, make_services, azurite, table_prefix):
    """The customer writes into the live conversation while it is erased, the message's
    commit between the erasure's deletion of the head and its last sweep: the message is
    refused for now (503: the provider sends it again), and nothing names the customer,
    no conversation half made anew."""
    services, desk, _, _ = shop
    held = HeldAt(f"{table_prefix}Threads")
    other = make_services(request_hooks=[held])
    thread = thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)
    erase = lambda: services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)  # noqa: E731
    writes = lambda: other.messaging.ingest.message(desk.account, inbound(desk.account.id, "SMrace", "still there?",
                                                                          customer=CUSTOMER))  # noqa: E731
    with pytest.raises(StorageUnavailable):
        held.meanwhile(writes, erase)
    assert naming(every_row(azurite.connection_string, table_prefix), {thread, CUSTOMER, CUSTOMER[1:]}) == []


def test_a_commit_that_finds_its_head_deleted_leaves_no_job(shop, make_services, table_prefix):
    """The head goes (as the erasure deletes it, after the timers rows it knew of) between
    Bob's read and his commit: the commit fails, and the move's job it wrote goes with it,
    not left naming the conversation for the timer."""
    services, desk, _, ids = shop
    held = HeldAt(f"{table_prefix}Threads")
    other = make_services(request_hooks=[held])
    thread = thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)
    delete_head = lambda: services.stores.storage.table("threads").delete_entity(thread, "head")  # noqa: E731
    with pytest.raises(StorageUnavailable):
        held.meanwhile(lambda: other.messaging.actions.close(ids["live"], desk.scopes["bob"]), delete_head)
    assert not [r for r in services.stores.storage.table("timers").list_entities()
                if r["RowKey"].startswith(f"place|{ids['live']}|")]


def test_a_send_recorded_after_its_message_was_erased_records_nothing(shop, azurite, table_prefix):
    """The provider took a reply whose message the erasure deleted before its send was
    recorded: recording it stores nothing (no marker naming it) and fails nothing."""
    services, desk, _, ids = shop
    thread = thread_key(desk.account.id, BUSINESS_E164, CUSTOMER)
    [reply] = [m for m in services.messaging.actions.get(ids["first"], ALICE).messages if m.provider_message_id == "SMreply"]
    services.stores.storage.table("threads").delete_entity(thread, message_key(ids["first"], reply.seq))  # erased
    services.stores.threads.record_sent(thread, reply, "SMafter", "sent")
    assert not [r for r in services.stores.storage.table("threads").list_entities() if "SMafter" in r["RowKey"]]


@pytest.fixture
def expired_opt_out(make_services, twilio_api, clock):
    """A customer's conversation kept for good (closed before the workstream set a retention),
    then a STOP in a conversation that retention deleted with the thread's head: only the
    hashed opt-out says the customer opted out."""
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url)})
    desk = open_desk(services, clock)
    services.messaging.actions.close(desk.customer_writes(CUSTOMER, "Hi there"), ALICE)
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": 1})
    services.messaging.actions.close(desk.customer_writes(CUSTOMER, "STOP"), ALICE)
    clock.advance(days=2)
    assert services.customer_data.retention.run()["deleted"] == 1
    return services, desk


def test_an_erasure_keeps_an_opt_out_whose_head_retention_deleted(expired_opt_out, twilio_api):
    services, desk = expired_opt_out
    job = services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)
    assert job.kept == {"optouts": 1}
    again = desk.customer_writes(CUSTOMER, "Hello again")
    assert services.messaging.actions.get(again, ALICE).consent.source == "kept_opt_out"
    with pytest.raises(RecipientOptedOut):
        services.messaging.outbox.reply(again, "A deal for you", ALICE, BASE)
    assert twilio_api.requests == []


def test_a_subject_access_export_names_an_opt_out_kept_after_its_conversations_went(expired_opt_out):
    services, _ = expired_opt_out
    assert services.customer_data.exports.customer({"address": CUSTOMER}).opted_out_on == [BUSINESS_E164]
    services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor)
    assert services.customer_data.exports.customer({"address": CUSTOMER}).opted_out_on == [BUSINESS_E164]
    assert services.customer_data.exports.customer({"address": OTHER}).opted_out_on == []


def test_an_erasure_keeps_no_opt_out_the_customer_took_back_before_retention_went(make_services, twilio_api, clock):
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url)})
    desk = open_desk(services, clock)
    services.messaging.actions.close(desk.customer_writes(CUSTOMER, "STOP"), ALICE)  # kept: no retention yet
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": 1})
    services.messaging.actions.close(desk.customer_writes(CUSTOMER, "START"), ALICE)
    clock.advance(days=2)
    assert services.customer_data.retention.run()["deleted"] == 1  # the head went opted in: no opt-out kept
    assert services.customer_data.exports.customer({"address": CUSTOMER}).opted_out_on == []
    assert services.customer_data.erasure.start({"address": CUSTOMER}, ALICE.principal.actor).kept == {}
    again = desk.customer_writes(CUSTOMER, "Hello again")
    assert services.messaging.actions.get(again, ALICE).consent.state == "opted_in"
