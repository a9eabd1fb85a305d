"""What an operator sees, through OpenTelemetry's in-memory exporter and metric reader:
a Twilio webhook, an agent's reply and a send the outbox queue retries each make one
trace (the edge's span, with storage and provider spans under it) and the metrics of
core/telemetry.py; spans, metrics and logs carry ids, never a body, a number or a secret."""

from __future__ import annotations

import base64
import json
import time

import azure.functions as func
from azure.functions.timer import TimerRequest
from opentelemetry.trace import SpanKind, StatusCode

from core import telemetry as names
from functions import conversations_api, outbox_worker, timers, twilio
from tests.support.directline import SECRET, StandInBot
from tests.support.outbox import queue_client
from tests.support.recorder import recording
from tests.support.telemetry import BASE, PRINCIPAL, Watched, nothing_private
from tests.support.twilio import ACCOUNT_SID, BUSINESS, CUSTOMER, account_body, encode, message_created, sign

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
INBOUND_TEXT = "my card ends 4242, please call me"
REPLY_TEXT = "we will call you on your usual number"


def webhook(account_id: str, sid: str) -> func.HttpResponse:
    url = f"{BASE}/api/twilio/{account_id}/inbound"
    form = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": CUSTOMER, "To": "+" + BUSINESS,
            "Body": INBOUND_TEXT, "NumMedia": "0"}
    request = func.HttpRequest("POST", url, headers={"X-Twilio-Signature": sign(url, form),
                                                     "Content-Type": "application/x-www-form-urlencoded"},
                               route_params={"account_id": account_id}, body=encode(form))
    return twilio.twilio_inbound(request)


def reply(conversation_id: str) -> func.HttpResponse:
    return conversations_api.reply_to_conversation(func.HttpRequest(
        "POST", f"{BASE}/api/conversations/{conversation_id}/messages", route_params={"id": conversation_id},
        headers={"X-MS-CLIENT-PRINCIPAL": PRINCIPAL, "Content-Type": "application/json"},
        body=json.dumps({"body": REPLY_TEXT}).encode()))


def conversation_of(watched: Watched) -> str:
    return watched.span("twilio_inbound").attributes["conversation_id"]


def test_a_webhook_is_one_trace_with_its_ids_storage_spans_and_metrics(watched):
    account = watched.services.admin.accounts.create(account_body())
    watched.exporter.clear()
    assert webhook(account.id, "SMin1").status_code == 200
    edge = watched.span("twilio_inbound")
    assert edge.kind == SpanKind.SERVER and edge.parent is None
    ids = dict(edge.attributes)
    assert ids["trigger"] == "http" and ids["provider"] == "twilio" and ids["status_code"] == "200"
    assert ids["account_id"] == account.id and ids["provider_message_id"] == "SMin1"
    assert ids["conversation_id"] and ids["message_id"]
    storage = [s for s in watched.spans() if s.name.startswith("storage.")]
    assert {"storage.threads.read_head", "storage.accounts.get"} <= {s.name for s in storage}
    assert all(s.context.trace_id == edge.context.trace_id and s.kind == SpanKind.CLIENT for s in storage)
    assert watched.counted(names.MESSAGES_IN, provider="twilio", channel="sms") == 1
    [latency] = watched.points(names.WEBHOOK_DURATION)
    assert latency.count == 1 and dict(latency.attributes) == {"provider": "twilio", "function": "twilio_inbound",
                                                               "status_code": "200"}
    [stored] = [r for r in watched.logs if r.getMessage().startswith("stored inbound message")]
    assert (stored.conversation_id, stored.provider_message_id) == (ids["conversation_id"], "SMin1")
    assert_nothing_private(watched)


def test_a_reply_is_one_trace_with_the_provider_call_under_it(watched, twilio_api):
    twilio_api.on("POST", MESSAGES, lambda _request: message_created("SMout1"))
    account = watched.services.admin.accounts.create(account_body())
    webhook(account.id, "SMin2")
    conversation_id = conversation_of(watched)
    watched.exporter.clear()
    assert reply(conversation_id).status_code == 201
    edge = watched.span("reply_to_conversation")
    assert edge.attributes["conversation_id"] == conversation_id
    assert edge.attributes["provider_message_id"] == "SMout1" and edge.attributes["message_id"]
    send = watched.span(names.PROVIDER_SEND)
    assert send.kind == SpanKind.CLIENT and send.parent.span_id == edge.context.span_id
    assert send.attributes["message_id"] == edge.attributes["message_id"]
    assert watched.counted(names.MESSAGES_OUT, provider="twilio", channel="sms") == 1
    assert_nothing_private(watched)


