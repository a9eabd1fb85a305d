"""A shared contact card's names and numbers (core/vcard.py), from the published examples
of RFC 6350 (vCard 4.0) and RFC 2426 (vCard 3.0) in tests/fixtures/vcard/, and the shape
WhatsApp gives a shared contact (3.0 with a waid parameter and an Apple-style group)."""

from __future__ import annotations

from pathlib import Path

from core.content import CONTACTS, Card, Content, Phone
from core.vcard import MAX_CARDS, MAX_PHONES, parse

SAMPLES = Path(__file__).parents[1] / "fixtures" / "vcard"

WHATSAPP_CARD = """BEGIN:VCARD
VERSION:3.0
N:Costa;Ana;;;
FN:Ana Costa
TEL;type=CELL;type=VOICE;waid=5582981112222:+55 82 98111-2222
item1.TEL;waid=5582933334444:+55 82 93333-4444
item1.X-ABLabel:Trabalho
END:VCARD
"""


def test_rfc_6350_example_gives_the_formatted_name_and_both_tel_uris_with_their_types():
    [card] = parse((SAMPLES / "rfc6350_example.vcf").read_text())
    assert card == Card("Simon Perreault", (Phone("+1-418-656-9254;ext=102", "work, voice"),
                                            Phone("+1-418-262-6501", "work, cell, voice, video, text")))


def test_rfc_2426_examples_give_two_cards_from_one_file_across_folded_lines():
    assert parse((SAMPLES / "rfc2426_examples.vcf").read_text()) == (
        Card("Frank Dawson", (Phone("+1-919-676-9515", "voice, msg, work"), Phone("+1-919-676-9564", "fax, work"))),
        Card("Tim Howes", (Phone("+1-415-937-3419", "voice, msg, work"), Phone("+1-415-528-4164", "fax, work"))),
    )


def test_whatsapp_shared_contact_with_repeated_types_and_a_grouped_number():
    assert parse(WHATSAPP_CARD) == (Card("Ana Costa", (Phone("+55 82 98111-2222", "cell, voice"),
                                                        Phone("+55 82 93333-4444", None))),)


def test_name_from_n_when_fn_is_missing_and_escapes_and_folds_read():
    text = ("BEGIN:VCARD\nVERSION:3.0\nN:O\\,Brien;Mary;Ann;Dr.;\nTEL;CELL:0117 496 0\n 123\nEND:VCARD\n"
            "BEGIN:VCARD\nVERSION:4.0\nFN:Acme\\, Inc.\nEND:VCARD\n")
    assert parse(text) == (Card("Dr. Mary Ann O,Brien", (Phone("0117 496 0123", "cell"),)), Card("Acme, Inc."))


def test_bounded_in_cards_and_numbers_and_a_card_cut_off_is_dropped():
    phones = "".join(f"TEL:+1555000{i:04d}\n" for i in range(MAX_PHONES + 3))
    card = f"BEGIN:VCARD\nVERSION:3.0\nFN:Person\n{phones}END:VCARD\n"
    cards = parse(card * (MAX_CARDS + 2))
    assert len(cards) == MAX_CARDS and all(len(c.phones) == MAX_PHONES for c in cards)
    assert parse(card + "BEGIN:VCARD\nVERSION:3.0\nFN:Cut off\nTEL:+1") == parse(card)


def test_nothing_to_read_gives_no_cards():
    assert parse("") == parse("not a vcard") == parse("BEGIN:VCARD\nVERSION:4.0\nEMAIL:a@example.com\nEND:VCARD") == ()


def test_cards_survive_the_message_row_round_trip_and_unread_stays_distinct_from_none_found():
    read = Content(CONTACTS, contacts=parse(WHATSAPP_CARD))
    assert Content.from_dict(read.to_dict()) == read
    assert Content.from_dict(Content(CONTACTS).to_dict()).contacts is None
    assert Content.from_dict(Content(CONTACTS, contacts=()).to_dict()).contacts == ()
