"""What the workspace's browser tests share: a customer's signed Twilio webhook, Twilio's
status callback, what the stand-in Twilio was last sent, and opening a conversation."""

from __future__ import annotations

from itertools import count

from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
_SIDS = count(1)


def answer_sends(api) -> None:
    """The stand-in Twilio takes every message, each with its own SID."""
    api.twilio.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(_SIDS):032d}"))


def support_with_ada(api, offer_timeout_seconds: int) -> dict:
    """An account and its Support workstream, pushing offers that last as long as given, with
    Ada in its unqueued conversations; the account."""
    answer_sends(api)
    account = api.call("POST", "/admin/accounts", account_body()).json()
    support = api.call("POST", "/admin/workstreams", {
        "name": "Support", "account_id": account["id"], "number": BUSINESS,
        "distribution": {"mode": "push", "offer_timeout_seconds": offer_timeout_seconds}}).json()
    ada = {"object_id": object_id_of("Ada"), "name": "Ada", "capacity": {"sms": 5},
           "queues": [{"workstream_id": support["id"], "queue": None}]}
    assert api.call("POST", "/admin/agents", ada).status_code == 201
    return account


def text_in(api, account: dict, customer: str, body: str, **extra: str) -> None:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SM{next(_SIDS) + 5000:032d}", From=customer,
                        Body=body, **extra)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200


def whatsapp_in(api, account: dict, customer: str, profile_name: str) -> None:
    """A customer's WhatsApp message (Twilio's published sample), under their profile name."""
    form = fixture_form("twilio_whatsapp_inbound.txt", From=f"whatsapp:{customer}", ProfileName=profile_name,
                        MessageSid=f"SM{next(_SIDS) + 5000:032d}")
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200


def deliver_last_reply(api, account: dict, page: Page) -> None:
    """Twilio's status callback: the last reply of the conversation the page shows was delivered."""
    conversation = api.call("GET", f"/conversations/{conversation_id(page)}").json()
    [reply] = [m for m in conversation["messages"] if m["direction"] == "outbound"][-1:]
    form = fixture_form("twilio_status_delivered.txt", MessageSid=reply["provider_message_id"],
                        To=conversation["customer"])
    assert api.webhook(f"/twilio/{account['id']}/status", form, AUTH_TOKEN).status_code == 204


def held(api, account: dict, customer: str, body: str, by: tuple[str, ...]) -> str:
    """The customer's live conversation, accepted ``by`` someone through the API (a first
    message opens it; one already live is taken as it is)."""
    def live() -> list[dict]:
        return [c for c in api.call("GET", "/conversations").json()["conversations"]
                if c["customer"] == customer and c["state"] != "closed"]

    if live():
        return live()[0]["id"]
    text_in(api, account, customer, body)
    [c] = live()
    accepted = api.call("POST", f"/conversations/{c['id']}/accept", as_=by)
    assert accepted.status_code == 200, accepted.text
    return c["id"]


def conversation_id(page: Page) -> str:
    return page.url.rsplit("/", 1)[-1]


def last_sent(api) -> dict[str, list[str]]:
    return api.twilio.calls("POST", MESSAGES)[-1].form


def open_conversation(page: Page, who: str) -> None:
    item = page.get_by_role("link").filter(has_text=who)
    expect(item).to_be_visible(timeout=10_000)
    item.click()
    expect(page.get_by_role("heading", level=2, name=who)).to_be_visible()
