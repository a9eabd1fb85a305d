"""Agent replies through Twilio (a recording stand-in), delivery reports, and the sweep."""

from __future__ import annotations

import pytest

from core.messages import StatusUpdate
from channels.twilio_api import TwilioSender
from core.errors import Conflict, ProviderError, ValidationFailed
from tests.support.storage import RoundTrips
from tests.support.twilio import ACCOUNT_SID, BUSINESS_E164, CUSTOMER, account_body, inbound, message_created
from tests.support.scopes import ALICE

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture
def setup(make_services, twilio_api):
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url)})
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id
    return services, account, cid


def status(account_id: str, sid: str, value: str, code: str | None = None) -> StatusUpdate:
    return StatusUpdate(provider="twilio", account_id=account_id, provider_message_id=sid, status=value,
                        business=BUSINESS_E164, customer=CUSTOMER, error_code=code)


def test_reply_goes_to_twilio_with_the_status_callback_and_keeps_the_sid(setup, twilio_api):
    services, account, cid = setup
    twilio_api.on("POST", MESSAGES, message_created("SMout1"))
    message = services.messaging.outbox.reply(cid, "Hi, how can we help?", ALICE, "https://sb.example.com")
    assert (message.provider_message_id, message.status) == ("SMout1", "queued")
    [sent] = twilio_api.calls("POST", MESSAGES)
    assert sent.form == {"To": [CUSTOMER], "From": [BUSINESS_E164], "Body": ["Hi, how can we help?"],
                         "StatusCallback": [f"https://sb.example.com/api/twilio/{account.id}/status?m={message.id}"]}
    conversation = services.messaging.actions.get(cid, ALICE)
    assert conversation.state == "active" and conversation.agent == ALICE.principal.actor
    assert [(m.direction, m.status, m.provider_message_id) for m in conversation.messages][-1] == \
        ("outbound", "queued", "SMout1")


def test_reply_length_and_closed_conversation_send_nothing(setup, twilio_api):
    services, _, cid = setup
    with pytest.raises(ValidationFailed):
        services.messaging.outbox.reply(cid, "x" * 1601, ALICE, "https://sb.example.com")
    with pytest.raises(ValidationFailed):
        services.messaging.outbox.reply(cid, "", ALICE, "https://sb.example.com")
    services.messaging.actions.close(cid, ALICE)
    with pytest.raises(Conflict) as closed:
        services.messaging.outbox.reply(cid, "too late", ALICE, "https://sb.example.com")
    assert closed.value.code == "conversation_closed"
    assert twilio_api.requests == []
    assert len(services.messaging.actions.get(cid, ALICE).messages) == 1


def test_provider_error_is_raised_and_the_message_kept_as_failed(setup, twilio_api):
    services, _, cid = setup
    twilio_api.on("POST", MESSAGES, (400, {"code": 21211, "message": "The 'To' number is not valid.",
                                           "status": 400, "more_info": "https://www.twilio.com/docs/errors/21211"}))
    with pytest.raises(ProviderError) as failed:
        services.messaging.outbox.reply(cid, "hello", ALICE, "https://sb.example.com")
    assert failed.value.provider_code == "21211"
    last = services.messaging.actions.get(cid, ALICE).messages[-1]
    assert (last.status, last.error_code) == ("failed", "21211")


def test_status_callbacks_out_of_order_never_regress(setup, twilio_api):
    services, account, cid = setup
    twilio_api.on("POST", MESSAGES, message_created("SMout2"))
    services.messaging.outbox.reply(cid, "hello", ALICE, "https://sb.example.com")
    for value in ("sent", "delivered", "sent", "queued"):
        services.messaging.ingest.status(status(account.id, "SMout2", value))
    assert services.messaging.actions.get(cid, ALICE).messages[-1].status == "delivered"
    services.messaging.ingest.status(status(account.id, "SMout2", "read"))
    assert services.messaging.actions.get(cid, ALICE).messages[-1].status == "read"


