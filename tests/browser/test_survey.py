"""The workstream form's survey as an admin sets it to ask its question in the channel:
the answer window and thanks appear in question mode, a wrong window is named beside its
field, and the saved survey is what the API keeps."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import check_page
from tests.browser.test_admin import ADMIN, create_account
from tests.support.twilio import BUSINESS_E164


def test_an_admin_sets_a_survey_question_with_its_window_and_thanks(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    create_account(page)
    page.get_by_role("link", name="Workstreams").click()
    page.get_by_role("link", name="New workstream").click()
    page.get_by_label("Name", exact=True).fill("Support")
    page.get_by_label("Number or channel").select_option(BUSINESS_E164)
    page.get_by_label("Send a survey when a conversation closes").check()
    expect(page.get_by_label("Survey URL")).to_be_visible()
    expect(page.get_by_label("Answer window (minutes)")).to_have_count(0)

    page.get_by_label("Survey mode").select_option("question")
    expect(page.get_by_label("Survey URL")).to_have_count(0)
    page.get_by_label("Survey text").fill("How did we do? Reply 1 to 5")
    window = page.get_by_label("Answer window (minutes)")
    expect(window).to_have_value("1440")
    window.fill("0")
    page.get_by_label("Thanks for an answer").fill("Thanks, that helps us.")
    page.get_by_role("button", name="Create workstream").click()
    expect(window).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-survey-window_minutes-error")).to_have_text(
        "must be a whole number from 1 to 10080")
    check_page(page, "admin-workstream-survey-error", artifacts)

    window.fill("120")
    page.get_by_role("button", name="Create workstream").click()
    expect(page.get_by_role("heading", name="Support")).to_be_visible()
    [workstream] = api.call("GET", "/admin/workstreams").json()["workstreams"]
    assert workstream["survey"] == {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5",
                                    "url": "", "window_minutes": 120, "thanks": "Thanks, that helps us."}
    expect(page.get_by_label("Answer window (minutes)")).to_have_value("120")
    check_page(page, "admin-workstream-survey", artifacts)
