"""Closed-window fallback on real storage (Azurite) with a clock the test moves and a
recording stand-in for ACS: the closing message and the survey question, refused by the
closed WhatsApp window, go out as the templates the workstream names, once however many
sweeps race; a template gone since is not sent, with why; the survey's answer is scored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from channels.acs_send import AcsSender
from core.errors import ValidationFailed
from core.messages import InboundMessage
from core.templates import APPROVED, PENDING, SyncedTemplate, TemplateParameter
from tests.support.acs import CHANNEL_ID, whatsapp_account
from tests.support.outbox import drain
from tests.support.recorder import recording
from tests.support.scopes import ALICE

BASE = "https://sb.example.com"
SEND = "/messages/notifications:send"
TEMPLATES = [{"name": "chat_closed", "language": "en", "text": "Hi {{1}}, we closed your chat."},
             {"name": "rate_us", "language": "en", "text": "How did we do, {{1}}? Reply 1 to 5"}]
FALLBACKS = {"closing": {"name": "chat_closed", "language": "en", "parameters": ["{{customer_name}}"]},
             "survey": {"name": "rate_us", "language": "en", "parameters": ["{{customer_name}}"]}}
SETTINGS = {"allow_automated_messages": True, "automated_messages": {"closing": {"text": "Thanks, we closed this."}},
            "survey": {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5"},
            "templates": TEMPLATES, "auto_close_after_minutes": 26 * 60}


@pytest.fixture
def provider():
    with recording() as recorder:
        counter = iter(range(1, 10_000))
        recorder.on("POST", SEND, lambda _r: (202, {"receipts": [{"messageId": f"wa-{next(counter)}", "to": "x"}]}))
        yield recorder


def desk(make_services, provider, **settings):
    sender = AcsSender({"retry_total": 0})
    services = make_services(senders={"acs": sender}, media_fetchers={"acs": sender})
    account = services.admin.accounts.create(whatsapp_account(provider.base_url))
    workstream = services.admin.workstreams.create({"name": "WhatsApp", "account_id": account.id,
                                                    "number": CHANNEL_ID, **SETTINGS, **settings})
    return services, account, workstream


def inbound(account, provider_id: str = "wa-in-1", body: str = "hello") -> InboundMessage:
    return InboundMessage(provider="acs", account_id=account.id, provider_message_id=provider_id,
                          business=CHANNEL_ID, customer="+14255550123", body=body, customer_name="Ada")


def sent(provider) -> list[tuple[str, object]]:
    """Each send as (kind, the template's name and values, or the text)."""
    out = []
    for call in provider.calls("POST", SEND):
        payload = call.json()
        template = payload.get("template")
        out.append((payload["kind"], (template["name"], [v["text"] for v in template["values"]])
                    if template else payload.get("content")))
    return out


def synced(name: str, status: str = APPROVED, gone: bool = False) -> SyncedTemplate:
    body = next(t["text"] for t in TEMPLATES if t["name"] == name)
    return SyncedTemplate(name, "en", status, "utility", body, (TemplateParameter("1"),), gone=gone)


def test_the_closing_message_and_survey_fall_back_once_when_two_sweeps_race(make_services, provider, clock):
    services, account, _ = desk(make_services, provider, window_fallbacks=FALLBACKS)
    other = make_services(senders={"acs": AcsSender({"retry_total": 0})})
    cid = services.messaging.ingest.message(account, inbound(account), BASE).conversation_id
    clock.advance(hours=27)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda s: s.messaging.sweep.run(base_url=BASE), (services, other)))
    closed = services.messaging.actions.get(cid, ALICE)
    with ThreadPoolExecutor(2) as pool:  # the closing's sends asked for again at once: a timer retried
        list(pool.map(lambda s: s.messaging.outbox.after_close(closed, BASE), (services, other)))
    assert sent(provider) == [("template", ("chat_closed", ["Ada"])), ("template", ("rate_us", ["Ada"]))]
    messages = services.messaging.actions.get(cid, ALICE).messages
    assert [(m.automated, m.fallback_for, m.status, m.template.name) for m in messages[1:]] == [
        ("closing", "closing", "accepted", "chat_closed"), ("survey", "survey", "accepted", "rate_us")]
    assert messages[1].body == "Hi Ada, we closed your chat."


