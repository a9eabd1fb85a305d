"""The corners of a send's protocol that an independent review found open: a request slower
than its guard, a try in doubt on the last attempt, a try row whose own write came back as
a conflict, a send recorded after a report had already recorded it, a storage failure
while a retry is marked, and a provider that cannot be asked. On real storage, with a
recording stand-in for Twilio; each ends with the message sent once, or failed for a
stated reason, never owed with no job to finish it."""

from __future__ import annotations

import time

import pytest
import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError

from channels.clients import may_have_reached
from channels.twilio_api import TwilioSender
from core.ids import thread_of
from core.messages import StatusUpdate
from core.ports import JobGone
from core.records import Attempt, Message
from storage.attempts import _entity
from tests.support.outbox import drain, jobs, queue_client
from tests.support.scopes import ALICE
from tests.support.storage import BodyOutage
from tests.support.twilio import ACCOUNT_SID, BUSINESS_E164, CUSTOMER, account_body, inbound, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
BASE = "https://sb.example.com"
UNAVAILABLE = (503, {"code": 20503, "message": "Service unavailable"})


@pytest.fixture
def hooks(request):
    return getattr(request, "param", [])


@pytest.fixture
def world(make_services, twilio_api, hooks):
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)},
                             request_hooks=hooks)
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id
    return services, account, cid


def outbound(services, cid):
    return [(m.status, m.provider_message_id) for m in services.messaging.actions.get(cid, ALICE).messages
            if m.direction == "outbound"]


def answers(*replies):
    """Twilio's answers in turn (the last one repeats); a callable is called."""
    replies = list(replies)

    def answer(_request):
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return reply() if callable(reply) else reply

    return answer


def taken_too_late(sid: str):
    def late():
        time.sleep(1.5)  # past the sender's timeout: Twilio took it, its answer never came back
        return message_created(sid)

    return late


def test_a_guard_taken_while_the_request_tried_leaves_a_job_for_the_retry(world, twilio_api, monkeypatch):
    services, _, cid = world
    twilio_api.on("POST", MESSAGES, answers(UNAVAILABLE, message_created("SMafter")))
    queue, client = services.stores.queue, queue_client(services)
    update = queue.update

    def taken(ticket, job, delay):  # the guard came due during the try: a worker ran it and deleted it
        client.delete_message(ticket.id, ticket.receipt)
        raise JobGone("taken")

    monkeypatch.setattr(queue, "update", taken)
    assert services.messaging.outbox.reply(cid, "Hello", ALICE, BASE).status == "retrying"
    monkeypatch.setattr(queue, "update", update)
    assert client.get_queue_properties().approximate_message_count == 1  # a job owes the retry
    drain(services)
    assert outbound(services, cid) == [("queued", "SMafter")]


def test_a_guard_that_finds_no_message_yet_comes_back_while_its_request_may_still_be_storing(world, clock):
    services, _, cid = world
    young = {"kind": "send", "conversation_id": cid, "message_id": "f" * 32, "base_url": BASE,
             "at": clock.now.isoformat()}
    services.messaging.outbox.run_job(young)
    assert queue_client(services).get_queue_properties().approximate_message_count == 1
    clock.advance(minutes=10)
    queue_client(services).clear_messages()
    services.messaging.outbox.run_job(young)  # its request is long gone: nothing more is owed
    assert queue_client(services).get_queue_properties().approximate_message_count == 0


def test_a_last_try_without_an_answer_is_asked_about_not_failed(make_services, settings_env, twilio_api, clock):
    settings_env["OUTBOX_MAX_ATTEMPTS"] = "1"
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)})
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id
    twilio_api.on("POST", MESSAGES, answers(taken_too_late("SMlast")))
    assert services.messaging.outbox.reply(cid, "Hello", ALICE, BASE).status == "retrying"  # not a 502
    clock.advance(seconds=3)
    drain(services)
    assert outbound(services, cid) == [("queued", "SMlast")]
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


