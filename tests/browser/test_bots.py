"""The bot stage in the workspace, with the stand-in Direct Line: an admin sees a
conversation the bot answers (its messages by "Bot"), takes it over and holds it; a
conversation the bot handed off shows why, the bot's summary, context and transcript.
(A supervisor's take-over is the same call: tests/e2e/test_bots.py.)"""

from __future__ import annotations

from itertools import count
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.support import check_page
from tests.support.directline import SECRET, StandInBot
from tests.support.recorder import recording
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
SIDS = count(1)


@pytest.fixture(scope="module")
def bot() -> Iterator[StandInBot]:
    with recording() as recorder:
        yield StandInBot(recorder)


@pytest.fixture(scope="module")
def extra_env(bot) -> dict[str, str]:
    return {"DIRECTLINE_BASE_URL": bot.recorder.base_url}


@pytest.fixture(scope="module")
def account(api) -> dict:
    api.twilio.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(SIDS):032d}"))
    account = api.call("POST", "/admin/accounts", account_body(name="Bots")).json()
    assert api.call("POST", "/admin/workstreams", {"name": "Bots", "account_id": account["id"], "number": BUSINESS,
                                                  "bot": {"secret": SECRET}}).status_code == 201
    return account


def text_in(api, account: dict, customer: str, body: str) -> None:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SM{next(SIDS) + 7000:032d}", From=customer, Body=body)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200


def open_conversation(page: Page, who: str) -> None:
    item = page.get_by_role("link").filter(has_text=who)
    expect(item).to_be_visible(timeout=10_000)
    item.click()
    expect(page.get_by_role("heading", level=2, name=who)).to_be_visible()


def test_an_admin_sees_the_bot_answering_and_takes_over(new_page, api, account, artifacts):
    text_in(api, account, "+12065550801", "Where is my order?")
    page = new_page("Sue", "Switchboard.Admin")
    open_conversation(page, "+12065550801")
    expect(page.get_by_text("The bot is answering this conversation.")).to_be_visible()
    expect(page.locator(".message.outbound").filter(has_text="What is your order number?")).to_contain_text("Bot")
    check_page(page, "bot-stage", artifacts)
    page.get_by_role("button", name="Take over").click()
    expect(page.get_by_text("Held by Sue")).to_be_visible()
    expect(page.get_by_text("taken over,")).to_be_visible()
    expect(page.get_by_role("button", name="Take over")).to_have_count(0)


def test_a_handed_off_conversation_shows_the_bots_summary_and_transcript(new_page, api, account):
    text_in(api, account, "+12065550802", "Please transfer me")
    page = new_page("Sue", "Switchboard.Admin")
    open_conversation(page, "+12065550802")
    expect(page.get_by_text("the bot handed it off,")).to_be_visible()
    expect(page.get_by_text("Customer asked about a late order")).to_be_visible()
    transcript = page.get_by_role("list", name="Transcript from the bot")
    expect(transcript).to_contain_text("Customer: Please transfer me")
    expect(transcript).to_contain_text("Bot: Connecting you to an agent.")
    check_page(page, "bot-handoff")


def test_an_agent_who_supervises_takes_over_from_the_bot_and_is_not_offered_accept(new_page, api, account):
    """Accept is not for a conversation the bot answers (the API refuses it: with_bot);
    its supervisor takes it over."""
    [bots] = [w for w in api.call("GET", "/admin/workstreams").json()["workstreams"] if w["name"] == "Bots"]
    assert api.call("POST", "/admin/agents", {"object_id": object_id_of("Abe"), "name": "Abe",
                                             "queues": [{"workstream_id": bots["id"], "queue": None}],
                                             "supervises": [bots["id"]]}).status_code == 201
    text_in(api, account, "+12065550803", "Is my order on its way?")
    [talking] = [c for c in api.call("GET", "/conversations?view=all").json()["conversations"]
                 if c["customer"] == "+12065550803"]
    page = new_page("Abe", "Switchboard.Agent", "Switchboard.Supervisor")
    page.goto(f"/#/inbox/{talking['id']}")  # as a link to it opens it
    expect(page.get_by_role("heading", level=2, name="+12065550803")).to_be_visible()
    expect(page.get_by_text("The bot is answering this conversation.")).to_be_visible()
    actions = page.get_by_role("group", name="Conversation actions")
    expect(actions.get_by_role("button", name="Accept")).to_have_count(0)
    page.get_by_role("button", name="Take over").click()
    expect(page.get_by_text("Held by Abe")).to_be_visible()