def test_the_survey_answered_after_its_fallback_is_scored_and_thanked(make_services, provider, clock):
    services, account, _ = desk(make_services, provider, window_fallbacks=FALLBACKS)
    cid = services.messaging.ingest.message(account, inbound(account), BASE).conversation_id
    clock.advance(hours=25)
    services.messaging.actions.close(cid, ALICE, BASE)
    clock.advance(minutes=3)
    answer = services.messaging.ingest.message(account, inbound(account, "wa-in-2", "5"), BASE)
    assert answer.conversation_id == cid
    closed = services.messaging.actions.get(cid, ALICE)
    assert closed.facts.csat == 5
    assert sent(provider)[-1] == ("text", "Thank you for your answer.")


def test_a_template_gone_since_it_was_named_leaves_the_message_not_sent_with_why(make_services, provider, clock):
    services, account, _ = desk(make_services, provider)
    services.stores.templates.write(account.id, [synced("chat_closed"), synced("rate_us")])
    ws = services.admin.workstreams.list()[0]
    services.admin.workstreams.update(ws.id, {"window_fallbacks": {"closing": FALLBACKS["closing"]}})
    services.stores.templates.write(account.id, [synced("chat_closed", gone=True)])
    cid = services.messaging.ingest.message(account, inbound(account), BASE).conversation_id
    clock.advance(hours=25)
    services.messaging.actions.close(cid, ALICE, BASE)
    assert sent(provider) == []
    closing, survey = services.messaging.actions.get(cid, ALICE).messages[1:]
    assert (closing.fallback_for, closing.status, closing.error_code) == ("closing", "not_sent", "template_gone")
    assert (survey.fallback_for, survey.status, survey.error_code) == (None, "not_sent", "outside_whatsapp_window")


def test_without_a_fallback_or_inside_the_window_nothing_changes(make_services, provider, clock):
    services, account, _ = desk(make_services, provider, window_fallbacks={"closing": FALLBACKS["closing"]})
    cid = services.messaging.ingest.message(account, inbound(account), BASE).conversation_id
    services.messaging.actions.close(cid, ALICE, BASE)  # inside the window: the texts themselves
    assert sent(provider) == [("text", "Thanks, we closed this."), ("text", "How did we do? Reply 1 to 5")]
    assert [m.fallback_for for m in services.messaging.actions.get(cid, ALICE).messages] == [None, None, None]


@pytest.mark.parametrize("fallback, field", [
    ({"closing": {"name": "nope", "language": "en"}}, "window_fallbacks.closing.name"),
    ({"survey": {"name": "rate_us", "language": "en", "parameters": []}}, "window_fallbacks.survey.parameters"),
    ({"greeting": FALLBACKS["closing"]}, "window_fallbacks.greeting"),
    ({"closing": {"name": "chat_closed", "language": "en", "parameters": [3]}}, "window_fallbacks.closing.parameters"),
])
def test_a_fallback_that_cannot_be_sent_is_refused_naming_its_field(make_services, provider, fallback, field):
    services, _, workstream = desk(make_services, provider)
    with pytest.raises(ValidationFailed) as refused:
        services.admin.workstreams.update(workstream.id, {"window_fallbacks": fallback})
    assert refused.value.field == field


def test_a_fallback_must_be_approved_in_the_synced_catalogue(make_services, provider):
    services, account, workstream = desk(make_services, provider)
    services.stores.templates.write(account.id, [synced("chat_closed", PENDING)])
    with pytest.raises(ValidationFailed) as refused:
        services.admin.workstreams.update(workstream.id, {"window_fallbacks": {"closing": FALLBACKS["closing"]}})
    assert refused.value.field == "window_fallbacks.closing.name" and "pending" in str(refused.value)


def test_templates_changed_keep_the_one_a_fallback_names(make_services, provider):
    services, account, workstream = desk(make_services, provider, window_fallbacks={"closing": FALLBACKS["closing"]})
    rate_us = [t for t in TEMPLATES if t["name"] == "rate_us"]
    reworded = [{**TEMPLATES[0], "text": "Hi {{1}}, {{2}} closed your chat."}, *rate_us]
    with pytest.raises(ValidationFailed) as refused:  # as pasted (no catalogue): two parameters, given one
        services.admin.workstreams.update(workstream.id, {"templates": reworded})
    assert refused.value.field == "window_fallbacks.closing.parameters"
    services.stores.templates.write(account.id, [synced("chat_closed", PENDING), synced("rate_us")])
    with pytest.raises(ValidationFailed) as refused:
        services.admin.workstreams.update(workstream.id, {"templates": rate_us})
    assert refused.value.field == "window_fallbacks.closing.name"
    # synced: the catalogue's parameters decide, and its approval is asked when the fallback is set or sent
    assert services.admin.workstreams.update(workstream.id, {"templates": reworded}).templates