def test_a_try_row_its_own_client_sent_again_is_still_its_own(world, clock):
    # Storage may take a write and answer 5xx (OperationTimedOut); the SDK then sends it
    # again and meets the row: the try is still this call's, and nobody else's.
    services, _, cid = world
    store, message = services.stores.attempts, Message("f" * 32, cid, "outbound", "Hi", (), "sending", None,
                                                       clock.now, seq=7)
    first = _entity(message, Attempt(1, clock.now, 1, clock.now))
    assert store._create([("create", first)]) is True  # noqa: SLF001 - the SDK's resend, below the port
    assert store._create([("create", first)]) is True  # noqa: SLF001
    assert store.claim(message, Attempt(1, clock.now, 1, clock.now)) is False  # another call's


@pytest.mark.parametrize("hooks", [[BodyOutage(b"SMrecorded")]], indirect=True)
def test_a_send_recorded_after_a_report_recorded_it_keeps_the_reports_status(world, hooks, twilio_api):
    services, account, cid = world
    twilio_api.on("POST", MESSAGES, message_created("SMrecorded"))
    hooks[0].on = True  # the send's own record fails: a record job will do it
    message = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    hooks[0].on = False
    services.messaging.ingest.status(StatusUpdate("twilio", account.id, "SMrecorded", "delivered", BUSINESS_E164,
                                                  CUSTOMER, message_id=message.id))  # the report comes first
    drain(services)  # then the record job
    assert outbound(services, cid) == [("delivered", "SMrecorded")]


def test_a_try_that_failed_after_a_report_recorded_its_send_leaves_it_sent(world, twilio_api):
    services, account, cid = world
    twilio_api.on("POST", MESSAGES, message_created("SMkept"))
    message = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    thread = thread_of(message.conversation_id)
    services.stores.threads.mark_retrying(thread, message, "20500", "late", 1, in_doubt=True)
    services.stores.threads.mark_failed(thread, message, "20500", "late")
    assert outbound(services, cid) == [("queued", "SMkept")]


@pytest.mark.parametrize("hooks", [[BodyOutage(b'"retrying"', text=True)]], indirect=True)
def test_a_retry_whose_mark_storage_refused_is_answered_retrying_and_sent_once(world, hooks, twilio_api, clock):
    services, _, cid = world
    twilio_api.on("POST", MESSAGES, answers(UNAVAILABLE, message_created("SMlater")))
    hooks[0].on = True
    assert services.messaging.outbox.reply(cid, "Hello", ALICE, BASE).status == "retrying"  # not a 503
    hooks[0].on = False
    clock.advance(seconds=3)  # unmarked, its try looks open: Twilio is asked before it is tried again
    drain(services)
    assert outbound(services, cid) == [("queued", "SMlater")]
    assert len(twilio_api.calls("POST", MESSAGES)) == 2


def test_a_try_in_doubt_whose_provider_cannot_be_asked_fails_once_its_tries_are_out(make_services, settings_env,
                                                                                      twilio_api, clock):
    settings_env["OUTBOX_MAX_ATTEMPTS"] = "2"
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)})
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id
    twilio_api.on("POST", MESSAGES, answers(taken_too_late("SMunknown")))
    twilio_api.on("GET", MESSAGES, (401, {"code": 20003, "message": "Authenticate"}))
    services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    clock.advance(seconds=3)
    drain(services, timeout=30)
    [(status, _)] = outbound(services, cid)
    assert status == "failed" and len(twilio_api.calls("POST", MESSAGES)) == 1
    assert len(jobs(queue_client(services, poison=True))) == 1


@pytest.mark.parametrize("error,reached", [
    (requests.ConnectTimeout(), False),
    (requests.ConnectionError(type("Retry", (), {"reason": NewConnectionError(None, "refused")})()), False),
    (requests.ConnectionError(type("Retry", (), {"reason": ConnectTimeoutError()})()), False),
    (requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())), True),
    (requests.ReadTimeout(), True),
], ids=["connect-timeout", "refused", "connect-timed-out", "reset-after-sending", "read-timeout"])
def test_a_call_that_broke_after_the_connection_was_made_may_have_reached_the_provider(error, reached):
    assert may_have_reached(error) is reached
