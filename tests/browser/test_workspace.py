"""The agent workspace in the browser, with Twilio's stand-in: a customer's signed webhook
reaches the agent's inbox (in her queue: she is not available), who accepts, replies, sees
it delivered, uses a quick reply, sees a refused send's reason in place, parks and closes; a quick
reply's placeholder without a value is never sent as a hole; on WhatsApp after the 24-hour
window only a template can go out, and a reply the customer read shows Read; a customer's
markup shows as text; customers' files dropped, or an image inline and another file as a
download."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from channels.twilio import Form, TwilioInbound
from functions.settings import Settings
from functions.wiring import build
from localhost.easyauth import object_id_of
from tests.browser.customers import (
    MESSAGES, answer_sends, conversation_id, deliver_last_reply, last_sent, open_conversation, text_in, whatsapp_in,
)
from tests.browser.support import check_page
from tests.conftest import FakeClock
from tests.support.twilio import (
    ACCOUNT_SID, AUTH_TOKEN, BUSINESS, WHATSAPP_BUSINESS, account_body, encode, fixture_form, whatsapp_account_body,
)

MEDIA = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'d' * 32}/Media"
AGENT = "Switchboard.Agent"
QUICK_REPLY = {"name": "Hello", "text": "Hi {{customer_name}}, {{agent_name}} here. How can I help?"}
INTRODUCTION = {"name": "Introduce", "text": "Hi {{customer_name}}, this is {{agent_name}}"}
TEMPLATE = {"name": "order_update", "language": "en_US", "text": "Hi {{1}}, order {{2}} has shipped."}


@pytest.fixture(scope="module")
def setup(api) -> dict:
    """An SMS and a WhatsApp number with workstreams, Ada in both as an agent, a contact."""
    answer_sends(api)
    sms = api.call("POST", "/admin/accounts", account_body()).json()
    whatsapp = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    workstreams = [api.call("POST", "/admin/workstreams", body).json() for body in (
        {"name": "Support", "account_id": sms["id"], "number": BUSINESS, "quick_replies": [QUICK_REPLY, INTRODUCTION]},
        {"name": "WhatsApp support", "account_id": whatsapp["id"], "number": WHATSAPP_BUSINESS,
         "templates": [TEMPLATE], "auto_close_after_minutes": 30 * 24 * 60},  # not closed for the 25 idle hours
    )]
    queues = [{"workstream_id": w["id"], "queue": None} for w in workstreams]
    assert api.call("POST", "/admin/agents", {"object_id": object_id_of("Ada"), "name": "Ada",
                                             "queues": queues}).status_code == 201
    assert api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550150", "name": "Maria Garcia"}).status_code == 201
    return {"sms": sms, "whatsapp": whatsapp}


@pytest.fixture(autouse=True)
def sends_answered(api) -> None:
    """Each test starts with Twilio taking every message: a refusal one test scripts (and
    restores only if it gets that far) never answers the next test's sends."""
    answer_sends(api)


