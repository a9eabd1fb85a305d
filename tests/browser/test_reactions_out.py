"""An agent reacting in the conversation pane: on an ACS WhatsApp message React opens five
emoji (by keyboard too, Escape closing it with the focus back), the reaction shows as "You
reacted 👍" and can be taken back; on an SMS conversation there is no React button and
nothing to explain, on a Twilio WhatsApp one no button but the reason. Each screen passes axe."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.browser.customers import answer_sends
from tests.browser.support import check_page
from tests.e2e.conftest import acs_reactions_api  # noqa: F401 - Prism on Messages API 2024-11-15-preview
from tests.e2e.test_acs import conversations_of, deliver
from tests.e2e.test_twilio_whatsapp import whatsapp_in
from tests.support.acs import CHANNEL_ID, CUSTOMER, events, whatsapp_account
from tests.support.twilio import (
    AUTH_TOKEN, BUSINESS, CUSTOMER as SMS_CUSTOMER, WHATSAPP_BUSINESS, WHATSAPP_CUSTOMER, account_body, fixture_form,
    whatsapp_account_body,
)

ROLES = ("Switchboard.Agent", "Switchboard.Admin")
SEND = r"/messages/notifications:send"


@pytest.fixture(scope="module")
def accounts(api, acs_reactions_api) -> dict:  # noqa: F811
    answer_sends(api)
    acs = api.call("POST", "/admin/accounts", whatsapp_account(acs_reactions_api.base_url)).json()
    sms = api.call("POST", "/admin/accounts", account_body(name="Twilio SMS")).json()
    twilio_whatsapp = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    for account, number in ((acs, CHANNEL_ID), (sms, BUSINESS), (twilio_whatsapp, WHATSAPP_BUSINESS)):
        made = api.call("POST", "/admin/workstreams", {"name": f"{account['provider']} {account['channel']}",
                                                       "account_id": account["id"], "number": number})
        assert made.status_code == 201, made.text
    return {"acs": acs, "sms": sms, "twilio_whatsapp": twilio_whatsapp}


def test_react_to_a_whatsapp_message_and_see_it(new_page, api, accounts, acs_reactions_api, artifacts):  # noqa: F811
    acs = accounts["acs"]
    deliver(api, acs, events("advanced_message_received_text.json", event_id="wamid.b-1", message_id="wamid.b-1",
                             receivedTimestamp=datetime.now(timezone.utc).isoformat(),
                             content="My parcel arrived, thanks!"))
    [conversation] = conversations_of(api, acs, CUSTOMER)

    page = new_page("Ada", *ROLES)
    page.goto(f"/#/inbox/{conversation['id']}")
    message = page.locator(".message.inbound").filter(has_text="My parcel arrived, thanks!")
    react = message.get_by_role("button", name="React", exact=True)
    react.focus()
    page.keyboard.press("Enter")
    choices = message.get_by_role("group", name="React to this message")
    expect(choices.get_by_role("button")).to_have_count(5)
    page.keyboard.press("Escape")  # closes it, the focus back where it was
    expect(choices).to_have_count(0)
    expect(react).to_be_focused()

    react.click()
    check_page(page, "reactions-choices", artifacts)
    choices.get_by_role("button", name="React with thumbs up").click()
    expect(message).to_contain_text("You reacted 👍")
    expect(choices).to_have_count(0)
    [sent] = acs_reactions_api.calls("POST", SEND)
    assert sent.json()["emoji"] == "👍" and sent.json()["messageId"] == "wamid.b-1"
    check_page(page, "reactions-sent", artifacts)

    react.click()
    expect(choices.get_by_role("button", name="React with thumbs up")).to_have_attribute("aria-pressed", "true")
    choices.get_by_role("button", name="Remove").click()
    expect(message).not_to_contain_text("You reacted")
    assert acs_reactions_api.calls("POST", SEND)[-1].json()["emoji"] == ""


def test_no_react_button_where_none_can_go_and_on_whatsapp_the_reason(new_page, api, accounts, artifacts):
    page = new_page("Ada", *ROLES)
    sms = accounts["sms"]
    assert api.webhook(f"/twilio/{sms['id']}/inbound", fixture_form("twilio_sms_inbound.txt"),
                       AUTH_TOKEN).status_code == 200
    [conversation] = conversations_of(api, sms, SMS_CUSTOMER)
    page.goto(f"/#/inbox/{conversation['id']}")
    expect(page.locator(".message.inbound")).to_have_count(1)
    expect(page.get_by_role("button", name="React", exact=True)).to_have_count(0)
    expect(page.locator(".reactions-note")).to_have_count(0)  # SMS has no reactions: nothing to explain

    twilio = accounts["twilio_whatsapp"]
    assert whatsapp_in(api, twilio).status_code == 200
    [conversation] = conversations_of(api, twilio, WHATSAPP_CUSTOMER)
    page.goto(f"/#/inbox/{conversation['id']}")
    expect(page.locator(".message.inbound")).to_have_count(1)
    expect(page.get_by_text("No reactions here: Twilio's Messages API sends no reaction")).to_be_visible()
    expect(page.get_by_role("button", name="React", exact=True)).to_have_count(0)
    check_page(page, "reactions-twilio-reason", artifacts)
