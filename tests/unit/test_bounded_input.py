"""The bounds that keep outside input storable and servable: MIME types, JSON text,
provider ids as keys, and JSON columns spread over several properties."""

from __future__ import annotations

import pytest

from conversations.admin.rates import parse_rates
from conversations.admin.validation import short_name
from core.errors import BadRequest, ValidationFailed
from core.interactive import read
from core.addresses import possible_customer
from core.media import media_type
from core.json_body import parse_json
from storage.columns import PART, get_json, put_json
from storage.thread_rows import MAX_KEY_ID, marker_key as _marker_key


@pytest.mark.parametrize("raw,expected", [
    ("image/jpeg", "image/jpeg"), ("Image/JPEG", "image/jpeg"), ("audio/ogg; codecs=opus", "audio/ogg"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("image/jpeg\r\nX-Injected: yes", None), ("image/\U0001F600", None), ("image", None), ("", None),
    ("a/b/c", None), (None, None), ("text/ html", None),
])
def test_only_a_bare_http_media_type_passes(raw, expected):
    assert media_type(raw) == expected


def test_lone_surrogates_are_refused_in_api_bodies_and_replaced_in_provider_payloads():
    with pytest.raises(ValidationFailed) as refused:
        parse_json(b'{"media": [{"url": "\\udfff"}]}', "the body")
    assert refused.value.field == "media[0].url"
    assert parse_json(b'["a\\ud800"]', "x", lone_surrogates="replace") == ["a\ufffd"]
    assert parse_json(b'"\\ud83d\\ude00"', "x") == "\U0001F600"  # a whole pair is text
    with pytest.raises(BadRequest):
        parse_json(b"[" * 100_000, "x")


def test_provider_ids_too_long_for_a_key_are_keyed_by_their_hash():
    short, long_ = "SM" + "1" * 32, "SM" + "1" * 2000
    assert _marker_key(short) == "p|" + short
    assert _marker_key(long_) == _marker_key(long_) != _marker_key(long_ + "2")
    assert len(_marker_key(long_)) < MAX_KEY_ID and _marker_key(long_).startswith("p|%H")
    assert not _marker_key("%H" + "0" * 64).startswith("p|%H")  # an escaped id never looks like a hash


@pytest.mark.parametrize("value", [{}, {"a": "b"}, {"k": "\U0001F600" * (3 * PART + 7)}, list(range(20_000))])
def test_json_columns_round_trip_across_parts_that_each_fit_a_property(value):
    entity = put_json({}, "Fields", value)
    assert get_json(entity, "Fields", None) == value
    assert all(len(v.encode("utf-16-le")) // 2 <= 32_767 for v in entity.values())
    assert get_json({}, "Fields", "default") == "default"


@pytest.mark.parametrize("address,user_ids,possible", [
    ("+14255550100", False, True), ("87654", False, True), ("+1" + "2" * 40, False, False),
    ("\ufffd1206", False, False), ("US.1349120865530274191", True, True), ("US.1349120865530274191", False, False),
    ("a b", True, False), ("x" * 65, True, False), ("", True, False),
])
def test_possible_customers(address, user_ids, possible):
    assert possible_customer(address, user_ids=user_ids) is possible


def _refused(parse, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse()
    assert refused.value.field == field


def test_a_trailing_line_break_is_not_part_of_a_valid_value():
    """A pattern's ``$`` also matches before a final line break: every admin value is
    checked to its very end (a calling code "1\\n" would never price a number)."""
    row = {"calling_code": "*", "category": "marketing", "price": "0.025"}
    rows = [dict(row, category=c) for c in ("marketing", "utility", "authentication")]
    assert parse_rates({"currency": "USD", "rates": rows}).currency == "USD"
    _refused(lambda: parse_rates({"currency": "USD\n", "rates": rows}), "currency")
    _refused(lambda: parse_rates({"currency": "USD", "rates": [*rows, dict(row, calling_code="1\n")]}),
             "rates[3].calling_code")
    _refused(lambda: parse_rates({"currency": "USD", "rates": [dict(rows[0], price="0.025\n"), *rows[1:]]}),
             "rates[0].price")
    assert short_name({"name": "Spanish\n"}) == "Spanish"  # a name is trimmed first
    _refused(lambda: read({"content_sid": "HX" + "a" * 32 + "\n"}), "interactive.content_sid")
