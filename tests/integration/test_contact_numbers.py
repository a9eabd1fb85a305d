"""A contact's other numbers on real storage: each is claimed in the directory as the
mobile phone is, so one number belongs to one contact (a taken one is refused naming its
field), a conversation's number finds the contact by any of them, and numbers dropped or
deleted are free again."""

from __future__ import annotations

import pytest

from core.errors import Conflict, ValidationFailed
from functions.settings import Settings
from functions.wiring import build


def refused(call, *args) -> Exception:
    with pytest.raises((Conflict, ValidationFailed)) as caught:
        call(*args)
    return caught.value


def test_other_phones_are_claimed_found_and_released(make_services):
    services = make_services()
    admin, store = services.admin.contacts, services.stores.contacts
    ada = admin.create({"mobile_phone": "+12065550101", "name": "Ada", "other_phones": ["12065550102"]})
    assert ada.other_phones == ("+12065550102",)
    assert store.by_phone("+12065550102").id == ada.id
    assert store.get(ada.id).other_phones == ("+12065550102",)

    taken = refused(admin.create, {"mobile_phone": "+12065550103", "other_phones": ["+12065550102"]})
    assert isinstance(taken, Conflict) and taken.field == "other_phones[0]"
    taken = refused(admin.create, {"mobile_phone": "+12065550102"})
    assert isinstance(taken, Conflict) and taken.field == "mobile_phone"
    assert store.by_phone("+12065550103") is None  # the refused contact's claims were released

    swapped = admin.update(ada.id, {"mobile_phone": "+12065550102", "other_phones": ["+12065550101"]})
    assert (swapped.mobile_phone, swapped.other_phones) == ("+12065550102", ("+12065550101",))
    assert store.by_phone("+12065550101").id == store.by_phone("+12065550102").id == ada.id

    admin.update(ada.id, {"other_phones": []})
    assert store.by_phone("+12065550101") is None
    bo = admin.create({"mobile_phone": "+12065550103", "other_phones": ["+12065550101"]})
    assert store.by_phone("+12065550101").id == bo.id
    admin.delete(bo.id)
    assert store.by_phone("+12065550101") is None and store.by_phone("+12065550103") is None


@pytest.mark.parametrize("body, field", [
    ({"mobile_phone": "+12065550111", "other_phones": ["+12065550111"]}, "other_phones[0]"),
    ({"mobile_phone": "+12065550111", "other_phones": ["+12065550112", "12065550112"]}, "other_phones[1]"),
    ({"mobile_phone": "+12065550111", "other_phones": ["call me"]}, "other_phones[0]"),
    ({"mobile_phone": "+12065550111", "other_phones": "+12065550112"}, "other_phones"),
    ({"mobile_phone": "+12065550111", "other_phones": [f"+1206555012{i}" for i in range(5)]}, "other_phones"),
])
def test_other_phones_refused_by_field(make_services, body, field):
    services = make_services()
    error = refused(services.admin.contacts.create, body)
    assert isinstance(error, ValidationFailed) and error.field == field
    assert services.stores.contacts.by_phone("+12065550111") is None


def test_erasing_another_number_erases_the_contact_and_all_its_claims(make_services):
    services = make_services()
    admin, store = services.admin.contacts, services.stores.contacts
    ada = admin.create({"mobile_phone": "+12065550131", "other_phones": ["+12065550132"]})
    erased = services.stores.purge.erase_contacts("+12065550132")
    assert erased == {"contacts": 1, "directory": 2}
    assert store.get(ada.id) is None
    assert services.stores.directory.owner("contact-phone", "+12065550131") is None


def test_each_app_reads_the_national_numbers_of_its_own_phone_region(settings_env, clock):
    """Two apps in one process, one for Germany: the region is handed to each app's
    services, so building one leaves the other reading its own country's numbers."""
    german = build(Settings.from_env({**settings_env, "PHONE_REGION": "DE"}), clock=clock)
    home = build(Settings.from_env(settings_env), clock=clock)
    assert german.admin.contacts.create({"mobile_phone": "0151 1234 5678"}).mobile_phone == "+4915112345678"
    assert home.admin.contacts.create({"mobile_phone": "(312) 546-7890"}).mobile_phone == "+13125467890"
    assert refused(home.admin.contacts.create, {"mobile_phone": "0151 2345 6789"}).field == "mobile_phone"
    with pytest.raises(ValueError, match="PHONE_REGION"):
        build(Settings.from_env({**settings_env, "PHONE_REGION": "XX"}), clock=clock)
