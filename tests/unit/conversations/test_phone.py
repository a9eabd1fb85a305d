import pytest

from core.errors import ValidationFailed
from datetime import datetime, timezone

from core.records import Account, ChannelRegistration, Number
from conversations.admin.numbers import business_address, parse_entered, parse_short_code
from core.addresses import normalise_address


@pytest.mark.parametrize("typed", ["14252306549", "+14252306549"])
def test_digits_with_country_code_become_e164_with_or_without_the_plus(typed):
    assert parse_entered(typed, "n") == "+14252306549"
    assert parse_entered(typed.replace("14252306549", "442071838750"), "n") == "+442071838750"


@pytest.mark.parametrize("value", ["1 4252306549", "(425) 230-6549", "04252306549", "", 14252306549, "++14252306549",
                                   "19995550100", "1425230654999999", "+", "١٤٢٥٢٣٠٦٥٤٩"])
def test_anything_else_is_refused_with_the_field_name_and_an_example_it_accepts(value):
    with pytest.raises(ValidationFailed) as error:
        parse_entered(value, "numbers[0].number")
    assert error.value.field == "numbers[0].number"
    example = error.value.message.rsplit("e.g. ", 1)[-1]
    if "e.g." in error.value.message:
        assert parse_entered(example, "n") == example


def test_business_addresses_are_found_however_they_are_typed():
    now = datetime.now(timezone.utc)
    sms = Account("a", "n", "sms", "twilio", {}, (Number("+14252306549", "long_code"), Number("87654", "short_code")),
                  now, now)
    acs = Account("b", "n", "whatsapp", "acs", {}, (), now, now,
                  (ChannelRegistration("Support", "0f0eb78e-a576-1dfc-b414-0f0756de3338"),))
    assert business_address(sms, "14252306549", "from") == business_address(sms, "+14252306549", "from")
    assert business_address(sms, "87654", "from") == "87654"
    assert business_address(acs, "0F0EB78E-A576-1DFC-B414-0F0756DE3338", "from") == acs.channels[0].channel_id
    for typed in ("+14255550100", "", None, "0f0eb78e"):
        with pytest.raises(ValidationFailed):
            business_address(acs if typed == "0f0eb78e" else sms, typed, "from")


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
