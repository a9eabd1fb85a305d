"""Cost governance in Chromium: an admin keeps the rate table on the Rates page (a refusal
beside its field, the save confirmed), and the Reports page shows the estimated cost of
the templates sent, by message category, in the table's currency."""

from __future__ import annotations


from playwright.sync_api import expect

from tests.browser.support import check_page
from tests.e2e.test_template_costs import RATES, content_api, extra_env  # noqa: F401 - the Content API stand-in
from tests.e2e.test_template_sync import SIDS, send
from tests.e2e.test_twilio_whatsapp import MESSAGES, conversation_of, whatsapp_in
from tests.support.twilio import WHATSAPP_BUSINESS, message_created, whatsapp_account_body

ADMIN = "Switchboard.Admin"


def test_an_admin_keeps_the_rate_table(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    page.goto("/#/admin/rates")
    expect(page.get_by_role("heading", name="Rates")).to_be_visible()
    expect(page.get_by_label("Rate 3 category")).to_have_value("authentication")  # a default row per category
    page.get_by_label("Currency").fill("EUR")
    page.get_by_role("button", name="Add rate").click()
    page.get_by_label("Rate 4 calling code").fill("0044")
    page.get_by_label("Rate 4 price").fill("0.0705")
    page.get_by_role("button", name="Save rates").click()
    code = page.get_by_label("Rate 4 calling code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("must be a country calling code")
    check_page(page, "admin-rates-refused", artifacts)

    code.fill("44")
    page.get_by_role("button", name="Save rates").click()
    expect(page.get_by_role("status").filter(has_text="Rate table saved at")).to_be_visible()
    saved = api.call("GET", "/admin/rates").json()
    assert saved["currency"] == "EUR"
    assert {"calling_code": "44", "category": "marketing", "price": "0.0705"} in saved["rates"]
    check_page(page, "admin-rates", artifacts)
    code.fill("4x")
    page.get_by_role("button", name="Save rates").click()  # refused: the last save's confirmation goes
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("status").filter(has_text="Rate table saved at")).to_have_count(0)


def test_the_report_shows_the_estimated_cost_by_category(new_page, api, artifacts):
    account = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    picked = [{"name": "order_update", "language": "en", "text": "Hi {{1}}, order {{2}} has shipped.",
               "content_sid": SIDS["order_update"]}]
    api.call("POST", "/admin/workstreams", {"name": "WhatsApp orders", "account_id": account["id"],
                                            "number": WHATSAPP_BUSINESS, "templates": picked})
    api.call("POST", f"/admin/accounts/{account['id']}/templates/sync")
    api.call("PUT", "/admin/rates", RATES)
    assert whatsapp_in(api, account, From="whatsapp:+5582981110011", MessageSid="SM" + "f1" * 16).status_code == 200
    cid = conversation_of(api, account, "+5582981110011")["id"]
    api.twilio.on("POST", MESSAGES, message_created("SM" + "f2" * 16))
    assert send(api, cid, "order_update", ["Ana", "A-17"]).status_code == 201
    assert api.call("POST", f"/conversations/{cid}/close").status_code == 200

    page = new_page("Grace", ADMIN)
    page.goto("/#/reports?group_by=category")
    table = page.get_by_role("table", name="By message category")
    expect(table.get_by_role("columnheader", name="Estimated cost (EUR)")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="utility")).to_contain_text("€0.008")
    expect(page.locator(".tile").filter(has_text="Estimated cost")).to_contain_text("€0.008")
    table.scroll_into_view_if_needed()
    check_page(page, "reports-cost-by-category", artifacts)
