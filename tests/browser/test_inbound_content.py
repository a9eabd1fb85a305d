"""Inbound WhatsApp types in the conversation pane: over ACS (Microsoft Learn's event
samples) a customer's reaction shown on the agent's reply it reacts to, a reply quoting
it and a button answer ("Chose: ..."); over Twilio a location with its map link and a
shared contact card (RFC 6350's example vCard) with its name and numbers as tel: links.
Each screen passes axe."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.customers import answer_sends
from tests.browser.support import check_page
from tests.e2e.conftest import acs_messages_api  # noqa: F401 - the stand-in ACS Messages API (Prism)
from tests.e2e.test_acs import conversations_of, deliver
from tests.support.acs import CHANNEL_ID, CUSTOMER, events, whatsapp_account
from tests.support.twilio import (ACCOUNT_SID, AUTH_TOKEN, WHATSAPP_BUSINESS, WHATSAPP_CUSTOMER, fixture_form,
                                  whatsapp_account_body)

ROLES = ("Switchboard.Agent", "Switchboard.Admin")


@pytest.fixture(scope="module")
def accounts(api, acs_messages_api) -> dict:  # noqa: F811
    answer_sends(api)
    acs = api.call("POST", "/admin/accounts", whatsapp_account(acs_messages_api.base_url)).json()
    twilio = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    for account, number in ((acs, CHANNEL_ID), (twilio, WHATSAPP_BUSINESS)):
        made = api.call("POST", "/admin/workstreams", {"name": f"WhatsApp {account['provider']}",
                                                       "account_id": account["id"], "number": number,
                                                       "attachments": {"customers_can_send": True}})
        assert made.status_code == 201, made.text
    return {"acs": acs, "twilio": twilio}


def acs_event(name: str, event_id: str, **data) -> list[dict]:
    return events(name, event_id=event_id, message_id=event_id,
                  receivedTimestamp=datetime.now(timezone.utc).isoformat(), **data)


def test_reaction_reply_and_choice_in_the_pane(new_page, api, accounts, artifacts):
    acs = accounts["acs"]
    deliver(api, acs, acs_event("advanced_message_received_text.json", "b-in-1", content="Is my parcel on its way?"))
    [conversation] = conversations_of(api, acs, CUSTOMER)
    reply = api.call("POST", f"/conversations/{conversation['id']}/messages",
                     {"body": "Yes, it ships today.", "agent": "alice"}).json()
    ours = reply["provider_message_id"]
    deliver(api, acs, acs_event("advanced_message_received_reaction.json", "b-r-1",
                                reaction={"messageId": ours, "emoji": "👍"}))
    deliver(api, acs, acs_event("advanced_message_received_text_reply.json", "b-in-2",
                                context={"from": CHANNEL_ID, "id": ours}, content="Great, thanks!"))
    deliver(api, acs, acs_event("advanced_message_received_button_reply.json", "b-in-3",
                                context={"from": CHANNEL_ID, "id": ours}))

    page = new_page("Ada", *ROLES)
    page.goto(f"/#/inbox/{conversation['id']}")
    outbound = page.locator(".message.outbound").filter(has_text="Yes, it ships today.")
    expect(outbound).to_contain_text("Customer reacted: 👍")
    answer = page.locator(".message.inbound").filter(has_text="Great, thanks!")
    expect(answer.locator("blockquote")).to_have_text("Replying to: Yes, it ships today.")
    chose = page.locator(".message.inbound").filter(has_text="Chose:")
    expect(chose).to_contain_text("Chose: Agree")
    expect(chose.locator("blockquote")).to_have_text("Answering: Yes, it ships today.")
    check_page(page, "inbound-reaction-reply-choice", artifacts)
    meta = page.locator(".pane-header .meta").first  # an ACS channel's id tells an agent nothing
    expect(meta).to_contain_text(f"{CUSTOMER} · WhatsApp")
    expect(meta).not_to_contain_text(CHANNEL_ID)
    expect(page.locator(".inbox")).not_to_contain_text(CHANNEL_ID)

    deliver(api, acs, acs_event("advanced_message_received_reaction.json", "b-r-2",
                                reaction={"messageId": ours, "emoji": ""}))
    expect(outbound).not_to_contain_text("Customer reacted", timeout=10_000)  # the pane reads again


def test_location_with_a_map_link(new_page, api, accounts, artifacts):
    twilio = accounts["twilio"]
    form = fixture_form("twilio_whatsapp_inbound_location.txt")
    assert api.webhook(f"/twilio/{twilio['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [conversation] = conversations_of(api, twilio, WHATSAPP_CUSTOMER)

    page = new_page("Ada", *ROLES)
    page.goto(f"/#/inbox/{conversation['id']}")
    location = page.locator(".message.inbound .location")
    expect(location).to_contain_text("Location: Twilio Inc, 375 Beale St, San Francisco, CA 94105")
    link = location.get_by_role("link", name="Open map of Twilio Inc, 375 Beale St, San Francisco, CA 94105 (new tab)")
    expect(link).to_have_attribute("href", "https://www.openstreetmap.org/?mlat=37.7879277&mlon=-122.3937508"
                                           "#map=16/37.7879277/-122.3937508")
    expect(link).to_have_attribute("target", "_blank")
    check_page(page, "inbound-location", artifacts)


def test_contact_card_with_its_name_and_numbers(new_page, api, accounts, artifacts):
    twilio = accounts["twilio"]
    card_path = (f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM62738495a6b7c8d9e0f1a2b3c4d5e6f7"
                 "/Media/ME1c2d3e4f5061728394a5b6c7d8e9f0a1")  # MediaUrl0 of the fixture
    vcard = (Path(__file__).parents[1] / "fixtures" / "vcard" / "rfc6350_example.vcf").read_bytes()
    api.twilio.on("GET", card_path, (200, vcard, {"Content-Type": "text/vcard"}))
    form = fixture_form("twilio_whatsapp_inbound_contacts.txt")
    assert api.webhook(f"/twilio/{twilio['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [conversation] = conversations_of(api, twilio, "+5582982136275")

    page = new_page("Ada", *ROLES)
    page.goto(f"/#/inbox/{conversation['id']}")
    card = page.get_by_role("list", name="Shared contacts")
    expect(card).to_contain_text("Simon Perreault")
    work = card.get_by_role("link", name="+1-418-656-9254;ext=102")
    expect(work).to_have_attribute("href", "tel:+1-418-656-9254;ext=102")
    expect(card.locator(".contact-phones li").first).to_have_text("+1-418-656-9254;ext=102 (work, voice)")
    expect(card.get_by_role("link", name="+1-418-262-6501")).to_have_attribute("href", "tel:+1-418-262-6501")
    expect(page.locator(".message.inbound").filter(has_text="Simon Perreault")).not_to_contain_text(
        "open the attachment")
    check_page(page, "inbound-contact-card", artifacts)

