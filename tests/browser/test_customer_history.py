"""A customer's history in the browser: Mia Chen wrote first on WhatsApp (closed since),
then by SMS; her contact holds both numbers, so the SMS conversation's pane lists the
WhatsApp one under "Earlier conversations", and it opens in place, read-only (its
messages, no composer, no actions). A stranger's pane says no contact has the number;
Create contact opens a form in place, a refused field name shows beside the fields, and the
saved contact names the conversation. axe-core finds nothing on either screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, open_conversation
from tests.browser.support import check_page
from tests.e2e.test_customer_history import writes
from tests.support.twilio import BUSINESS, WHATSAPP_BUSINESS, account_body, whatsapp_account_body

AGENT = "Switchboard.Agent"
MIA_SMS, MIA_WHATSAPP, STRANGER = "+12065550871", "+12065550872", "+12065550873"


@pytest.fixture(scope="module")
def world(api) -> dict:
    """SMS and WhatsApp support, both worked by Ada; Mia Chen's contact with both numbers."""
    answer_sends(api)
    sms = api.call("POST", "/admin/accounts", account_body()).json()
    whatsapp = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    queues = []
    for account, number in ((sms, BUSINESS), (whatsapp, WHATSAPP_BUSINESS)):
        workstream = api.call("POST", "/admin/workstreams", {"name": account["name"], "account_id": account["id"],
                                                             "number": number}).json()
        queues.append({"workstream_id": workstream["id"], "queue": None})
    assert api.call("POST", "/admin/agents", {"object_id": object_id_of("Ada"), "name": "Ada", "queues": queues,
                                             "capacity": {"sms": 5, "whatsapp": 5}}).status_code == 201
    assert api.call("POST", "/admin/contacts", {"mobile_phone": MIA_SMS, "name": "Mia Chen",
                                               "other_phones": [MIA_WHATSAPP]}).status_code == 201
    return {"sms": sms["id"], "whatsapp": whatsapp["id"], "sids": iter(range(7000, 8000))}


def held_by_ada(api, world, customer: str, body: str, whatsapp: bool = False) -> str:
    conversation = writes(api, world, customer, body, whatsapp=whatsapp)
    accepted = api.call("POST", f"/conversations/{conversation['id']}/accept", as_=("Ada", "agent"))
    assert accepted.status_code == 200, accepted.text
    return conversation["id"]


def test_the_earlier_whatsapp_conversation_opens_read_only_in_place(new_page, api, world, artifacts):
    earlier = held_by_ada(api, world, MIA_WHATSAPP, "Hi, it's Mia: where is my parcel?", whatsapp=True)
    assert api.call("POST", f"/conversations/{earlier}/close", as_=("Ada", "agent")).status_code == 200
    held_by_ada(api, world, MIA_SMS, "Still no parcel")
    ada = new_page("Ada", AGENT)
    open_conversation(ada, "Mia Chen")

    section = ada.get_by_role("region", name="Earlier conversations")
    item = section.get_by_role("button", name=f"WhatsApp · {MIA_WHATSAPP}")
    expect(item).to_contain_text("closed")
    expect(item).to_have_attribute("aria-expanded", "false")
    item.click()
    expect(item).to_have_attribute("aria-expanded", "true")
    transcript = section.get_by_role("list", name="Messages of the WhatsApp conversation")
    expect(transcript).to_contain_text("Hi, it's Mia: where is my parcel?")
    expect(transcript.get_by_text("Mia Chen").first).to_be_visible()
    expect(section.get_by_role("textbox")).to_have_count(0)  # read-only: no composer
    expect(section.get_by_role("button")).to_have_count(1)  # no actions: only its own toggle
    check_page(ada, "customer-history", artifacts)
    item.click()
    expect(transcript).to_be_hidden()


def test_a_contact_created_from_the_pane(new_page, api, world, artifacts):
    held_by_ada(api, world, STRANGER, "Hello, I'm new here")
    ada = new_page("Ada", AGENT)
    open_conversation(ada, STRANGER)
    card = ada.get_by_role("region", name="Contact")
    expect(card).to_contain_text("No contact has this number.")
    expect(ada.get_by_role("region", name="Earlier conversations")).to_contain_text("None with this customer.")
    create = card.get_by_role("button", name="Create contact")
    create.click()
    expect(create).to_have_attribute("aria-expanded", "true")
    form = card.get_by_role("form", name="Create contact")
    form.get_by_label("Name", exact=True).fill("Noor Ali")
    form.get_by_role("button", name="Add field").click()
    form.get_by_label("Field 1 name").fill("9lives")
    form.get_by_label("Field 1 value").fill("gold")
    form.get_by_role("button", name="Save contact").click()
    fields = form.get_by_role("group", name="Fields")
    expect(fields).to_have_attribute("aria-describedby", fields.get_attribute("id") + "-error")
    expect(fields).to_contain_text("names must be letters, digits and _")
    check_page(ada, "customer-contact-refused", artifacts)

    form.get_by_label("Field 1 name").fill("tier")
    form.get_by_role("button", name="Save contact").click()
    expect(form).to_be_hidden()
    expect(ada.get_by_role("heading", level=2, name="Noor Ali")).to_be_visible()
    expect(card).to_contain_text("tier")
    expect(card.get_by_role("button", name="Edit contact")).to_be_focused()  # the same button, renamed
    expect(card.get_by_role("status")).to_have_text("Contact saved: Noor Ali")
    check_page(ada, "customer-contact-saved", artifacts)

    card.get_by_role("button", name="Edit contact").click()  # the name emptied: cleared, the field kept
    form = card.get_by_role("form", name="Edit contact")
    form.get_by_label("Name", exact=True).fill("")
    form.get_by_role("button", name="Save contact").click()
    expect(form).to_be_hidden()
    expect(card).to_contain_text("tier")
    expect(ada.get_by_role("heading", level=2, name="Noor Ali")).to_have_count(0)


def test_an_admin_links_a_number_and_a_taken_one_is_refused_beside_it(new_page, api, world, artifacts):
    page = new_page("Alice", "Switchboard.Admin")
    page.goto("/#/admin/contacts")
    page.get_by_role("link", name="Mia Chen").click()
    expect(page.get_by_role("heading", name="Mia Chen")).to_be_visible()
    expect(page.get_by_role("textbox", name="Other phone 1")).to_have_value(MIA_WHATSAPP)
    page.get_by_role("button", name="Add Other phone").click()
    page.get_by_role("textbox", name="Other phone 2").fill(STRANGER)  # Noor Ali's since the test before
    page.get_by_role("button", name="Save contact").click()
    taken = page.get_by_role("textbox", name="Other phone 2")
    expect(taken).to_have_attribute("aria-invalid", "true")
    refusal = page.locator(f"#{taken.get_attribute('aria-describedby')}")
    expect(refusal).to_contain_text(f"another contact has the number {STRANGER}")
    check_page(page, "customer-contact-number-taken", artifacts)

    taken.fill("+12065550874")
    page.get_by_role("button", name="Save contact").click()
    for _ in range(50):  # saved once the number finds her
        found = api.call("GET", "/admin/contacts", params={"mobile_phone": "+12065550874"}).json()["contacts"]
        if found:
            break
        page.wait_for_timeout(100)
    assert [c["other_phones"] for c in found] == [[MIA_WHATSAPP, "+12065550874"]]
    expect(page.get_by_role("textbox", name="Other phone 2")).not_to_have_attribute("aria-invalid", "true")