def test_an_agent_answers_a_customer_from_the_inbox(new_page, api, setup, artifacts):
    page = new_page("Ada", AGENT)
    text_in(api, setup["sms"], "+12065550150", "Where is my order?")
    open_conversation(page, "Maria Garcia")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Held by Ada")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("Accepted by Ada")

    box = page.get_by_label("Reply to Maria Garcia")
    box.fill("📦" * 1600)  # counted as the API counts: each emoji one character, not two
    expect(page.locator("#reply-count")).to_have_text("1600 / 1600")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    box.fill("Hi! It ships today.")
    expect(page.locator("#reply-count")).to_have_text("19 / 1600")
    box.press("Enter")
    expect(page.locator(".message.outbound").filter(has_text="Hi! It ships today.")).to_contain_text("Queued")
    assert last_sent(api)["Body"] == ["Hi! It ships today."] and last_sent(api)["To"] == ["+12065550150"]
    deliver_last_reply(api, setup["sms"], page)
    expect(page.locator(".message.outbound").filter(has_text="Hi! It ships today.")).to_contain_text("Delivered",
                                                                                                    timeout=10_000)

    page.get_by_text("Quick replies").click()
    page.get_by_role("button", name="Hello").click()
    expect(box).to_have_value("Hi Maria Garcia, Ada here. How can I help?")
    box.press("Enter")
    expect(page.locator(".message.outbound").filter(has_text="Ada here")).to_be_visible()
    assert last_sent(api)["Body"] == ["Hi Maria Garcia, Ada here. How can I help?"]
    check_page(page, "workspace", artifacts)

    page.get_by_role("radio", name="Internal note").click()
    note = page.get_by_label(re.compile("^Internal note about"))
    note.fill("Asked about the parcel twice")  # a draft, kept when the composer becomes a note alone
    page.get_by_role("radio", name="Reply").click()
    api.twilio.on("POST", MESSAGES, (400, {"code": 21408, "status": 400,
                                           "message": "Permission to send an SMS has not been enabled"}))
    box.fill("Can you see this?")
    box.press("Enter")  # refused where it happened: the composer stays, with the provider's reason
    expect(page.get_by_role("alert")).to_contain_text("Not sent:")
    expect(page.get_by_role("alert")).to_contain_text("(provider code 21408)")
    expect(page.locator(".message.outbound").filter(has_text="Can you see this?")).to_contain_text("Failed")

    # An opt-out the provider reports turns the composer into a note alone (whenever the
    # change reaches the page, the refused message keeps the provider's reason).
    api.twilio.on("POST", MESSAGES, (400, {"code": 21610, "status": 400, "message": "Attempt to send to unsubscribed recipient"}))
    box.fill("Are you still there?")
    box.press("Enter")
    expect(page.locator(".message.outbound").filter(has_text="Are you still there?")).to_contain_text(
        "Attempt to send to unsubscribed recipient")
    answer_sends(api)
    expect(page.locator("#reply-refused")).to_contain_text("The customer opted out")  # no Send that can only fail
    expect(page.get_by_role("button", name="Send")).to_have_count(0)
    expect(page.get_by_role("button", name="Add note")).to_be_visible()
    expect(note).to_have_value("Asked about the parcel twice")
    check_page(page, "workspace-opted-out", artifacts)

    page.get_by_role("button", name="Wait").click()
    expect(page.locator(".pane-header .badge").first).to_have_text("waiting")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_text("This conversation is closed.")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("Closed by Ada")


def test_a_quick_reply_without_a_customer_name_is_not_sent_until_filled(new_page, api, setup, artifacts):
    customer = "+12065550155"  # an SMS customer: no profile name, no contact
    text_in(api, setup["sms"], customer, "Can you help?")
    page = new_page("Ada", AGENT)
    open_conversation(page, customer)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Held by Ada")).to_be_visible()
    sends = len(api.twilio.calls("POST", MESSAGES))

    box = page.get_by_label(f"Reply to {customer}")
    page.get_by_text("Quick replies").click()
    page.get_by_role("button", name="Introduce").click()
    expect(box).to_have_value("Hi {{customer_name}}, this is Ada")
    missing = page.get_by_role("alert")
    expect(missing).to_have_text("Fill in customer name before sending: type over {{customer_name}} in the reply.")
    expect(box).to_have_attribute("aria-invalid", "true")
    check_page(page, "workspace-unfilled-placeholder", artifacts)

    selected = "document.activeElement.value.slice(document.activeElement.selectionStart, document.activeElement.selectionEnd)"
    page.get_by_role("button", name="Send").click()  # refused: the text is focused, the hole selected
    expect(box).to_be_focused()
    assert page.evaluate(selected) == "{{customer_name}}"
    box.press("Enter")
    expect(box).to_have_value("Hi {{customer_name}}, this is Ada")
    assert len(api.twilio.calls("POST", MESSAGES)) == sends
    conversation = api.call("GET", f"/conversations/{conversation_id(page)}").json()
    assert [m for m in conversation["messages"] if m["direction"] == "outbound"] == []

    page.keyboard.type("Sam")  # over the selected placeholder
    expect(box).to_have_value("Hi Sam, this is Ada")
    expect(missing).to_have_count(0)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".message.outbound").filter(has_text="Hi Sam, this is Ada")).to_be_visible()
    expect(box).to_have_value("")
    assert [call.form["Body"] for call in api.twilio.calls("POST", MESSAGES)[sends:]] == [["Hi Sam, this is Ada"]]


def wrote_on_whatsapp(api, setup, ago: timedelta, number: str, name: str, sid: str) -> None:
    """A WhatsApp customer's message ``ago``: ingested through the engine with its clock set back."""
    services = build(Settings.from_env(api.env), clock=FakeClock(datetime.now(timezone.utc) - ago))
    stored = services.stores.accounts.get(setup["whatsapp"]["id"])
    form = fixture_form("twilio_whatsapp_inbound.txt", From=f"whatsapp:{number}", ProfileName=name, MessageSid=sid)
    services.messaging.ingest.message(stored, TwilioInbound.from_form(Form.parse(encode(form))).to_inbound(stored))


