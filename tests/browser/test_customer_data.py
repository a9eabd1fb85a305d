"""The customer-data admin pages in the browser: a workstream's retention set, the change
found in the audit trail, and a customer's data exported, then erased after a confirmation."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.browser.support import check_page
from tests.support.twilio import AUTH_TOKEN, account_body, fixture_form

ADMIN = "Switchboard.Admin"
CUSTOMER = "+12065550188"


def setup(api) -> dict:
    account = api.call("POST", "/admin/accounts", account_body(name="Retention shop", numbers=[
        {"number": "14252306560", "type": "long_code"}])).json()
    workstream = api.call("POST", "/admin/workstreams", {"name": "Kept a while", "channel": "sms",
                                                         "account_id": account["id"], "number": "14252306560"}).json()
    sid = "SM" + "d4" * 16
    form = fixture_form("twilio_sms_inbound.txt", From=CUSTOMER, To="+14252306560", MessageSid=sid, SmsMessageSid=sid,
                        SmsSid=sid)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    return workstream


def test_an_admin_sets_retention_reads_the_audit_trail_and_erases_a_customer(new_page, api, artifacts):
    workstream = setup(api)
    page: Page = new_page("Ines", ADMIN)
    page.get_by_role("link", name="Retention").click()
    field = page.get_by_label("Kept a while (+14252306560): days kept after closing")
    field.fill("30")
    page.get_by_role("form", name="Retention of Kept a while").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_have_text("Saved: 30 days")
    check_page(page, "admin-retention", artifacts)
    field.fill("45")  # not saved yet: the word beside it no longer says what was
    expect(page.get_by_role("status").filter(has_text="Saved")).to_have_count(0)
    field.fill("30")

    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Record id").fill(workstream["id"])
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text="workstream.update")
    expect(row).to_contain_text("Ines")
    expect(row).to_contain_text("retention_days")
    check_page(page, "admin-audit", artifacts)

    page.get_by_role("link", name="Erasure").click()
    page.get_by_label("Phone number or WhatsApp id").fill(CUSTOMER)
    with page.expect_download() as exported:
        page.get_by_role("button", name="Export their data").click()
    document = json.loads(exported.value.path().read_text())
    assert [c["customer"] for c in document["conversations"]] == [CUSTOMER]
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(f"Erase everything about {CUSTOMER} in every account?")
    check_page(page, "admin-erasure", artifacts)
    page.get_by_role("button", name="Erase", exact=True).click()
    expect(page.get_by_text("Erasure done.")).to_be_visible()
    expect(page.get_by_role("table", name="Rows erased, by table")).to_contain_text("threads")
    nothing = page.get_by_text("Nothing held this number")
    expect(nothing).to_have_count(0)
    assert api.call("POST", "/admin/customers/export", {"address": CUSTOMER}).json()["conversations"] == []
    page.get_by_label("Phone number or WhatsApp id").fill("+12065550999")  # mistyped: nothing holds it
    page.get_by_role("button", name="Review").click()
    page.get_by_role("button", name="Erase", exact=True).click()
    expect(nothing).to_be_visible()


def test_a_conversation_open_when_its_customer_is_erased_leaves_the_screen(new_page, api):
    """The erasure tells the workspaces that list it, and the pane reads it again every 4 s:
    once gone, nothing of it stays shown."""
    customer, sid = "+12065550189", "SM" + "d5" * 16
    account = api.call("POST", "/admin/accounts", account_body(name="Erased shop", numbers=[
        {"number": "14252306561", "type": "long_code"}])).json()
    form = fixture_form("twilio_sms_inbound.txt", From=customer, To="+14252306561", MessageSid=sid, SmsMessageSid=sid,
                        SmsSid=sid, Body="My card number is in here")
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [found] = [c for c in api.call("GET", "/conversations", params={"view": "all"}).json()["conversations"]
               if c["customer"] == customer]
    page: Page = new_page("Ines", ADMIN)
    page.goto(f"/#/inbox/{found['id']}")
    pane, inbox = page.locator(".pane"), page.locator(".inbox")
    expect(pane).to_contain_text("My card number is in here")
    expect(inbox).to_contain_text(customer)
    assert api.call("POST", "/admin/erasures", {"address": customer}).json()["state"] == "done"
    expect(pane).to_contain_text("This conversation is not there any more", timeout=10_000)
    expect(pane).not_to_contain_text("My card number")
    expect(pane).not_to_contain_text(customer)
    expect(inbox).not_to_contain_text(customer)  # its lists told at once (the workstream's, the admins')
    page.goto(f"/#/inbox/{'f' * 44}")  # never there: not said to be deleted
    expect(pane).to_contain_text("No such conversation, or not one of yours to see.")
