"""Every accepted send reaches the provider once, on real storage with a recording stand-in
for Twilio: storage failing at each step around a send, transient and permanent provider
failures, an instance that dies between storing and sending, and the outbox queue that
owes what the request could not finish."""

from __future__ import annotations

import socket
import time

import azure.functions as func
import pytest

from channels.twilio_api import TwilioSender
from core.errors import ProviderError, StorageUnavailable
from core.messages import StatusUpdate
from functions import health
from functions.settings import Settings
from functions.wiring import build
from localhost.services import azurite_connection_string
from storage.outqueue import OutboxQueue, build_queue_service
from tests.support.recorder import recording
from tests.support.outbox import drain, jobs, queue_client
from tests.support.scopes import ALICE
from tests.support.storage import BodyOutage, LostAnswer, Outage
from tests.support.twilio import ACCOUNT_SID, BUSINESS_E164, CUSTOMER, account_body, inbound, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
BASE = "https://sb.example.com"


class Script:
    """Answers Twilio's Messages API from a list, one per call (the last one repeats)."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.accepted = 0

    def __call__(self, _request):
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer):
            answer = answer()
        if answer[0] == 201:
            self.accepted += 1
        return answer


def hang():
    time.sleep(2)  # past the sender's timeout: the answer never comes back in time
    return 500, {"code": 20500, "message": "too late"}


@pytest.fixture
def hooks(request):
    """What breaks storage in a test: {"tables": [...], "queue": [...]}, switched on by the test."""
    return getattr(request, "param", {})


@pytest.fixture
def world(make_services, twilio_api, hooks):
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)},
                             request_hooks=hooks.get("tables", []), queue_hooks=hooks.get("queue", []))
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id
    return services, account, cid


def sent_messages(services, cid):
    return [m for m in services.messaging.actions.get(cid, ALICE).messages if m.direction == "outbound"]


def test_a_transient_failure_is_retried_and_the_message_goes_out_once(world, twilio_api):
    services, _, cid = world
    script = Script((500, {"code": 20500, "message": "Internal error"}), message_created("SMok1"))
    twilio_api.on("POST", MESSAGES, script)
    message = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    assert (message.status, message.error_code) == ("retrying", "20500")
    assert drain(services) >= 1
    [stored] = sent_messages(services, cid)
    assert (stored.status, stored.provider_message_id, stored.attempts) == ("queued", "SMok1", 1)
    assert (stored.error_code, stored.error_message) == (None, None)  # the failed try's error is past
    assert script.accepted == 1 and len(twilio_api.calls("POST", MESSAGES)) == 2


@pytest.mark.parametrize("closed", [False, True], ids=["in-its-conversation", "after-it-closed"])
def test_a_reply_waiting_for_its_retry_is_not_sent_once_the_customer_opts_out(world, twilio_api, closed):
    services, account, cid = world
    script = Script((503, {"code": 20503, "message": "Unavailable"}), message_created("SMlate"))
    twilio_api.on("POST", MESSAGES, script)
    message = services.messaging.outbox.reply(cid, "An offer you did not ask for", ALICE, BASE)
    assert message.status == "retrying"
    if closed:  # the STOP opens the thread's next conversation: consent is the thread's
        services.messaging.actions.close(cid, ALICE)
    services.messaging.ingest.message(account, inbound(account.id, "SMstop", "STOP"))
    assert drain(services) >= 1
    [stored] = sent_messages(services, cid)
    assert (stored.status, stored.error_code, stored.attempts) == ("not_sent", "recipient_opted_out", 1)
    assert script.accepted == 0 and len(twilio_api.calls("POST", MESSAGES)) == 1


def test_a_provider_id_given_twice_leaves_neither_message_sending(world, twilio_api):
    """A stand-in (Prism) answers every send with the same id: each message still records
    its send; delivery reports for that id go to the first."""
    services, _, cid = world
    twilio_api.on("POST", MESSAGES, lambda _r: message_created("SMsame"))
    first = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    second = services.messaging.outbox.reply(cid, "Still there?", ALICE, BASE)
    assert [(m.status, m.provider_message_id) for m in (first, second)] == [("queued", "SMsame")] * 2
    assert [(m.body, m.status, m.provider_message_id) for m in sent_messages(services, cid)] == [
        ("Hello", "queued", "SMsame"), ("Still there?", "queued", "SMsame")]
    account = world[1]
    services.messaging.ingest.status(StatusUpdate("twilio", account.id, "SMsame", "delivered", BUSINESS_E164, CUSTOMER))
    assert [m.status for m in sent_messages(services, cid)] == ["delivered", "queued"]


def test_a_429_waits_at_least_its_retry_after(world, twilio_api):
    services, _, cid = world
    script = Script((429, {"code": 20429, "message": "Too many requests"}, {"Retry-After": "3"}),
                    message_created("SMok2"))
    twilio_api.on("POST", MESSAGES, script)
    started = time.monotonic()
    services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    drain(services)
    assert time.monotonic() - started >= 3 and script.accepted == 1


def test_a_send_whose_answer_never_came_waits_for_the_callback_then_sends_once(world, twilio_api, clock):
    services, account, cid = world
    twilio_api.on("POST", MESSAGES, Script(hang, message_created("SMok3")))
    assert services.messaging.outbox.reply(cid, "Hello", ALICE, BASE).status == "retrying"
    clock.advance(seconds=3)  # past the time a try's answer or callback may take
    drain(services)
    assert [m.status for m in sent_messages(services, cid)] == ["queued"]
    assert len(twilio_api.calls("POST", MESSAGES)) == 2


def test_a_send_twilio_took_without_answering_is_found_by_its_callback(world, twilio_api):
    services, account, cid = world
    twilio_api.on("POST", MESSAGES, Script(hang, message_created("SMnever")))
    message = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    # Twilio did take it: its status callback, whose URL names our message, arrives.
    services.messaging.ingest.status(StatusUpdate("twilio", account.id, "SMtook", "sent", BUSINESS_E164, CUSTOMER,
                                        message_id=message.id))
    drain(services)
    [stored] = sent_messages(services, cid)
    assert (stored.provider_message_id, stored.status, stored.error_code, stored.error_message) == (
        "SMtook", "sent", None, None)  # the timed-out try's error went with its doubt
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


def test_a_permanent_error_is_not_retried(world, twilio_api):
    services, _, cid = world
    twilio_api.on("POST", MESSAGES, (400, {"code": 21211, "message": "The 'To' number is not valid."}))
    with pytest.raises(ProviderError):
        services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    assert drain(services) == 0
    assert [m.status for m in sent_messages(services, cid)] == ["failed"]
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


def test_out_of_tries_it_fails_with_the_reason_and_the_job_is_kept(make_services, settings_env, twilio_api):
    settings_env["OUTBOX_MAX_ATTEMPTS"] = "3"
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)})
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id
    twilio_api.on("POST", MESSAGES, (503, {"code": 20503, "message": "Service unavailable"}))
    services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    drain(services, timeout=30)
    [stored] = sent_messages(services, cid)
    assert (stored.status, stored.error_code, stored.attempts) == ("failed", "20503", 3)  # the last try counted
    assert stored.error_message.endswith("Service unavailable")
    assert len(twilio_api.calls("POST", MESSAGES)) == 3
    [kept] = jobs(queue_client(services, poison=True))
    assert (kept["message_id"], kept["attempt"], kept["provider_code"]) == (stored.id, 3, "20503")
    assert "template" not in kept and "Hello" not in str(kept)


@pytest.mark.parametrize("hooks", [{"tables": [BodyOutage(b"SMrec")]}], indirect=True)
def test_storage_failing_while_the_provider_id_is_recorded_answers_sent_and_records_it_later(world, hooks,
                                                                                              twilio_api):
    services, _, cid = world
    [outage] = hooks["tables"]
    twilio_api.on("POST", MESSAGES, message_created("SMrec"))
    outage.on = True
    message = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    outage.on = False
    assert message.provider_message_id == "SMrec"  # the caller learns it went out: no reason to send again
    assert sent_messages(services, cid)[0].status == "sending"
    drain(services)
    [stored] = sent_messages(services, cid)
    assert (stored.provider_message_id, stored.status) == ("SMrec", "queued")
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


@pytest.mark.parametrize("hooks", [{"tables": [LostAnswer(b"Hello, lost", failures=1)]}], indirect=True)
def test_a_stored_message_whose_answer_was_lost_is_sent_once_when_asked_again_with_its_key(world, hooks, twilio_api):
    services, _, cid = world
    hooks["tables"][0].on = True
    twilio_api.on("POST", MESSAGES, message_created("SMonce"))
    with pytest.raises(StorageUnavailable):  # stored, but the caller hears 503
        services.messaging.outbox.reply(cid, "Hello, lost", ALICE, BASE, key="k-1")
    message = services.messaging.outbox.reply(cid, "Hello, lost", ALICE, BASE, key="k-1")
    assert (message.provider_message_id, message.error_code, message.error_message) == ("SMonce", None, None)
    drain(services)  # the first request's guard finds it sent
    assert [(m.body, m.status) for m in sent_messages(services, cid)] == [("Hello, lost", "queued")]
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


@pytest.mark.parametrize("hooks", [{"tables": [LostAnswer(b"Hello, lost", failures=1)]}], indirect=True)
def test_a_message_its_guard_marked_not_sent_goes_out_when_asked_again_with_its_key(world, hooks, twilio_api, clock):
    services, _, cid = world
    hooks["tables"][0].on = True
    twilio_api.on("POST", MESSAGES, message_created("SMlate"))
    with pytest.raises(StorageUnavailable):  # stored, but the caller hears 503 and goes quiet a while
        services.messaging.outbox.reply(cid, "Hello, lost", ALICE, BASE, key="k-2")
    for _ in range(3):  # its guard marks it not sent
        clock.advance(minutes=5)
        drain(services, timeout=3)
    assert [(m.status, m.error_code) for m in sent_messages(services, cid)] == [("not_sent", "request_failed")]
    message = services.messaging.outbox.reply(cid, "Hello, lost", ALICE, BASE, key="k-2")
    assert (message.provider_message_id, message.error_code, message.error_message) == ("SMlate", None, None)
    [stored] = sent_messages(services, cid)
    assert (stored.status, stored.error_code) == ("queued", None) and len(twilio_api.calls("POST", MESSAGES)) == 1


@pytest.mark.parametrize("hooks", [{"tables": [LostAnswer(b"Hello, lost", failures=3)]}], indirect=True)
def test_a_request_answered_503_after_its_write_landed_leaves_no_phantom(world, hooks, twilio_api):
    services, _, cid = world
    hooks["tables"][0].on = True
    twilio_api.on("POST", MESSAGES, message_created("SMretry"))
    with pytest.raises(StorageUnavailable):
        services.messaging.outbox.reply(cid, "Hello, lost", ALICE, BASE)
    again = services.messaging.outbox.reply(cid, "Hello again", ALICE, BASE)  # the agent sends once more
    drain(services)
    assert [(m.body, m.status) for m in sent_messages(services, cid)] == [("Hello, lost", "not_sent"),
                                                                         ("Hello again", "queued")]
    assert again.provider_message_id == "SMretry" and len(twilio_api.calls("POST", MESSAGES)) == 1


@pytest.mark.parametrize("hooks", [{"queue": [Outage("/messages")]}], indirect=True)
def test_with_the_queue_down_nothing_is_stored_or_sent(world, hooks, twilio_api):
    services, _, cid = world
    hooks["queue"][0].on = True
    with pytest.raises(StorageUnavailable):
        services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    assert sent_messages(services, cid) == [] and twilio_api.calls("POST", MESSAGES) == []


class Killed(Exception):
    """The instance dies (raised from the provider call, before anything is sent)."""


def test_an_instance_killed_between_storing_and_sending_is_made_good_by_the_queue(world, twilio_api, clock):
    services, _, cid = world
    twilio_api.on("POST", MESSAGES, message_created("SMlater"))
    sender = services.messaging.outbox._delivery._senders["twilio"]  # noqa: SLF001 - the crash needs to be right there
    send = sender.send
    sender.send = lambda *_args: (_ for _ in ()).throw(Killed())
    with pytest.raises(Killed):
        services.messaging.outbox.reply(cid, "Hello", ALICE, BASE)
    sender.send = send
    clock.advance(seconds=3)  # the try is in doubt until its lease is over: Twilio is asked, then it is sent
    drain(services)
    assert [(m.status, m.provider_message_id) for m in sent_messages(services, cid)] == [("queued", "SMlater")]
    assert len(twilio_api.calls("POST", MESSAGES)) == 1


def test_one_idempotency_key_stores_and_sends_once(world, twilio_api):
    services, _, cid = world
    twilio_api.on("POST", MESSAGES, message_created("SMkey"))
    first = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE, key="order-17")
    second = services.messaging.outbox.reply(cid, "Hello", ALICE, BASE, key="order-17")
    assert second.id == first.id and len(sent_messages(services, cid)) == 1
    assert len(twilio_api.calls("POST", MESSAGES)) == 1 and drain(services) == 0


def test_health_names_the_queue_when_it_is_down(make_services, monkeypatch):
    outage = Outage("")
    services = make_services(queue_hooks=[outage])
    monkeypatch.setattr(health, "services", lambda: services)
    outage.on = True
    down = health.health(func.HttpRequest("GET", "http://localhost/api/health", body=b""))
    assert down.status_code == 503
    assert b'"queue": "storage_unavailable"' in down.get_body() and b'"tables": "ok"' in down.get_body()


def test_health_names_a_queue_that_hangs_within_its_seconds(settings_env, azurite, monkeypatch):
    """The queue service takes the connection and never answers (a stopped process, say):
    health answers 503 naming it within PING_SECONDS, not after the clients' read timeouts
    and retries (a minute), which a probe would not wait for."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # never accepts: the kernel's backlog takes it
        env = {**settings_env, "AzureWebJobsStorage": azurite_connection_string(
            "127.0.0.1", azurite.port, silent.getsockname()[1])}
        services = build(Settings.from_env(env))
        monkeypatch.setattr(health, "PING_SECONDS", 1.0)
        monkeypatch.setattr(health, "services", lambda: services)
        started = time.monotonic()
        down = health.health(func.HttpRequest("GET", "http://localhost/api/health", body=b""))
        took = time.monotonic() - started
    assert down.status_code == 503 and took < 5, took
    assert b'"queue": "storage_unavailable"' in down.get_body() and b'"tables": "ok"' in down.get_body()


