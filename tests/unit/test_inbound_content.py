"""Each inbound WhatsApp type, from both providers' published shapes, as what it is
(core/content.py).

ACS: Microsoft Learn's Advanced Messaging event samples (tests/fixtures/acs/README.md).
Twilio: the parameters of "Twilio's request to your incoming message Webhook URL"
(twilio.com/docs/messaging/guides/webhook-request: MessageType, Latitude, Longitude,
Address, Label, ButtonText, ButtonPayload, OriginalRepliedMessageSid,
OriginalRepliedMessageSender) and the list picker's ListId and ListTitle
(twilio.com/docs/content/twiliolist-picker), on the sandbox capture of
twilio_whatsapp_inbound.txt; a shared contact is the vCard attachment Twilio makes of it."""

from __future__ import annotations

import pytest

from channels import acs
from channels.twilio import Form, TwilioInbound
from core.content import CHOICE, CONTACTS, LOCATION, MEDIA, REACTION, STICKER, TEXT, UNSUPPORTED, Choice, Location
from tests.support.twilio import FIXTURES
from tests.unit.test_acs_events import WHATSAPP, event

OFFERED = "SM9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def twilio(name: str, **fields: str) -> TwilioInbound:
    form = Form.parse((FIXTURES / name).read_bytes())
    form.update({k: [v] for k, v in fields.items()})
    return TwilioInbound.from_form(form)


def received(name: str, **data) -> acs.AdvancedMessageReceived:
    return acs.AdvancedMessageReceived.from_event(event(name, **data))


def test_acs_reaction_names_the_message_and_the_emoji():
    inbound = received("advanced_message_received_reaction.json",
                       reaction={"messageId": "a1b2", "emoji": "👍"}).to_inbound(WHATSAPP)
    assert (inbound.content.kind, inbound.content.reacts_to, inbound.content.emoji) == (REACTION, "a1b2", "👍")
    # Kept as a line only when the message it reacts to is not found: it says so.
    assert inbound.body == "Reacted 👍 to a message Switchboard does not hold"


def test_acs_reaction_removed_has_an_empty_emoji():
    content = received("advanced_message_received_reaction.json", reaction={"messageId": "a1b2", "emoji": ""}).content
    assert (content.kind, content.reacts_to, content.emoji) == (REACTION, "a1b2", "")


@pytest.mark.parametrize("name, choice", [
    ("advanced_message_received_button.json", Choice("Kat said yes", "Yes")),
    ("advanced_message_received_button_reply.json", Choice("agree", "Agree")),
    ("advanced_message_received_list_reply.json", Choice("priority_mail", "Priority Mail", "1–3 Days")),
])
def test_acs_buttons_and_list_rows_are_choices_answering_the_message_that_offered_them(name, choice):
    message = received(name, context={"from": "x", "id": "offer-1"})
    assert (message.content.kind, message.content.choice, message.content.answers) == (CHOICE, choice, "offer-1")
    assert message.body == choice.title  # what bots, previews and the survey read


def test_acs_reply_in_context_keeps_the_text_and_the_message_it_answers():
    message = received("advanced_message_received_text_reply.json", context={"from": "x", "id": "ours-1"})
    assert (message.content.kind, message.content.answers, message.body) == (TEXT, "ours-1", "Hello")


def test_acs_sticker_is_media_of_kind_sticker():
    message = received("advanced_message_received_sticker.json")
    assert message.content.kind == STICKER and message.media[0].content_type == "image/webp"
    assert received("advanced_message_received_image.json").content.kind == MEDIA


def test_acs_type_without_a_published_shape_is_kept_as_unsupported_and_named():
    message = received("advanced_message_received_location.json")
    assert (message.content.kind, message.content.type_name) == (UNSUPPORTED, "location")
    assert message.body == "Unsupported message type: location"


def test_acs_plain_text_is_plain():
    assert received("advanced_message_received_text.json").content.plain


def test_twilio_location_keeps_coordinates_label_and_address():
    message = twilio("twilio_whatsapp_inbound_location.txt")
    assert message.content.kind == LOCATION
    assert message.content.location == Location(37.7879277, -122.3937508, "Twilio Inc",
                                                "375 Beale St, San Francisco, CA 94105")
    assert message.body == "Location: Twilio Inc, 375 Beale St, San Francisco, CA 94105"


@pytest.mark.parametrize("latitude", ["north", "91", ""])
def test_twilio_location_without_usable_coordinates_is_kept_as_unsupported(latitude):
    message = twilio("twilio_whatsapp_inbound_location.txt", Latitude=latitude)
    assert (message.content.kind, message.content.type_name) == (UNSUPPORTED, "location")


@pytest.mark.parametrize("name, choice", [
    ("twilio_whatsapp_inbound_button.txt", Choice("confirm_yes", "Yes")),
    ("twilio_whatsapp_inbound_list.txt", Choice("dest_den", "Denver")),
])
def test_twilio_button_and_list_answers_are_choices_answering_the_offer(name, choice):
    message = twilio(name)
    assert (message.content.kind, message.content.choice, message.content.answers) == (CHOICE, choice, OFFERED)


def test_twilio_reply_in_context_keeps_the_replied_message_sid():
    message = twilio("twilio_whatsapp_inbound_reply.txt")
    assert (message.content.kind, message.content.answers, message.body) == (TEXT, OFFERED, "Yes, that one")


def test_twilio_sticker_and_contact_card_are_media_of_their_kind():
    sticker, card = twilio("twilio_whatsapp_inbound_sticker.txt"), twilio("twilio_whatsapp_inbound_contacts.txt")
    assert (sticker.content.kind, sticker.media[0].content_type) == (STICKER, "image/webp")
    assert (card.content.kind, card.media[0].content_type, card.body) == (CONTACTS, "text/vcard", "Contact card")


def test_twilio_unknown_type_without_text_or_media_is_kept_and_named():
    message = twilio("twilio_whatsapp_inbound_unknown.txt", MessageType="poll")
    assert (message.content.kind, message.content.type_name, message.body) == (
        UNSUPPORTED, "poll", "Unsupported message type: poll")


def test_twilio_plain_text_and_sms_stay_plain():
    assert twilio("twilio_whatsapp_inbound.txt").content.plain
    assert twilio("twilio_sms_inbound.txt").content.plain
