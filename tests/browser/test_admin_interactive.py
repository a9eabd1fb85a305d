"""Reply buttons and lists on the workstream form: an admin adds buttons to a quick reply and
a list to the closing message, a text over WhatsApp's limit is named before anything is
sent, what is saved comes back after a reload and from the API, the API's refusal shows
beside the control it names, and discarding the buttons saves the quick reply without them."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import check_page
from tests.support.twilio import WHATSAPP_BUSINESS, whatsapp_account_body
from tests.support.waiting import until

ADMIN = "Switchboard.Admin"
BUTTONS = {"buttons": [{"id": "csat-good", "title": "Good"}, {"id": "csat-bad", "title": "Not good"}]}


def open_form(page: Page, api, number: str, quick_reply: dict) -> str:
    """A WhatsApp workstream of its own account (each number belongs to one) on its form."""
    account = api.call("POST", "/admin/accounts", whatsapp_account_body(
        numbers=[{"number": number, "type": "long_code", "description": "Sandbox"}])).json()
    made = api.call("POST", "/admin/workstreams", {
        "name": "WhatsApp", "account_id": account["id"], "number": number, "quick_replies": [quick_reply],
        "automated_messages": {"closing": {"text": "Thanks for writing. What was it about?"}}})
    assert made.status_code == 201, made.text
    page.goto(f"/#/admin/workstreams/{made.json()['id']}")
    return made.json()["id"]


def titles(offered: dict) -> list[tuple[str, str]]:
    return [(b["id"], b["title"]) for b in offered["buttons"]]


def save(page: Page) -> None:
    page.get_by_role("button", name="Save workstream").click()


def save_confirmed(page: Page) -> None:
    """Save and wait for the API's answer, then its confirmation: one still showing from an
    earlier save (it stays 8 s) would not tell that this one is done."""
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/workstreams/" in r.url) as answer:
        save(page)
    assert answer.value.ok, answer.value.text()
    expect(page.get_by_role("status").filter(has_text="saved at")).to_be_visible()


def test_an_admin_adds_buttons_to_a_quick_reply_and_a_list_to_the_closing_message(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    workstream_id = open_form(page, api, WHATSAPP_BUSINESS, {"name": "Rate us", "text": "How did we do?"})
    expect(page.get_by_text("SMS customers get the text alone.").first).to_be_visible()
    page.get_by_role("button", name="Add buttons to quick reply 1").click()
    buttons = page.get_by_role("group", name="Quick reply 1 reply buttons (2 of 3)")
    buttons.get_by_label("Quick reply 1 button 1 title").fill("Good")
    buttons.get_by_label("Quick reply 1 button 2 title").fill("Not good")

    page.get_by_role("button", name="Add list to closing message").click()
    page.get_by_label("Closing message list button text").fill("Pick a topic")
    section = page.get_by_label("Closing message section 1 title", exact=True)
    section.fill("Everything about your orders")  # 28 characters, WhatsApp takes 24
    page.get_by_label("Closing message section 1 row 1 title").fill("Where is my order")
    page.get_by_label("Closing message section 1 row 1 description").fill("Tracking and delivery")
    page.get_by_role("button", name="Add a row to section 1").click()
    expect(page.get_by_role("group", name="Closing message list (2 of 10 rows)")).to_be_visible()
    page.get_by_label("Closing message section 1 row 2 title").fill("Returns")
    save(page)
    expect(section).to_be_focused()  # the browser named it: nothing was sent
    expect(page.locator("#field-automated_messages-closing-interactive-sections-0-title-error")).to_have_text(
        "must be at most 24 characters, got 28")
    expect(page.get_by_role("alert")).to_contain_text("Closing message section 1 title: must be at most 24 characters")
    assert "interactive" not in api.call("GET", f"/admin/workstreams/{workstream_id}").json()["quick_replies"][0]
    check_page(page, "admin-interactive-limit", artifacts)

    section.fill("Your orders")
    save_confirmed(page)
    saved = api.call("GET", f"/admin/workstreams/{workstream_id}").json()
    assert saved["quick_replies"][0]["interactive"] == {"buttons": [
        {"id": "button-1", "title": "Good", "description": None}, {"id": "button-2", "title": "Not good", "description": None}]}
    assert saved["automated_messages"]["closing"] == {"text": "Thanks for writing. What was it about?", "interactive": {
        "button": "Pick a topic", "sections": [{"title": "Your orders", "rows": [
            {"id": "row-1-1", "title": "Where is my order", "description": "Tracking and delivery"},
            {"id": "row-1-2", "title": "Returns", "description": None}]}]}}

    page.reload()
    expect(page.get_by_label("Quick reply 1 button 2 title")).to_have_value("Not good")
    expect(page.get_by_label("Closing message section 1 title", exact=True)).to_have_value("Your orders")
    expect(page.get_by_label("Closing message section 1 row 2 title")).to_have_value("Returns")
    page.get_by_role("group", name="Closing message list (2 of 10 rows)").scroll_into_view_if_needed()
    check_page(page, "admin-interactive-saved", artifacts)


def test_a_refusal_shows_beside_its_button_and_discarding_the_buttons_saves_without_them(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    workstream_id = open_form(page, api, "+14155238887", {"name": "Rate us", "text": "How did we do?",
                                                            "interactive": BUTTONS})
    second = page.get_by_label("Quick reply 1 button 2 title")
    expect(second).to_have_value("Not good")
    save_confirmed(page)  # as the API answered them
    second.fill("Good")  # WhatsApp tells buttons apart by their titles too: the API refuses it
    save(page)
    refusal = page.locator("#field-quick_replies-0-interactive-buttons-1-title-error")
    expect(refusal).to_have_text("each button needs its own title")
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(second).to_be_focused()
    check_page(page, "admin-interactive-refused", artifacts)

    second.fill("Could be better")
    page.get_by_role("button", name="Add a button").click()
    page.get_by_label("Quick reply 1 button 3 title").fill("Call me")
    save_confirmed(page)
    expect(refusal).to_have_count(0)
    kept = api.call("GET", f"/admin/workstreams/{workstream_id}").json()["quick_replies"][0]
    assert titles(kept["interactive"]) == [
        ("csat-good", "Good"), ("csat-bad", "Could be better"), ("button-3", "Call me")]  # the ids it had stay

    page.get_by_role("button", name="Discard the buttons").click()
    expect(page.get_by_role("button", name="Add buttons to quick reply 1")).to_be_visible()
    save(page)
    until(lambda: "interactive" not in api.call("GET", f"/admin/workstreams/{workstream_id}").json()["quick_replies"][0])
    kept = api.call("GET", f"/admin/workstreams/{workstream_id}").json()["quick_replies"][0]
    assert kept == {"name": "Rate us", "text": "How did we do?"}
    page.reload()
    expect(page.get_by_role("button", name="Add buttons to quick reply 1")).to_be_visible()
    expect(page.get_by_label("Quick reply 1 button 1 title")).to_have_count(0)


def test_the_survey_question_waiting_message_and_an_overflow_rule_offer_buttons(new_page, api, artifacts):
    page = new_page("Grace", ADMIN)
    account = api.call("POST", "/admin/accounts", whatsapp_account_body(
        numbers=[{"number": "+14155238888", "type": "long_code", "description": "Sandbox"}])).json()
    made = api.call("POST", "/admin/workstreams", {
        "name": "Queued", "account_id": account["id"], "number": "+14155238888", "queues": ["Support"],
        "survey": {"enabled": True, "mode": "question", "text": "How did we do?", "url": "", "window_minutes": 60,
                   "thanks": "Thanks."},
        "waiting_message": {"after_seconds": 180, "text": "You are number {{position}} in line."},
        "overflow": [{"name": "Busy", "queue": "Support", "when": "waiting_over", "threshold": 5, "action": "message",
                      "text": "We are busy."}]})
    assert made.status_code == 201, made.text
    workstream_id = made.json()["id"]
    page.goto(f"/#/admin/workstreams/{workstream_id}")
    expect(page.get_by_text("Each option scores the number picked beside it, 1 to 5")).to_be_visible()
    page.get_by_role("button", name="Add buttons to survey").click()
    for n, (title, score) in enumerate([("Poor", "1"), ("Fine", "3"), ("Great", "5")], start=1):
        if n == 3:
            page.get_by_role("group", name="Survey reply buttons (2 of 3)").get_by_role("button", name="Add a button").click()
        page.get_by_label(f"Survey button {n} title").fill(title)
        page.get_by_label(f"Survey button {n} score").select_option(score)
    page.get_by_role("group", name="Survey reply buttons (3 of 3)").scroll_into_view_if_needed()
    check_page(page, "admin-interactive-survey", artifacts)
    page.get_by_role("button", name="Add buttons to waiting message").click()
    page.get_by_label("Waiting message button 1 title").fill("Keep waiting")
    page.get_by_label("Waiting message button 2 title").fill("Call me back")
    page.get_by_role("button", name="Add list to overflow rule 1").click()
    page.get_by_label("Overflow rule 1 list button text").fill("Options")
    page.get_by_label("Overflow rule 1 section 1 title", exact=True).fill("While you wait")
    page.get_by_label("Overflow rule 1 section 1 row 1 title").fill("Leave a message")
    page.get_by_role("group", name="Overflow rule 1 list (1 of 10 rows)").scroll_into_view_if_needed()
    check_page(page, "admin-interactive-queues", artifacts)
    save_confirmed(page)

    saved = api.call("GET", f"/admin/workstreams/{workstream_id}").json()
    assert titles(saved["survey"]["interactive"]) == [("1", "Poor"), ("3", "Fine"), ("5", "Great")]  # ids are scores
    assert titles(saved["waiting_message"]["interactive"]) == [("button-1", "Keep waiting"), ("button-2", "Call me back")]
    assert saved["overflow"][0]["interactive"] == {"button": "Options", "sections": [{"title": "While you wait", "rows": [
        {"id": "row-1-1", "title": "Leave a message", "description": None}]}]}

    page.reload()  # an edit keeps each option's score
    expect(page.get_by_label("Survey button 3 score")).to_have_value("5")
    page.get_by_label("Survey button 2 title").fill("Fine, thanks")
    save_confirmed(page)
    again = api.call("GET", f"/admin/workstreams/{workstream_id}").json()
    assert titles(again["survey"]["interactive"]) == [("1", "Poor"), ("3", "Fine, thanks"), ("5", "Great")]