AZURITE_TOO_OLD = (b'<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidHeaderValue</Code><Message>The API '
                   b'version 2026-10-06 is not supported by Azurite. Please upgrade Azurite to latest version and '
                   b'retry.</Message></Error>')


def test_health_names_a_queue_service_that_refuses_the_apps_api_version(settings_env, azurite, monkeypatch, caplog):
    """An Azurite started without --skipApiVersionCheck (as by hand) takes tables but refuses
    the queue SDK's version: health names the queue (503), as for any outage."""
    with recording() as refusing:
        refusing.on("GET", "/.*", (400, AZURITE_TOO_OLD, {"Content-Type": "application/xml",
                                                           "x-ms-error-code": "InvalidHeaderValue"}))
        port = int(refusing.base_url.rsplit(":", 1)[1])
        env = {**settings_env, "AzureWebJobsStorage": azurite_connection_string("127.0.0.1", azurite.port, port)}
        services = build(Settings.from_env(env))
        monkeypatch.setattr(health, "services", lambda: services)
        down = health.health(func.HttpRequest("GET", "http://localhost/api/health", body=b""))
    assert down.status_code == 503
    assert b'"queue": "storage_unavailable"' in down.get_body() and b'"tables": "ok"' in down.get_body()
    assert "does not take the API version" in caplog.text


