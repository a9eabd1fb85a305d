"""Quick replies as a workstream setting: parsed and bounded, kept as written."""

import pytest

from conversations.admin.quick_replies import MAX_NAME, MAX_QUICK_REPLIES, MAX_TEXT
from conversations.admin.workstream_settings import parse_settings
from core.errors import ValidationFailed
from core.settings import QuickReply, WorkstreamSettings

REPLIES = [{"name": "Greeting", "text": "Hi {{customer_name}}, this is {{agent_name}}. How can I help?"},
           {"name": "Hours", "text": "We answer Monday to Friday, 9 to 5."}]


def test_none_by_default_and_kept_as_written_through_the_stored_form():
    assert WorkstreamSettings().quick_replies == ()
    settings = parse_settings({"quick_replies": REPLIES})
    assert settings.quick_replies == (QuickReply("Greeting", REPLIES[0]["text"]), QuickReply("Hours", REPLIES[1]["text"]))
    assert settings.to_dict()["quick_replies"] == REPLIES
    assert WorkstreamSettings.from_dict(settings.to_dict()) == settings


def test_settings_stored_before_quick_replies_existed_read_as_none():
    stored = WorkstreamSettings().to_dict()
    del stored["quick_replies"]
    assert WorkstreamSettings.from_dict(stored).quick_replies == ()


def test_a_patch_without_them_keeps_them_and_an_empty_list_clears_them():
    current = parse_settings({"quick_replies": REPLIES})
    assert parse_settings({"language": "fr-FR"}, current).quick_replies == current.quick_replies
    assert parse_settings({"quick_replies": []}, current).quick_replies == ()


@pytest.mark.parametrize("value,field", [
    ({"name": "x"}, "quick_replies"),
    ("Hi", "quick_replies"),
    ([{"name": "", "text": "Hi"}], "quick_replies[0].name"),
    ([{"name": "n" * (MAX_NAME + 1), "text": "Hi"}], "quick_replies[0].name"),
    ([{"name": "Hi"}], "quick_replies[0].text"),
    ([{"name": "Hi", "text": "t" * (MAX_TEXT + 1)}], "quick_replies[0].text"),
    ([{"name": "Hi", "text": "Hi", "shortcut": "h"}], "quick_replies[0].shortcut"),
    ([REPLIES[0], {**REPLIES[1], "name": "Greeting"}], "quick_replies[1].name"),
    ([{"name": f"r{i}", "text": "Hi"} for i in range(MAX_QUICK_REPLIES + 1)], "quick_replies"),
])
def test_wrong_quick_replies_name_the_field(value, field):
    with pytest.raises(ValidationFailed) as error:
        parse_settings({"quick_replies": value})
    assert error.value.field == field
