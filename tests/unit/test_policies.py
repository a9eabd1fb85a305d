"""The provider-neutral rules: the WhatsApp 24-hour window, attachments, templates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from conversations.messaging import policies
from conversations.messaging import templates
from core.errors import Conflict, ValidationFailed
from core.records import Conversation, Media, Template

LAST = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def conversation(channel: str = "whatsapp", last: datetime | None = LAST) -> Conversation:
    return Conversation("c" * 44, "open", channel, "acs", "a", None, "+14254360097", "chan", None, LAST, LAST,
                        last, 480)


def test_window_ends_24_hours_after_the_customers_last_message():
    assert policies.reply_window_ends_at(conversation()) == LAST + timedelta(hours=24)
    assert policies.reply_window_ends_at(conversation("sms")) is None
    policies.check_free_form_reply(conversation(), LAST + timedelta(hours=24))
    policies.check_free_form_reply(conversation("sms"), LAST + timedelta(days=30))


def test_a_late_free_form_reply_is_refused_naming_templates():
    with pytest.raises(Conflict) as refused:
        policies.check_free_form_reply(conversation(), LAST + timedelta(hours=24, seconds=1))
    assert refused.value.code == "outside_whatsapp_window" and refused.value.status == 409
    assert "template" in refused.value.message


PNG = Media("https://x/a.png", "image/png")


@pytest.mark.parametrize("provider", ["acs", "twilio"])
@pytest.mark.parametrize("media, body, field", [
    ((PNG, Media("https://x/b.png", "image/png")), "", "media"),
    ((Media("https://x/a.bin", "model/gltf"),), "", "media[0].content_type"),
    ((Media("https://x/a.ogg", "audio/ogg"),), "caption", "body"),
])
def test_whatsapp_attachment_rules(provider, media, body, field):
    with pytest.raises(ValidationFailed) as refused:
        policies.check_media(provider, "whatsapp", body, media)
    assert refused.value.field == field


def test_attachments_per_provider_and_channel():
    for provider in ("acs", "twilio"):
        policies.check_media(provider, "whatsapp", "see this", (Media("https://x/a.pdf", "application/pdf"),))
    policies.check_media("twilio", "sms", "ten photos", (PNG,) * 10)
    policies.check_media("twilio", "sms", "", (Media("https://x/a.bin", "model/gltf"),))  # MMS: Twilio decides
    for provider, channel, media in (("twilio", "sms", (PNG,) * 11), ("acs", "sms", (PNG,)),
                                     ("telesign", "sms", (PNG,))):
        with pytest.raises(ValidationFailed) as refused:
            policies.check_media(provider, channel, "", media)
        assert refused.value.field == "media"
    assert [policies.media_kind(t) for t in ("image/png", "video/mp4", "audio/ogg", "application/pdf")] == \
        ["image", "video", "audio", "document"]


def test_templates_fill_their_placeholders_and_count_them():
    [template] = templates.parse_templates([{"name": "order_update", "language": "en_US",
                                             "text": "Hi {{1}}, order {{2}} ships today. {{1}}, thanks!"}])
    assert templates.placeholder_count(template) == 2
    filled = templates.fill(template, ["Ana", "A-17"])
    assert templates.render(template, filled) == "Hi Ana, order A-17 ships today. Ana, thanks!"
    for wrong in (["Ana"], ["Ana", "A-17", "x"], "Ana", [1, 2], ["Ana", " "]):
        with pytest.raises(ValidationFailed):
            templates.fill(template, wrong)


def test_a_template_may_name_its_twilio_content_sid():
    sid = "HX" + "0123456789abcdef" * 2
    [plain, content] = templates.parse_templates([
        {"name": "order_update", "language": "en", "text": "Hi {{1}}"},
        {"name": "order_update", "language": "es", "text": "Hola {{1}}", "content_sid": sid}])
    assert plain.content_sid is None and "content_sid" not in plain.to_dict()
    assert content.content_sid == sid and content.to_dict()["content_sid"] == sid


@pytest.mark.parametrize("entry, field", [
    ({"name": "order", "language": "en", "text": "x", "content_sid": "HX123"}, "templates[0].content_sid"),
    ({"name": "order", "language": "en", "text": "x", "content_sid": "MG" + "0" * 32}, "templates[0].content_sid"),
    ({"name": "Order Update", "language": "en", "text": "x"}, "templates[0].name"),
    ({"name": "order", "language": "english", "text": "x"}, "templates[0].language"),
    ({"name": "order", "language": "en", "text": "Hi {{2}}"}, "templates[0].text"),
    ({"name": "order", "language": "en"}, "templates[0].text"),
    ({"name": "order", "language": "en", "text": "x", "extra": 1}, "templates[0].extra"),
])
def test_bad_template_definitions_name_the_field(entry, field):
    with pytest.raises(ValidationFailed) as refused:
        templates.parse_templates([entry])
    assert refused.value.field == field


def test_template_text_without_placeholders_takes_no_parameters():
    template = Template("welcome", "en", "Welcome back!")
    assert templates.render(template, templates.fill(template, [])) == "Welcome back!"