def test_the_last_hour_of_the_whatsapp_window_shows_as_a_warning(new_page, api, setup):
    wrote_on_whatsapp(api, setup, timedelta(hours=23, minutes=30), "+5582981110002", "Bia", f"SM{'8' * 32}")
    page = new_page("Ada", AGENT)
    open_conversation(page, "Bia")
    badge = page.locator(".badge").filter(has_text="24-hour window:")
    expect(badge).to_contain_text(re.compile(r"(29|30) min left, closing soon"))  # in words, not colour alone
    expect(badge).to_have_class(re.compile(r"\bwarn\b"))


def test_after_the_whatsapp_window_only_a_template_goes_out(new_page, api, setup, artifacts):
    wrote_on_whatsapp(api, setup, timedelta(hours=25), "+5582981110001", "Ana", f"SM{'9' * 32}")

    page = new_page("Ada", AGENT)
    open_conversation(page, "Ana")
    expect(page.get_by_text("24-hour window closed: templates only")).to_be_visible()
    expect(page.get_by_label("Reply to Ana")).to_have_count(0)
    page.get_by_label("Parameter {{1}}").fill("Ana")
    page.get_by_label("Parameter {{2}}").fill("A-17")
    expect(page.locator(".preview")).to_contain_text("Hi Ana, order A-17 has shipped.")
    check_page(page, "workspace-template", artifacts)
    page.get_by_role("button", name="Send template").click()
    expect(page.locator(".message.outbound").filter(has_text="Hi Ana, order A-17 has shipped.")).to_be_visible()
    assert last_sent(api)["Body"] == ["Hi Ana, order A-17 has shipped."]
    assert last_sent(api)["To"] == ["whatsapp:+5582981110001"]


def test_a_whatsapp_reply_the_customer_read_shows_read(new_page, api, setup, artifacts):
    customer, account = "+5582981110002", setup["whatsapp"]
    whatsapp_in(api, account, customer, "Bia")
    page = new_page("Ada", AGENT)
    open_conversation(page, "Bia")
    page.get_by_role("button", name="Accept").click()
    page.get_by_label("Reply to Bia").fill("Your order ships today.")
    page.get_by_label("Reply to Bia").press("Enter")
    reply = page.locator(".message.outbound").filter(has_text="Your order ships today.")
    expect(reply).to_contain_text("Queued")

    # Twilio's WhatsApp status callbacks for it: read, then a late delivered, which changes nothing.
    sid = api.call("GET", f"/conversations/{conversation_id(page)}").json()["messages"][-1]["provider_message_id"]
    read = fixture_form("twilio_whatsapp_status_read.txt", MessageSid=sid, SmsSid=sid, To=f"whatsapp:{customer}")
    late = {**read, "EventType": "DELIVERED", "MessageStatus": "delivered", "SmsStatus": "delivered"}
    for status in (read, late):
        assert api.webhook(f"/twilio/{account['id']}/status", status, AUTH_TOKEN).status_code == 204
    expect(reply.locator(".status")).to_have_text("· Read", timeout=10_000)
    check_page(page, "workspace-read", artifacts)


@contextmanager
def agents_may_attach(api, account: dict) -> Iterator[None]:
    """The account's workstream lets agents send attachments, for as long as the block runs."""
    [workstream] = [w for w in api.call("GET", "/admin/workstreams").json()["workstreams"]
                    if w["account_id"] == account["id"]]

    def allow(on: bool) -> None:
        assert api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"attachments": {"agents_can_send": on}}).ok

    allow(True)
    try:
        yield
    finally:
        allow(False)


def test_an_attachment_as_whatsapp_takes_it_and_its_refusal_beside_it(new_page, api, setup, artifacts):
    with agents_may_attach(api, setup["whatsapp"]):
        whatsapp_in(api, setup["whatsapp"], "+5582981110003", "Caio")
        page = new_page("Ada", AGENT)
        open_conversation(page, "Caio")
        page.get_by_role("button", name="Add an attachment").click()
        expect(page.get_by_role("button", name="Add an attachment")).to_have_count(0)  # WhatsApp carries one
        expect(page.get_by_text("One attachment per message here.")).to_be_visible()
        page.get_by_label("File URL 1").fill("https://files.example.com/invoice.pdf")
        page.get_by_label("Reply to Caio").fill("Your invoice")
        page.get_by_label("Reply to Caio").press("Enter")
        content_type = page.get_by_label("Content type 1 (such as image/jpeg)")
        expect(page.locator(".attachments").get_by_role("alert")).to_contain_text("Not sent:")
        expect(content_type).to_be_focused()
        check_page(page, "workspace-attachment-refused", artifacts)
        content_type.fill("application/pdf")
        page.get_by_label("Reply to Caio").press("Enter")
        expect(page.locator(".message.outbound").filter(has_text="Your invoice")).to_be_visible()
        assert last_sent(api)["MediaUrl"] == ["https://files.example.com/invoice.pdf"]