def test_templates_changed_keep_a_fallback_that_names_its_parameters(make_services, provider):
    services, account, workstream = desk(make_services, provider)
    named = SyncedTemplate("chat_closed", "en", APPROVED, "utility", "Hi {{first_name}}, we closed your chat.",
                           (TemplateParameter("first_name"),))
    services.stores.templates.write(account.id, [named])
    by_name = {"closing": {"name": "chat_closed", "language": "en", "parameters": {"first_name": "{{customer_name}}"}}}
    services.admin.workstreams.update(workstream.id, {"window_fallbacks": by_name})
    kept = services.admin.workstreams.update(workstream.id, {"templates": TEMPLATES[:1]})  # refused before
    assert [t.name for t in kept.templates] == ["chat_closed"] and kept.settings.window_fallbacks


def test_a_workstream_moved_to_another_account_keeps_only_fallbacks_its_catalogue_has(make_services, provider):
    services, _, workstream = desk(make_services, provider, window_fallbacks={"closing": FALLBACKS["closing"]})
    other_channel = "11111111-2222-3333-4444-555555555555"
    other = services.admin.accounts.create({**whatsapp_account(provider.base_url), "name": "Fabrikam WhatsApp",
                                            "channels": [{"name": "Sales", "channel_id": other_channel}]})
    for catalogue in ([synced("rate_us")], [synced("chat_closed", PENDING)]):  # lacks it; has it, not approved
        services.stores.templates.write(other.id, catalogue)
        with pytest.raises(ValidationFailed) as refused:  # the page sends only what changed: account and number
            services.admin.workstreams.update(workstream.id, {"account_id": other.id, "number": other_channel})
        assert refused.value.field == "window_fallbacks.closing.name"
    assert services.admin.workstreams.get(workstream.id).account_id != other.id


def test_a_reply_still_retrying_when_the_window_closes_is_not_sent(make_services, provider, clock):
    services, account, _ = desk(make_services, provider)
    cid = services.messaging.ingest.message(account, inbound(account), BASE).conversation_id
    clock.advance(hours=23, minutes=59)
    provider.on("POST", SEND, lambda _r: (503, {"error": {"code": "ServiceUnavailable", "message": "busy"}}))
    reply = services.messaging.outbox.reply(cid, "One moment, checking.", ALICE, BASE)
    assert reply.status == "retrying"
    tried = len(provider.calls("POST", SEND))
    clock.advance(minutes=2)  # its next try falls after the window closed: Meta would refuse it
    drain(services, timeout=5)
    [stored] = [m for m in services.messaging.actions.get(cid, ALICE).messages if m.id == reply.id]
    assert (stored.status, stored.error_code) == ("not_sent", "outside_whatsapp_window")
    assert len(provider.calls("POST", SEND)) == tried


def test_a_retry_after_its_conversation_closed_follows_the_customers_latest_message(make_services, provider, clock):
    services, account, _ = desk(make_services, provider, survey={"enabled": False}, allow_automated_messages=False)
    cid = services.messaging.ingest.message(account, inbound(account), BASE).conversation_id
    clock.advance(hours=23, minutes=59)
    busy = [True]
    provider.on("POST", SEND, lambda _r: (503, {"error": {"code": "ServiceUnavailable", "message": "busy"}}) if busy[0]
                else (202, {"receipts": [{"messageId": "wa-late", "to": "x"}]}))
    reply = services.messaging.outbox.reply(cid, "One moment, checking.", ALICE, BASE)
    services.messaging.actions.close(cid, ALICE, BASE)
    later = services.messaging.ingest.message(account, inbound(account, "wa-in-2", "still there?"), BASE)
    assert later.conversation_id != cid  # the customer wrote again, in a new conversation: the window is open
    busy[0] = False
    clock.advance(minutes=2)
    drain(services, timeout=5)
    [stored] = [m for m in services.messaging.actions.get(cid, ALICE).messages if m.id == reply.id]
    assert (stored.status, stored.provider_message_id) == ("accepted", "wa-late")
