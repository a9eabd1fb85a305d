"""Reply buttons and lists held to WhatsApp's limits (core/interactive.py) before anything is
stored or sent: each limit refused with the field it names, what each provider adds, a
bot's suggested actions (Direct Line) made into them where they fit, and quick replies' and
automated messages' own, named under their settings."""

from __future__ import annotations

import pytest

from channels.directline import _activity
from conversations.admin.quick_replies import parse_quick_replies
from conversations.admin.workstream_settings import parse_settings
from conversations.bots.stage import offered
from core.bots import Activity
from core.content import INTERACTIVE, Content, Interactive
from core.errors import Conflict, ValidationFailed
from core.interactive import UNSUPPORTED, check_body, check_sendable, from_suggested, read
from core.records import Media
from core.settings import QuickReply, WorkstreamSettings


def buttons(*titles: str) -> dict:
    return {"buttons": [{"id": f"b{i}", "title": t} for i, t in enumerate(titles)]}


def rows(n: int, start: int = 0, **row) -> list[dict]:
    return [{"id": f"r{i}", "title": f"Row {i}", **row} for i in range(start, start + n)]


def a_list(*sections: list[dict], button: str = "Choose") -> dict:
    return {"button": button, "sections": [{"title": f"Section {i}", "rows": r} for i, r in enumerate(sections)]}


def refused(value: object) -> str:
    with pytest.raises(ValidationFailed) as caught:
        read(value)
    assert caught.value.status == 422
    return caught.value.field


def test_buttons_and_a_list_within_the_limits_are_read():
    three = read(buttons("Yes", "No", "x" * 20))
    assert [b.title for b in three.buttons] == ["Yes", "No", "x" * 20] and three.button is None
    listed = read(a_list(rows(4, description="d" * 72), rows(6, start=4)))
    assert listed.button == "Choose" and [len(s.rows) for s in listed.sections] == [4, 6]
    assert listed.sections[0].rows[0].description == "d" * 72 and listed.sections[1].rows[0].description is None
    sid = read({"content_sid": "HX" + "a" * 32})
    assert sid.content_sid == "HX" + "a" * 32


def test_buttons_read_back_as_the_api_answers_them_are_taken():
    answered = {"buttons": [{**b, "description": None} for b in buttons("Yes", "No")["buttons"]]}
    assert read(answered) == read(buttons("Yes", "No"))


def test_content_keeps_it_through_its_stored_form():
    offered = read(a_list(rows(2, description="Tomorrow")))
    content = Content(kind=INTERACTIVE, interactive=offered)
    assert Content.from_dict(content.to_dict()) == content
    assert Content.from_dict(Content(kind=INTERACTIVE, interactive=read(buttons("A"))).to_dict()).interactive.buttons


@pytest.mark.parametrize(("value", "field"), [
    (buttons("A", "B", "C", "D"), "interactive.buttons[3]"),
    ({"buttons": []}, "interactive.buttons"),
    (buttons("Yes", "x" * 21), "interactive.buttons[1].title"),
    ({"buttons": [{"id": "i" * 257, "title": "Yes"}]}, "interactive.buttons[0].id"),
    ({"buttons": [{"id": "a", "title": "Yes"}, {"id": "a", "title": "No"}]}, "interactive.buttons[1].id"),
    ({"buttons": [{"id": "a", "title": "Yes"}, {"id": "b", "title": "Yes"}]}, "interactive.buttons[1].title"),
    ({"buttons": [{"id": "a", "title": "Yes", "description": "no such"}]}, "interactive.buttons[0].description"),
    ({"buttons": [{"id": "a"}]}, "interactive.buttons[0].title"),
    (a_list(rows(11)), "interactive.sections[0].rows[10]"),
    (a_list(rows(6), rows(5)), "interactive.sections[1].rows[4]"),
    (a_list(*[rows(1)] * 11), "interactive.sections[10]"),
    (a_list(rows(3) + [{"id": "x", "title": "t" * 25}]), "interactive.sections[0].rows[3].title"),
    (a_list(rows(2, description="d" * 73)), "interactive.sections[0].rows[0].description"),
    (a_list([{"id": "i" * 201, "title": "Row"}]), "interactive.sections[0].rows[0].id"),
    (a_list(rows(2), button="b" * 21), "interactive.button"),
    ({"button": "Choose", "sections": [{"title": "s" * 25, "rows": rows(1)}]}, "interactive.sections[0].title"),
    ({"button": "Choose", "sections": [{"rows": rows(1)}]}, "interactive.sections[0].title"),
    (a_list(rows(1), rows(1)), "interactive.sections[1].rows[0].id"),  # r0 twice
    ({"sections": [{"title": "S", "rows": rows(1)}]}, "interactive.button"),
    ({"button": "Choose", "buttons": [{"id": "a", "title": "A"}]}, "interactive.button"),
    ({**buttons("A"), **a_list(rows(1))}, "interactive"),
    ({}, "interactive"),
    ("Yes or no?", "interactive"),
    ({"content_sid": "HX123"}, "interactive.content_sid"),
    ({"cards": []}, "interactive.cards"),
])
def test_each_limit_is_refused_naming_its_field(value, field):
    assert refused(value) == field


def test_the_body_of_an_interactive_message_is_at_most_1024_characters():
    check_body("b" * 1024)
    with pytest.raises(ValidationFailed) as caught:
        check_body("b" * 1025)
    assert caught.value.field == "body"