def test_a_refused_attachment_is_named_in_its_own_row_when_one_above_is_blank(new_page, api, setup):
    with agents_may_attach(api, setup["sms"]):
        text_in(api, setup["sms"], "+12065550157", "Send me the form")
        page = new_page("Ada", AGENT)
        open_conversation(page, "+12065550157")
        for _ in range(2):
            page.get_by_role("button", name="Add an attachment").click()
        page.get_by_label("File URL 2").fill("https://files.example.com/form.pdf")  # the first left blank
        page.get_by_label("Reply to +12065550157").fill("Here it is")
        page.get_by_label("Reply to +12065550157").press("Enter")
        second = page.locator(".attachments .list-item").nth(1)
        expect(second.get_by_role("alert")).to_contain_text("Not sent:")
        expect(page.locator(".attachments .list-item").first.get_by_role("alert")).to_have_count(0)
        expect(page.get_by_label("Content type 2 (such as image/jpeg)")).to_be_focused()


def test_a_customers_markup_is_shown_as_text(new_page, api, setup):
    page = new_page("Ada", AGENT)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    markup = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    text_in(api, setup["sms"], "+12065550151", markup)
    open_conversation(page, "+12065550151")
    expect(page.locator(".message.inbound .body")).to_have_text(markup)
    assert page.locator(".messages img, .messages script").count() == 0
    check_page(page, "workspace-markup")
    assert dialogs == []


def test_the_workspace_on_a_phone(new_page, api, setup, artifacts):
    text_in(api, setup["sms"], "+12065550152", "Hello from a phone")
    page = new_page("Ada", AGENT, phone=True)
    open_conversation(page, "+12065550152")
    expect(page.get_by_role("heading", name="Inbox")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the screen"
    check_page(page, "workspace-phone", artifacts)
    page.get_by_role("link", name="Back to the inbox").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def test_a_full_inbox_scrolls_in_its_column_never_the_page(new_page, api, setup, artifacts):
    for i in range(12):
        text_in(api, setup["sms"], f"+120655502{i:02d}", f"Busy shift {i}")
    page = new_page("Ada", AGENT)
    open_conversation(page, "+12065550211")
    expect(page.locator(".inbox-item").filter(has_text="+12065550200")).to_be_attached(timeout=10_000)
    assert page.evaluate("document.documentElement.scrollHeight") <= page.viewport_size["height"]
    page.locator(".masthead").hover()
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(300)  # a wheel scrolls, if anything, within a frame or two
    assert page.evaluate("window.scrollY") == 0
    expect(page.locator(".masthead")).to_be_in_viewport()
    check_page(page, "workspace-full-inbox", artifacts)


def test_a_reply_being_written_waits_while_the_agent_looks_elsewhere(new_page, api, setup):
    text_in(api, setup["sms"], "+12065550154", "First customer")
    text_in(api, setup["sms"], "+12065550155", "Second customer")
    page = new_page("Ada", AGENT)
    open_conversation(page, "+12065550154")
    page.get_by_label("Reply to +12065550154").fill("Half a thought about your order")
    open_conversation(page, "+12065550155")
    expect(page.get_by_label("Reply to +12065550155")).to_have_value("")
    open_conversation(page, "+12065550154")
    expect(page.get_by_label("Reply to +12065550154")).to_have_value("Half a thought about your order")
    page.reload()
    expect(page.get_by_label("Reply to +12065550154")).to_have_value("Half a thought about your order")
    page.get_by_label("Reply to +12065550154").press("Enter")
    expect(page.locator(".message.outbound").filter(has_text="Half a thought about your order")).to_be_visible()
    expect(page.get_by_label("Reply to +12065550154")).to_have_value("")
    page.reload()
    expect(page.get_by_label("Reply to +12065550154")).to_have_value("")  # sent: no draft left

    held = []  # a send still on its way while the agent opens another conversation
    page.route(re.compile(r"/api/conversations/[^/]+/messages$"), lambda route: held.append(route))

    def send_held(text: str) -> None:
        held.clear()
        page.get_by_label("Reply to +12065550154").fill(text)
        page.get_by_label("Reply to +12065550154").press("Enter")
        for _ in range(50):
            if held:
                return
            page.wait_for_timeout(100)

    send_held("Your refund is on its way")
    open_conversation(page, "+12065550155")
    with page.expect_response(re.compile(r"/api/conversations/[^/]+/messages$")):
        held[0].continue_()
    open_conversation(page, "+12065550154")
    expect(page.locator(".message.outbound").filter(has_text="Your refund is on its way")).to_be_visible()
    expect(page.get_by_label("Reply to +12065550154")).to_have_value("")  # not there to be sent twice

    send_held("And a voucher")  # back in the conversation before the send is answered: its text shows, then goes
    open_conversation(page, "+12065550155")
    open_conversation(page, "+12065550154")
    expect(page.get_by_label("Reply to +12065550154")).to_have_value("And a voucher")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()  # its first request is out
    with page.expect_response(re.compile(r"/api/conversations/[^/]+/messages$")):
        held[0].continue_()
    expect(page.get_by_label("Reply to +12065550154")).to_have_value("")
    expect(page.locator(".message.outbound").filter(has_text="And a voucher")).to_have_count(1)


def test_the_newest_message_stays_in_view_as_the_composer_changes(new_page, api, setup):
    for i in range(8):
        text_in(api, setup["sms"], "+12065550156", f"Line {i} of a long story")
    page = new_page("Ada", AGENT)
    open_conversation(page, "+12065550156")
    expect(page.locator(".message").filter(has_text="Line 7 of a long story")).to_be_in_viewport(ratio=1)
    page.get_by_role("radio", name="Internal note").click()
    page.get_by_label("Internal note about +12065550156: only your team sees it").fill("Call them back at five")
    page.get_by_role("button", name="Add note").click()
    note = page.locator(".message").filter(has_text="Call them back at five")
    expect(note).to_be_in_viewport(ratio=1)
    page.get_by_role("radio", name="Reply").click()
    page.get_by_text("Quick replies").click()  # the composer grows, the list above it shrinks
    expect(page.get_by_role("button", name="Introduce")).to_be_visible()
    expect(note).to_be_in_viewport(ratio=1)


def test_the_inbox_by_keyboard_with_a_visible_focus(new_page, api, setup):
    text_in(api, setup["sms"], "+12065550153", "Keyboard only")
    page = new_page("Ada", AGENT)
    expect(page.get_by_role("link").filter(has_text="+12065550153")).to_be_visible(timeout=10_000)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    for _ in range(200):  # past the cards of the module's earlier tests
        page.keyboard.press("Tab")
        if "+12065550153" in (page.evaluate("document.activeElement.textContent") or ""):
            break
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="+12065550153")).to_be_visible()


