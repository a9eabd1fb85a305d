"""The admin pages as an admin uses them: an account with its callback URL copied and its
credentials validated (Twilio's stand-in answers), a workstream whose wrong setting is
named beside its field, an agent added by object id, a contact found by phone and edited."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.support import check_page, save_workstream
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, BUSINESS_E164

ADMIN = "Switchboard.Admin"


def create_account(page: Page) -> str:
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Name", exact=True).fill("Contoso support")
    page.get_by_label("Account SID").fill(ACCOUNT_SID)
    page.get_by_label("Auth token").fill(AUTH_TOKEN)
    page.get_by_label("Number 1", exact=True).fill(BUSINESS)
    page.get_by_label("Number 1 description").fill("Support line")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Contoso support")).to_be_visible()
    return re.search(r"#/admin/accounts/([0-9a-f]+)$", page.url).group(1)


def test_an_admin_sets_up_an_account_and_its_workstream(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    account_id = create_account(page)
    inbound = f"{api.host.base_url}/api/twilio/{account_id}/inbound"
    expect(page.locator("#callback-inbound_url")).to_have_text(inbound)
    expect(page.get_by_text("'A message comes in', Webhook, HTTP POST")).to_be_visible()
    page.get_by_role("button", name="Copy incoming messages URL").click()
    expect(page.get_by_role("status").filter(has_text="copied")).to_have_text("Incoming messages URL copied.")
    assert page.evaluate("navigator.clipboard.readText()") == inbound

    api.twilio.on("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}.json",
                  (200, {"sid": ACCOUNT_SID, "status": "active", "friendly_name": "Contoso"}))
    page.get_by_role("button", name="Validate credentials").click()
    expect(page.get_by_text(f"Valid: Twilio accepted the credentials of account {ACCOUNT_SID} (active)")).to_be_visible()
    check_page(page, "admin-account", artifacts)

    page.get_by_role("link", name="Workstreams").click()
    page.get_by_role("link", name="New workstream").click()
    page.get_by_label("Name", exact=True).fill("Support")
    page.get_by_label("Number or channel").select_option(BUSINESS_E164)
    page.get_by_label("Send a survey when a conversation closes").check()
    page.get_by_label("Survey text").fill("How did we do?")
    page.get_by_label("Survey URL").fill("https://survey.example.com/s/1")
    page.get_by_role("button", name="Add quick reply").click()
    page.get_by_label("Quick reply 1 name").fill("Hello")
    page.get_by_label("Quick reply 1 text").fill("Hi {{customer_name}}, {{agent_name}} here.")
    page.get_by_role("button", name="Create workstream").click()

    survey = page.get_by_label("Survey text")
    expect(survey).to_have_attribute("aria-invalid", "true")
    error = page.locator("#field-survey-text-error")
    expect(error).to_have_text("must contain the {{link}} placeholder")
    assert survey.get_attribute("aria-describedby") == "field-survey-text-error"
    expect(page.get_by_role("alert")).to_contain_text("Survey text: must contain the {{link}} placeholder")
    check_page(page, "admin-workstream-error", artifacts)

    survey.fill("How did we do? {{link}}")
    page.get_by_role("button", name="Create workstream").click()
    expect(page.get_by_role("heading", name="Support")).to_be_visible()
    [workstream] = api.call("GET", "/admin/workstreams").json()["workstreams"]
    assert workstream["quick_replies"] == [{"name": "Hello", "text": "Hi {{customer_name}}, {{agent_name}} here."}]
    assert workstream["survey"]["text"] == "How did we do? {{link}}" and workstream["number"] == BUSINESS_E164
    check_page(page, "admin-workstream", artifacts)

    page.get_by_label("Survey text").fill("How was it? {{link}}")
    save_workstream(page)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert api.call("GET", "/admin/workstreams").json()["workstreams"][0]["survey"]["text"] == "How was it? {{link}}"

    minutes = page.get_by_label("Auto-close after (minutes idle)")
    for typed, kept in (("600", 600), ("", 480)):  # emptied: the app's default, as its hint says
        minutes.fill(typed)
        with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/workstreams/" in r.url) as saved:
            page.get_by_role("button", name="Save workstream").click()
        assert saved.value.ok, saved.value.text()
        assert api.call("GET", "/admin/workstreams").json()["workstreams"][0]["auto_close_after_minutes"] == kept


def test_an_admin_adds_an_agent_and_edits_a_contact(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    page.get_by_role("link", name="Agents").click()
    page.get_by_role("link", name="Add an agent").click()
    page.get_by_label("Entra object id").fill(object_id_of("Linus"))
    page.get_by_label("Name", exact=True).fill("Linus")
    page.get_by_role("button", name="Add agent").click()
    row = page.get_by_role("row").filter(has_text="Linus")
    expect(row).to_be_visible()
    check_page(page, "admin-agents", artifacts)

    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="New contact").click()
    # the list's search box is labelled "Mobile phone" too: fill the form only once it shows
    expect(page.get_by_role("heading", name="New contact")).to_be_visible()
    page.get_by_label("Mobile phone").fill("+12065550100")
    page.get_by_label("Name", exact=True).fill("Ada Lovelace")
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Field 1 name").fill("tier")
    page.get_by_label("Field 1 value").fill("gold")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Ada King")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("heading", name="Ada King")).to_be_visible()

    # Nothing typed is dropped or overwritten unseen: a value without a name, a name twice.
    [contact] = [c for c in api.call("GET", "/admin/contacts").json()["contacts"] if c["name"] == "Ada King"]
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Field 2 value").fill("Chicago")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#field-fields-1-name-error")).to_have_text("is required for the value beside it")
    expect(page.get_by_role("alert")).to_contain_text("Field 2 name: is required for the value beside it")
    page.get_by_label("Field 2 name").fill("tier")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#field-fields-1-name-error")).to_have_text('is given twice: "tier"')
    page.get_by_label("Field 2 name").fill("city")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/contacts/" in r.url) as answer:
        page.get_by_role("button", name="Save contact").click()  # the last save's confirmation may still show
    assert answer.value.ok, answer.value.text()
    saved = api.call("GET", f"/admin/contacts/{contact['id']}").json()
    assert saved["fields"] == {"tier": "gold", "city": "Chicago"} and saved["name"] == "Ada King"

    page.get_by_role("link", name="All contacts").click()  # a contact with a number alone
    page.get_by_role("link", name="New contact").click()
    expect(page.get_by_role("heading", name="New contact")).to_be_visible()
    page.get_by_label("Mobile phone").fill("+12065550111")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/admin/contacts")) as made:
        page.get_by_role("button", name="Create contact").click()
    assert made.value.status == 201, made.value.text()
    assert made.value.json()["name"] in ("", None)

    page.get_by_role("link", name="All contacts").click()
    page.get_by_role("search").get_by_label("Mobile phone").fill("+1 206 555 0100")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row").filter(has_text="Ada King")).to_contain_text("tier: gold")
    check_page(page, "admin-contacts", artifacts)
