"""The closed-window fallback on the workstream form: the closing message's section offers
the workstream's templates the account's catalogue holds approved, a refusal of the API
shows beside its field, and the choice is saved."""

from __future__ import annotations


from playwright.sync_api import expect

from tests.browser.support import check_page, save_workstream
from tests.e2e.test_template_sync import SIDS, content_api, extra_env  # noqa: F401 - the Content API stand-in
from tests.support.twilio import WHATSAPP_BUSINESS, whatsapp_account_body

ADMIN = "Switchboard.Admin"
LABEL = "Closing message: when the 24-hour window has closed, send template"
PARAMETERS = "Closing message: template parameters, one per line"


def test_an_admin_names_the_closing_messages_template_for_after_the_window(new_page, api, artifacts):
    account = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    assert api.call("POST", f"/admin/accounts/{account['id']}/templates/sync").status_code == 200
    templates = [{"name": "order_update", "language": "en", "text": "Hi {{1}}, order {{2}} has shipped.",
                  "content_sid": SIDS["order_update"]},
                 {"name": "promo", "language": "en", "text": "{{1}}% off this week", "content_sid": SIDS["promo"]}]
    workstream = api.call("POST", "/admin/workstreams", {"name": "After hours", "account_id": account["id"],
                                                          "number": WHATSAPP_BUSINESS, "templates": templates}).json()
    page = new_page("Grace", ADMIN)
    page.goto(f"/#/admin/workstreams/{workstream['id']}")
    choice = page.get_by_label(LABEL)
    expect(choice.locator("option")).to_have_text(["None: not sent", "order_update (en)"])  # promo is pending
    choice.select_option("order_update|en")
    page.get_by_label(PARAMETERS).fill("{{customer_name}}")
    page.get_by_role("button", name="Save workstream").click()
    refusal = page.locator(".window-fallback .field-error")
    expect(refusal).to_contain_text("takes 2 parameter(s)")
    expect(page.get_by_label(PARAMETERS)).to_be_focused()
    page.get_by_label(PARAMETERS).scroll_into_view_if_needed()
    check_page(page, "admin-window-fallback-refused", artifacts)

    page.get_by_label(PARAMETERS).fill("{{customer_name}}\nyour order")
    save_workstream(page)
    expect(refusal).to_have_count(0)
    saved = api.call("GET", f"/admin/workstreams/{workstream['id']}").json()
    assert saved["window_fallbacks"] == {"closing": {"name": "order_update", "language": "en",
                                                     "parameters": ["{{customer_name}}", "your order"]}}
    page.get_by_label(LABEL).scroll_into_view_if_needed()
    check_page(page, "admin-window-fallback-saved", artifacts)