def test_customers_files_are_dropped_or_shown_as_the_workstream_says(new_page, api, setup):
    customer = "+12065550154"
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    media = {"NumMedia": "2", "MediaContentType0": "image/png", "MediaContentType1": "application/pdf",
             "MediaUrl0": f"https://api.twilio.com{MEDIA}/ME{'1' * 32}", "MediaUrl1": f"https://api.twilio.com{MEDIA}/ME{'2' * 32}"}
    page = new_page("Ada", AGENT)
    text_in(api, setup["sms"], customer, "My receipt", **media)
    open_conversation(page, customer)
    expect(page.locator(".message.inbound .note")).to_have_text(
        "2 attachment(s) not kept: this workstream does not accept customers' files, or the provider's link was unusable.")
    expect(page.locator("fieldset.attachments")).to_have_count(0)

    [support] = [w for w in api.call("GET", "/admin/workstreams").json()["workstreams"] if w["name"] == "Support"]
    api.call("PATCH", f"/admin/workstreams/{support['id']}", {"attachments": {"customers_can_send": True,
                                                                              "agents_can_send": True}})
    api.twilio.on("GET", f"{MEDIA}/ME{'1' * 32}", (200, png, {"Content-Type": "image/png"}))
    text_in(api, setup["sms"], customer, "Here it is", **media)
    image = page.get_by_role("img", name="Image from the customer")
    expect(image).to_be_visible(timeout=10_000)
    page.wait_for_function("document.querySelector('.messages img').naturalWidth > 0")
    expect(page.get_by_role("link", name="Download application/pdf")).to_have_attribute("href", re.compile(r"/media/1$"))
    expect(page.get_by_role("group", name="Attachments")).to_be_visible()
    api.call("PATCH", f"/admin/workstreams/{support['id']}", {"attachments": {"customers_can_send": False,
                                                                              "agents_can_send": False}})