def test_what_each_provider_takes():
    long_id = Interactive(buttons=read({"buttons": [{"id": "i" * 201, "title": "Yes"}]}).buttons)
    check_sendable(long_id, "acs", "whatsapp")  # WhatsApp's 256
    with pytest.raises(ValidationFailed) as caught:
        check_sendable(long_id, "twilio", "whatsapp")  # the Content API's 200
    assert caught.value.field == "interactive.buttons[0].id"
    sid = read({"content_sid": "HX" + "b" * 32})
    check_sendable(sid, "twilio", "whatsapp")
    with pytest.raises(ValidationFailed) as caught:
        check_sendable(sid, "acs", "whatsapp")
    assert caught.value.field == "interactive.content_sid"
    with pytest.raises(Conflict) as sms:
        check_sendable(read(buttons("Yes")), "twilio", "sms")
    assert sms.value.code == UNSUPPORTED and sms.value.status == 409


def suggested(*titles: str, kind: str = "imBack") -> tuple[dict, ...]:
    return tuple({"type": kind, "title": t, "value": t.lower()} for t in titles)


def test_a_bots_suggested_actions_become_buttons_up_to_three_else_a_list():
    three = from_suggested(suggested("Track", "Return", "Agent"))
    assert [(b.id, b.title) for b in three.buttons] == [("track", "Track"), ("return", "Return"), ("agent", "Agent")]
    four = from_suggested(suggested("A", "B", "C", "D", kind="postBack"))
    assert four.buttons == () and four.button == "Options" and [r.title for r in four.sections[0].rows] == list("ABCD")
    posted = from_suggested(({"type": "postBack", "title": "Yes", "value": {"answer": 1}},))
    assert posted.buttons[0].id == "Yes"  # a value that is no string: the title comes back instead
    for wrong in (suggested(*"ABCDEFGHIJK"), suggested("x" * 25), ({"type": "openUrl", "title": "Site"},)):
        with pytest.raises(ValidationFailed):
            from_suggested(wrong)


def test_the_bots_reply_offers_them_on_its_last_text_part_where_the_provider_takes_them():
    activity = Activity(id="a1", type="message", from_id="bot", text="What next?",
                        suggested=suggested("Track", "Agent"))
    parts = [("What next?", ())]
    assert [b.title for b in offered(activity, parts, "acs", "whatsapp").buttons] == ["Track", "Agent"]
    assert offered(activity, parts, "twilio", "sms") is None  # the text goes alone
    assert offered(activity, [("Here", (Media("https://x.example/a.png", "image/png"),))], "acs", "whatsapp") is None
    assert offered(Activity(id="a2", type="message", from_id="bot", text="Hi"), [("Hi", ())], "acs",
                   "whatsapp") is None
    too_many = Activity(id="a3", type="message", from_id="bot", text="Pick", suggested=suggested(*"ABCDEFGHIJK"))
    assert offered(too_many, [("Pick", ())], "acs", "whatsapp") is None


def test_direct_line_hands_over_the_suggested_actions():
    read_activity = _activity({"id": "7", "type": "message", "from": {"id": "bot"}, "text": "Pick",
                               "suggestedActions": {"actions": [{"type": "imBack", "title": "Yes", "value": "Yes"},
                                                                "not an action"]}})
    assert read_activity.suggested == ({"type": "imBack", "title": "Yes", "value": "Yes"},)
    assert _activity({"id": "8", "type": "message", "suggestedActions": "none"}).suggested == ()


def test_a_quick_reply_may_offer_buttons_its_refusals_named_under_it():
    [plain, offering] = parse_quick_replies([
        {"name": "Hours", "text": "We open at 9."},
        {"name": "Delivery", "text": "Shall we deliver tomorrow?", "interactive": buttons("Yes", "Later")}])
    assert plain.interactive is None and [b.title for b in offering.interactive.buttons] == ["Yes", "Later"]
    assert QuickReply.from_dict(offering.to_dict()) == offering and "interactive" not in plain.to_dict()
    for value, field in (({"name": "A", "text": "Pick", "interactive": buttons(*"ABCD")},
                          "quick_replies[0].interactive.buttons[3]"),
                         ({"name": "A", "text": "t" * 1025, "interactive": buttons("A")}, "quick_replies[0].text")):
        with pytest.raises(ValidationFailed) as caught:
            parse_quick_replies([value])
        assert caught.value.field == field and caught.value.message.startswith(field + ": ")


def test_an_automated_message_may_offer_buttons_kept_with_its_settings():
    settings = parse_settings({"allow_automated_messages": True, "automated_messages": {
        "greeting": {"text": "Hi! What brings you here?", "interactive": buttons("An order", "A return")},
        "closing": {"text": "Bye"}}})
    assert [b.title for b in settings.automated_interactive["greeting"].buttons] == ["An order", "A return"]
    assert "closing" not in settings.automated_interactive
    assert WorkstreamSettings.from_dict(settings.to_dict()) == settings
    with pytest.raises(ValidationFailed) as caught:
        parse_settings({"automated_messages": {"greeting": {"text": "Hi", "interactive": buttons("x" * 21)}}})
    assert caught.value.field == "automated_messages.greeting.interactive.buttons[0].title"
