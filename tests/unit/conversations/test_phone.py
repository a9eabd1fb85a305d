import pytest

from conversations.errors import ValidationFailed
from conversations.phone import normalise_address, parse_entered, parse_short_code


def test_digits_with_country_code_become_e164():
    assert parse_entered("14252306549", "n") == "+14252306549"
    assert parse_entered("442071838750", "n") == "+442071838750"


@pytest.mark.parametrize("value", ["+14252306549", "1 4252306549", "(425) 230-6549", "04252306549", "", 14252306549,
                                   "19995550100", "1425230654999999"])
def test_anything_else_is_refused_with_the_field_name(value):
    with pytest.raises(ValidationFailed) as error:
        parse_entered(value, "numbers[0].number")
    assert error.value.field == "numbers[0].number"


def test_leading_plus_form_for_channels_that_ask_for_it():
    assert parse_entered("+14252306549", "n", leading_plus=True) == "+14252306549"
    with pytest.raises(ValidationFailed):
        parse_entered("14252306549", "n", leading_plus=True)


def test_short_codes():
    assert parse_short_code("87654", "n") == "87654"
    with pytest.raises(ValidationFailed):
        parse_short_code("87-654", "n")


@pytest.mark.parametrize("raw,expected", [
    ("+14252306549", "+14252306549"), ("14252306549", "+14252306549"),
    ("whatsapp:+14155238886", "+14155238886"), (" 87654 ", "87654"),
])
def test_provider_addresses_are_normalised(raw, expected):
    assert normalise_address(raw) == expected