def test_a_report_that_overtakes_the_send_record_is_not_lost(setup, twilio_api):
    services, account, cid = setup

    def create(_request):
        services.messaging.ingest.status(status(account.id, "SMfast", "delivered"))
        return message_created("SMfast")

    twilio_api.on("POST", MESSAGES, create)
    services.messaging.outbox.reply(cid, "hello", ALICE, "https://sb.example.com")
    assert services.messaging.actions.get(cid, ALICE).messages[-1].status == "delivered"


class ReportBetween:
    """A request hook: once the send record has read the parked status (a GET naming the
    provider id), the next batch first lets another delivery report move that status."""

    def __init__(self, provider_id: str) -> None:
        self.provider_id, self.report, self.armed, self.fired = provider_id, None, False, False

    def __call__(self, request) -> None:
        http = request.http_request
        if self.report is None or self.fired:
            return
        if http.method == "GET" and self.provider_id in http.url:
            self.armed = True
        elif self.armed and "batch" in http.url:
            self.fired = True
            self.report()


def test_a_report_that_moves_the_parked_status_during_the_send_record_is_not_lost(make_services, twilio_api):
    race = ReportBetween("SMrace")
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url)}, request_hooks=[race])
    account = services.admin.accounts.create(account_body())
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMin")).conversation_id

    def create(_request):
        services.messaging.ingest.status(status(account.id, "SMrace", "sent"))
        race.report = lambda: services.messaging.ingest.status(status(account.id, "SMrace", "delivered"))
        return message_created("SMrace")

    twilio_api.on("POST", MESSAGES, create)
    sent = services.messaging.outbox.reply(cid, "hello", ALICE, "https://sb.example.com")
    assert race.fired and sent.provider_message_id == "SMrace"
    last = services.messaging.actions.get(cid, ALICE).messages[-1]
    assert (last.provider_message_id, last.status) == ("SMrace", "delivered")
    services.messaging.ingest.status(status(account.id, "SMrace", "read"))
    assert services.messaging.actions.get(cid, ALICE).messages[-1].status == "read"


def test_sweep_closes_due_conversations_only_and_its_cost_follows_the_due(make_services, clock):
    trips = RoundTrips()
    services = make_services(request_hooks=[trips])
    account = services.admin.accounts.create(account_body())
    services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                      "number": BUSINESS_E164[1:], "auto_close_after_minutes": 10})
    idle = services.messaging.ingest.message(account, inbound(account.id, "SM0", customer="+12065550100")).conversation_id
    clock.advance(minutes=5)
    busy = [services.messaging.ingest.message(account, inbound(account.id, f"SM{i}", customer=f"+1206555{i:04d}")).conversation_id
            for i in range(1, 31)]
    clock.advance(minutes=6)
    trips.reset()
    assert services.messaging.sweep.run() == {"closed": 1, "rescheduled": 0, "dropped": 0}
    # one query; for the one due conversation: read its head, the placement job, the close
    # batch, its inbox rows (a batch in each of its two partitions, sent at once: the
    # deployment's and its workstream's, where each of its lists loses the open row, gains
    # the closed one and replaces the any-state one, and the queue it waited in loses it), a
    # read back, its fact row for reports (read, then replaced by its ETag), the job removed,
    # the deadline removed. Nothing for the 30 that are not due.
    assert trips.count <= 11, "\n".join(p.split("devstoreaccount1")[-1] for p in trips.paths)
    closed = services.messaging.actions.get(idle, ALICE)
    assert (closed.state, closed.closed_reason) == ("closed", "inactivity")
    assert all(services.messaging.actions.get(c, ALICE).state == "open" for c in busy)


def test_sweep_moves_the_deadline_of_a_conversation_that_saw_activity(make_services, clock):
    services = make_services()
    account = services.admin.accounts.create(account_body())
    services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                      "number": BUSINESS_E164[1:], "auto_close_after_minutes": 10})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SM1")).conversation_id
    clock.advance(minutes=8)
    services.messaging.ingest.message(account, inbound(account.id, "SM2"))
    clock.advance(minutes=3)
    assert services.messaging.sweep.run()["rescheduled"] == 1
    assert services.messaging.actions.get(cid, ALICE).state == "open"
    clock.advance(minutes=8)
    assert services.messaging.sweep.run()["closed"] == 1
    assert services.messaging.actions.get(cid, ALICE).state == "closed"
