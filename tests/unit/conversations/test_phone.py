import pytest

from core.errors import ValidationFailed
from datetime import datetime, timezone

from core.records import Account, ChannelRegistration, Number
from conversations.admin.numbers import PhoneReader, parse_short_code
from core.addresses import normalise_address

US = PhoneReader("US")


@pytest.mark.parametrize("typed", ["14252306549", "+14252306549"])
def test_digits_with_country_code_become_e164_with_or_without_the_plus(typed):
    assert US.entered(typed, "n") == "+14252306549"
    assert US.entered(typed.replace("14252306549", "442071838750"), "n") == "+442071838750"


@pytest.mark.parametrize("typed,region,expected", [
    ("(312) 546-7890", "US", "+13125467890"), ("312.546.7890", "US", "+13125467890"),
    ("312-546-7890", "US", "+13125467890"), ("1 (312) 546-7890", "US", "+13125467890"),
    ("+1 312 546 7890", "US", "+13125467890"), (" +1-312-546-7890 ", "DE", "+13125467890"),
    ("0151 1234 5678", "DE", "+4915112345678"), ("0151/12345678", "DE", "+4915112345678"),
    ("0044 20 7183 8750", "US", "+442071838750"), ("+44 (0)20 7183 8750", "US", "+442071838750"),
    ("020 7183 8750", "GB", "+442071838750"), ("442071838750", "US", "+442071838750"),
])
def test_common_written_forms_national_and_international_become_e164(typed, region, expected):
    assert PhoneReader(region).entered(typed, "n") == expected


def test_a_national_number_reads_in_the_reader_s_own_region_and_an_unknown_region_is_refused():
    germany = PhoneReader("DE")
    assert germany.entered("0151 1234 5678", "n") == "+4915112345678"
    assert US.entered("(312) 546-7890", "n") == "+13125467890"  # one reader's region is not another's
    with pytest.raises(ValidationFailed):
        US.entered("0151 1234 5678", "n")
    with pytest.raises(ValueError, match="PHONE_REGION"):
        PhoneReader("XX")


@pytest.mark.parametrize("value", ["04252306549", "", "  ", 14252306549, "++14252306549", "19995550100",
                                   "1425230654999999", "+", "١٤٢٥٢٣٠٦٥٤٩", "(312) 546-789", "312 546 7890 x12",
                                   "1-800-FLOWERS", "0151 1234 5678"])
def test_anything_else_is_refused_with_the_field_name_and_the_forms_it_takes(value):
    with pytest.raises(ValidationFailed) as error:
        US.entered(value, "numbers[0].number")
    assert error.value.field == "numbers[0].number"
    if isinstance(value, str) and value.strip():
        assert error.value.message == ("numbers[0].number: is not a valid phone number: write it with its country "
                                       "code, e.g. +1 425 230 6549, or as dialled within US, e.g. (201) 555-0123")
        assert US.entered("+1 425 230 6549", "n") == "+14252306549"
        assert US.entered("(201) 555-0123", "n") == "+12015550123"


def test_business_addresses_are_found_however_they_are_typed():
    now = datetime.now(timezone.utc)
    sms = Account("a", "n", "sms", "twilio", {}, (Number("+14252306549", "long_code"), Number("87654", "short_code")),
                  now, now)
    acs = Account("b", "n", "whatsapp", "acs", {}, (), now, now,
                  (ChannelRegistration("Support", "0f0eb78e-a576-1dfc-b414-0f0756de3338"),))
    assert US.business_address(sms, "14252306549", "from") == US.business_address(sms, "+14252306549", "from")
    assert US.business_address(sms, "(425) 230-6549", "from") == "+14252306549"
    assert US.business_address(sms, "87654", "from") == "87654"
    assert US.business_address(acs, "0F0EB78E-A576-1DFC-B414-0F0756DE3338", "from") == acs.channels[0].channel_id
    for typed in ("+14255550100", "", None, "0f0eb78e"):
        with pytest.raises(ValidationFailed):
            US.business_address(acs if typed == "0f0eb78e" else sms, typed, "from")


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
