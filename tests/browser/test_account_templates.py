"""An account's templates on the admin pages: Sync now lists what the provider holds
(approved, pending, rejected with its reason), and a workstream picks an approved one
instead of pasting it."""

from __future__ import annotations


from playwright.sync_api import expect

from tests.browser.support import check_page
from tests.e2e.test_template_sync import SIDS, content_api, extra_env  # noqa: F401 - the Content API stand-in
from tests.support.twilio import WHATSAPP_BUSINESS, whatsapp_account_body

ADMIN = "Switchboard.Admin"


def test_an_admin_syncs_an_accounts_templates_and_picks_one_for_a_workstream(new_page, api, artifacts):
    account = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    page = new_page("Grace", ADMIN)
    page.goto(f"/#/admin/accounts/{account['id']}")
    section = page.get_by_role("region", name="Templates")
    expect(section.get_by_text("Not synced yet.")).to_be_visible()
    section.get_by_role("button", name="Sync templates now").click()
    expect(section.get_by_role("status")).to_have_text("Synced: 3 new, 0 changed, 0 gone.")
    rows = section.get_by_role("row")
    expect(rows.filter(has_text="order_update")).to_contain_text("approved")
    expect(rows.filter(has_text="order_update")).to_contain_text("utility")
    expect(rows.filter(has_text="promo")).to_contain_text("pending")
    expect(rows.filter(has_text="old_offer")).to_contain_text("rejected")
    expect(rows.filter(has_text="old_offer")).to_contain_text("INVALID_FORMAT")
    section.get_by_role("table").scroll_into_view_if_needed()
    check_page(page, "admin-account-templates", artifacts)

    page.get_by_role("link", name="Workstreams").click()
    page.get_by_role("link", name="New workstream").click()
    page.get_by_label("Name", exact=True).fill("Offers")
    page.get_by_label("Number or channel").select_option(WHATSAPP_BUSINESS)
    picker = page.get_by_label("Approved template of the account")
    expect(picker.locator("option")).to_have_text(["order_update (en, utility)"])  # only approved ones
    page.get_by_role("button", name="Add this template").click()
    expect(page.get_by_label("Template 1 text")).to_have_value("Hi {{1}}, order {{2}} has shipped.")
    check_page(page, "admin-workstream-template-picked", artifacts)
    page.get_by_role("button", name="Create workstream").click()
    expect(page.get_by_role("heading", name="Offers")).to_be_visible()
    [workstream] = [w for w in api.call("GET", "/admin/workstreams").json()["workstreams"] if w["name"] == "Offers"]
    assert workstream["templates"] == [{"name": "order_update", "language": "en",
                                        "text": "Hi {{1}}, order {{2}} has shipped.",
                                        "content_sid": SIDS["order_update"]}]