def test_health_probes_build_the_queue_service_client_once(settings_env):
    """Each probe asks the same client (with managed identity, each new one would fetch a
    token first, outside the ping's seconds)."""
    built = []

    def service():
        built.append(build_queue_service(settings_env["AzureWebJobsStorage"], None))
        return built[-1]

    queue = OutboxQueue(service, settings_env["OUTBOX_QUEUE"])
    for _ in range(3):
        queue.ping(5.0)
    assert len(built) == 1


def test_an_automated_greeting_that_meets_a_500_is_retried_and_sent_once(make_services, twilio_api):
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)})
    account = services.admin.accounts.create(account_body())
    services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                      "number": BUSINESS_E164, "allow_automated_messages": True,
                                      "automated_messages": {"greeting": {"text": "Hi, thanks for writing!"}}})
    script = Script((503, {"code": 20503, "message": "Service unavailable"}), message_created("SMgreet"))
    twilio_api.on("POST", MESSAGES, script)
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMfirst"), BASE).conversation_id
    [greeting] = sent_messages(services, cid)
    assert (greeting.automated, greeting.status) == ("greeting", "retrying")
    drain(services)
    [greeting] = sent_messages(services, cid)
    assert (greeting.status, greeting.provider_message_id) == ("queued", "SMgreet")
    assert script.accepted == 1 and len(twilio_api.calls("POST", MESSAGES)) == 2


def test_a_proactive_message_that_meets_a_429_is_retried_and_sent_once(world, twilio_api):
    services, account, _ = world
    script = Script((429, {"code": 20429, "message": "Too many requests"}, {"Retry-After": "1"}),
                    message_created("SMpro"))
    twilio_api.on("POST", MESSAGES, script)
    scope = ALICE
    compose = services.messaging.outbox.proactive_compose(account, BUSINESS_E164, "Your order shipped.", None, scope)
    first = services.messaging.outbox.send_proactive(account, BUSINESS_E164, "+12065550199", compose, BASE, key="k1")
    assert first.status == "retrying"
    drain(services)
    [sent] = sent_messages(services, first.conversation_id)
    assert (sent.status, sent.provider_message_id, sent.id) == ("queued", "SMpro", first.id)
    assert script.accepted == 1