def test_a_retried_send_counts_its_failure_and_the_queue_message_is_its_own_trace(watched, twilio_api):
    answers = [(500, {"code": 20500, "message": f"Internal error sending to {CUSTOMER}"}), message_created("SMout2")]
    twilio_api.on("POST", MESSAGES, lambda _request: answers.pop(0))
    account = watched.services.admin.accounts.create(account_body())
    webhook(account.id, "SMin3")
    assert reply(conversation_of(watched)).status_code == 202
    assert watched.counted(names.SEND_RETRIES, provider="twilio") == 1
    failed = watched.span(names.PROVIDER_SEND)
    assert (failed.status.status_code, failed.status.description) == (StatusCode.ERROR, "ProviderError")
    watched.exporter.clear()
    run_queued_job(watched)
    edge = watched.span("outbox_worker")
    assert edge.kind == SpanKind.CONSUMER and edge.attributes["trigger"] == "queue"
    assert edge.attributes["kind"] == "send" and edge.attributes["provider_message_id"] == "SMout2"
    assert watched.span(names.PROVIDER_SEND).context.trace_id == edge.context.trace_id
    assert watched.counted(names.MESSAGES_OUT, provider="twilio") == 1
    assert_nothing_private(watched)


def test_a_send_out_of_tries_counts_its_failure_by_code_and_its_poison_message(watch, twilio_api):
    watched = watch(OUTBOX_MAX_ATTEMPTS="1")
    twilio_api.on("POST", MESSAGES, lambda _request: (503, {"code": 20503, "message": f"Unavailable for {CUSTOMER}"}))
    account = watched.services.admin.accounts.create(account_body())
    webhook(account.id, "SMin4")
    answer = reply(conversation_of(watched))
    assert answer.status_code >= 500
    assert watched.span("reply_to_conversation").attributes["status_code"] == str(answer.status_code)
    assert watched.counted(names.SEND_FAILURES, provider="twilio", code="20503") == 1
    assert watched.counted(names.SENDS_POISONED, provider="twilio") == 1
    assert_nothing_private(watched)


def test_a_try_whose_answer_was_lost_is_counted_found_when_twilio_had_taken_it(watched, twilio_api, clock):
    def taken_too_late(_request):
        time.sleep(1.5)  # past the sender's timeout: Twilio took it, the answer never came back
        return message_created("SMlate")

    twilio_api.on("POST", MESSAGES, taken_too_late)
    account = watched.services.admin.accounts.create(account_body())
    webhook(account.id, "SMin5")
    assert reply(conversation_of(watched)).status_code == 202
    clock.advance(seconds=3)
    run_queued_job(watched)
    assert watched.counted(names.SENDS_IN_DOUBT, provider="twilio", outcome="found") == 1
    assert len(twilio_api.calls("POST", MESSAGES)) == 1
    assert_nothing_private(watched)


def test_a_bot_s_direct_line_calls_are_provider_spans_without_its_secret(watch, twilio_api):
    with recording() as recorder:
        bot = StandInBot(recorder)
        watched = watch(DIRECTLINE_BASE_URL=recorder.base_url)
        account = watched.services.admin.accounts.create(account_body())
        watched.services.admin.workstreams.create({
            "name": "Bots", "account_id": account.id, "number": BUSINESS, "queues": ["general"],
            "default_queue": "general", "bot": {"secret": SECRET, "answer_timeout_seconds": 30}})
        watched.exporter.clear()
        assert webhook(account.id, "SMin6").status_code == 200
    edge = watched.span("twilio_inbound")
    calls = [s for s in watched.spans() if s.name.startswith("provider.directline.")]
    assert {"provider.directline.start", "provider.directline.post"} <= {s.name for s in calls}
    assert all(s.kind == SpanKind.CLIENT and s.context.trace_id == edge.context.trace_id for s in calls)
    assert bot.posted()
    assert_nothing_private(watched, SECRET)


def test_the_sweep_reports_what_was_due_and_closed(watched, clock):
    account = watched.services.admin.accounts.create(account_body())
    webhook(account.id, "SMin5")
    clock.advance(minutes=481)
    timers.auto_close(TimerRequest(past_due=False))
    assert watched.span("auto_close").attributes["trigger"] == "timer"
    assert watched.counted(names.SWEEP_DUE) == 1 and watched.counted(names.SWEEP_CLOSED) == 1
    assert_nothing_private(watched)


def test_the_distribution_timer_measures_the_outbox(watched):
    queue_client(watched.services).send_message(base64.b64encode(b'{"kind": "guard"}').decode())
    timers.distribution(TimerRequest(past_due=False))
    assert watched.span("distribution").attributes["trigger"] == "timer"
    [depth] = watched.points(names.OUTBOX_DEPTH)
    [age] = watched.points(names.OUTBOX_AGE)
    assert depth.sum == 1 and age.count == 1


def run_queued_job(watched: Watched) -> None:
    """The retry's job, once due (a second or so), through the queue-triggered function."""
    client, deadline = queue_client(watched.services), time.monotonic() + 10
    while not (batch := list(client.receive_messages(max_messages=1, visibility_timeout=30))):
        assert time.monotonic() < deadline, "the retry never came due"
        time.sleep(0.1)
    [message] = batch
    outbox_worker.outbox_worker(func.QueueMessage(id=message.id, body=base64.b64decode(message.content)))
    client.delete_message(message)


def assert_nothing_private(watched: Watched, *secrets: str) -> None:
    nothing_private(watched, INBOUND_TEXT, REPLY_TEXT, *secrets)
