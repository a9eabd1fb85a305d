"""The admin's forms check every field in the browser before sending: each wrong field says
so beside it, all at once, the summary names them as their labels read ("Number 2", not
"numbers[1].number") and the first takes focus; a refusal of the API lands beside the field
it names, under the same label. A national number is stored as E.164, and every save
confirms in a status that screen readers announce."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from localhost.easyauth import object_id_of
from tests.browser.support import check_page
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN

ADMIN = "Switchboard.Admin"
PHONE = "must be a phone number, e.g. +1 425 230 6549, or a national one such as (425) 230-6549"
SAVED = re.compile(r"^(Account|Agent) .+ saved at .+\.$")


def test_the_new_account_form_names_every_wrong_field_at_once_and_confirms_the_save(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Account SID").fill(ACCOUNT_SID)
    page.get_by_label("Number 1", exact=True).fill("(312) 546-7890")
    page.get_by_role("button", name="Add number").click()
    page.get_by_label("Number 2", exact=True).fill("call me")
    page.get_by_role("button", name="Create account").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("listitem")).to_have_text(
        ["Name: is required", "Auth token: is required", f"Number 2: {PHONE}"])
    expect(summary).to_contain_text("Not saved: 3 things to fix.")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    for label, message in (("Name", "is required"), ("Auth token", "is required"), ("Number 2", PHONE)):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field.get_attribute('aria-describedby')}")).to_have_text(message)
    expect(page.get_by_label("Number 1", exact=True)).not_to_have_attribute("aria-invalid", "true")
    assert api.call("GET", "/admin/accounts").json()["accounts"] == []  # nothing was sent
    check_page(page, "admin-account-form-errors", artifacts)

    summary.get_by_role("link", name=re.compile("^Number 2")).click()
    expect(page.get_by_label("Number 2", exact=True)).to_be_focused()

    # The browser lets this through (digits); the API refuses it, beside Number 2, by its label.
    page.get_by_label("Name", exact=True).fill("Contoso")
    page.get_by_label("Auth token").fill(AUTH_TOKEN)
    page.get_by_label("Number 2", exact=True).fill("(312) 546-789")
    page.get_by_role("button", name="Create account").click()
    expect(summary.get_by_role("listitem")).to_have_text([re.compile(r"^Number 2: is not a valid phone number")])
    expect(page.locator("#field-numbers-1-number-error")).to_contain_text("as dialled within US, e.g. (201) 555-0123")
    expect(page.get_by_label("Number 2", exact=True)).to_be_focused()
    expect(summary).not_to_contain_text("numbers[1]")

    page.get_by_label("Number 2", exact=True).fill("0044 20 7183 8750")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Contoso")).to_be_visible()
    status = page.get_by_role("status").filter(has_text="saved at")
    expect(status).to_have_text(SAVED)
    expect(status).to_contain_text("Account Contoso saved at")
    first = status.inner_text()  # now: the confirmation goes after 8 s
    [account] = api.call("GET", "/admin/accounts").json()["accounts"]
    assert [n["number"] for n in account["numbers"]] == ["+13125467890", "+442071838750"]
    expect(page.get_by_label("Number 1", exact=True)).to_have_value("+13125467890")
    check_page(page, "admin-account-saved", artifacts)

    page.wait_for_timeout(1100)  # a second later: the time in the confirmation changes, and is told again
    page.get_by_label("Number 1 description").fill("Chicago")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/accounts/" in r.url) as answer:
        page.get_by_role("button", name="Save account").click()
    assert answer.value.ok, answer.value.text()
    expect(status).to_contain_text("Account Contoso saved at")
    expect(status).not_to_have_text(first)
    assert api.call("GET", f"/admin/accounts/{account['id']}").json()["numbers"][0]["description"] == "Chicago"


def test_the_agent_form_checks_the_object_id_and_confirms_the_save(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    page.get_by_role("link", name="Agents").click()
    page.get_by_role("link", name="Add an agent").click()
    page.get_by_label("Entra object id").fill("linus")
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_role("alert").get_by_role("listitem")).to_have_text(
        ["Entra object id: must be a GUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301, from Entra ID's Users page"])
    expect(page.get_by_label("Entra object id")).to_be_focused()

    page.get_by_label("Entra object id").fill(object_id_of("Linus"))
    page.get_by_label("Name", exact=True).fill("Linus")
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_role("row").filter(has_text="Linus")).to_be_visible()  # back on the list
    expect(page.get_by_role("status").filter(has_text="saved at")).to_contain_text("Agent Linus saved at")
    check_page(page, "admin-agent-saved", artifacts)

    page.get_by_role("link", name="Linus").click()
    expect(page.get_by_role("status").filter(has_text="saved at")).to_have_count(0)  # another page: gone
    page.get_by_label("Name", exact=True).fill("Linus T")
    page.get_by_role("button", name="Save agent").click()
    expect(page.get_by_role("status").filter(has_text="saved at")).to_contain_text("Agent Linus T saved at")
