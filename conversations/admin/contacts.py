"""Admin operations on contacts: customer records matched to conversations by phone (the
mobile phone or one of the person's other numbers, each held by one contact)."""

from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import Any, Iterator

from conversations.admin.numbers import PhoneReader
from conversations.messaging.contact_links import ContactLinks
from conversations.admin.validation import reject_unknown, require_object, text
from core.clock import Clock
from core.errors import Conflict, NotFound, ValidationFailed
from core.ids import new_record_id
from core.ports import CONTACT_PHONE, Claims, Contacts
from core.records import Contact

_FIELDS = ("mobile_phone", "other_phones", "name", "fields")
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}\Z")  # a routing rule's contact.<field> too
MAX_FIELDS, MAX_FIELD_VALUE = 50, 1000  # a contact stays well inside one table entity
MAX_OTHER_PHONES = 4  # a person's few numbers; each is a directory claim and a range read of its history


class ContactAdmin:
    def __init__(self, contacts: Contacts, claims: Claims, phones: PhoneReader, links: ContactLinks,
                 clock: Clock) -> None:
        self._contacts = contacts
        self._links = links  # its conversations follow a new name, or its deletion
        self._claims = claims
        self._phones = phones
        self._clock = clock

    def create(self, body: Any) -> Contact:
        body = require_object(body)
        reject_unknown(body, _FIELDS)
        now, mobile_phone = self._clock(), self._mobile(body.get("mobile_phone"))
        contact = Contact(id=new_record_id(), mobile_phone=mobile_phone,
                          name=text(body, "name", required=False) or "", fields=_free_fields(body.get("fields", {})),
                          created_at=now, updated_at=now,
                          other_phones=self._other_phones(body.get("other_phones", []), mobile_phone))
        with self._phones_moving(contact.id, (), contact):
            self._contacts.create(contact)
        return contact

    def get(self, contact_id: str) -> Contact:
        contact = self.find_by_id(contact_id)
        if contact is None:
            raise NotFound(f"contact {contact_id} not found")
        return contact

    def find_by_id(self, contact_id: str) -> Contact | None:
        return self._contacts.get(contact_id)

    def find(self, mobile_phone: str | None) -> list[Contact]:
        """All contacts, or the one holding this number, written in any form a person
        writes one (an unencoded "+" in a query string arrives as a space, which is dropped)."""
        if mobile_phone is None:
            return self._contacts.list()
        found = self._contacts.by_phone(self._mobile(mobile_phone))
        return [found] if found else []

    def update(self, contact_id: str, body: Any) -> Contact:
        body = require_object(body)
        reject_unknown(body, _FIELDS)
        current, etag = self._contacts.get_for_update(contact_id)
        mobile_phone = self._mobile(body["mobile_phone"]) if "mobile_phone" in body else current.mobile_phone
        updated = replace(
            current,
            mobile_phone=mobile_phone,
            other_phones=self._other_phones(body.get("other_phones", list(current.other_phones)), mobile_phone),
            name=(text(body, "name", required=False) or "") if "name" in body else current.name,
            fields=_free_fields(body["fields"]) if "fields" in body else current.fields,
            updated_at=self._clock(),
        )
        with self._phones_moving(contact_id, current.phones, updated):
            self._contacts.replace(updated, etag)
        # every time, not only when the name changed: a retry mends what a failure left behind
        self._links.follow(contact_id, dict.fromkeys((*current.phones, *updated.phones)), updated)
        return updated

    def for_customer(self, phone: str, contact_id: str | None, body: Any) -> tuple[Contact, bool]:
        """From a conversation (an agent's pane): the customer's name and fields, on the
        contact linked to it, else the one holding its number, else a new one for the
        number; and whether it is new. Numbers stay an admin's to link."""
        body = require_object(body)
        reject_unknown(body, ("name", "fields"))
        current = self.find_by_id(contact_id) if contact_id else None
        current = current or self._contacts.by_phone(phone)
        if current is not None:
            return self.update(current.id, body), False
        return self.create({**body, "mobile_phone": phone}), True

    def delete(self, contact_id: str) -> None:
        contact = self.get(contact_id)
        self._links.follow(contact_id, contact.phones, None)  # first: a retry finds the contact to follow
        with self._phones_moving(contact_id, contact.phones, None):
            self._contacts.delete(contact_id)
        self._links.follow(contact_id, contact.phones, None)  # and one a customer opened meanwhile

    def _mobile(self, value: Any) -> str:
        return self._phones.entered(value, "mobile_phone")

    def _other_phones(self, value: Any, mobile_phone: str) -> tuple[str, ...]:
        """The person's other numbers as typed, each once and none its mobile phone."""
        if not isinstance(value, list) or len(value) > MAX_OTHER_PHONES:
            raise ValidationFailed("other_phones", f"must be a list of at most {MAX_OTHER_PHONES} numbers")
        phones: list[str] = []
        for i, entered in enumerate(value):
            phone = self._phones.entered(entered, f"other_phones[{i}]")
            if phone == mobile_phone or phone in phones:
                raise ValidationFailed(f"other_phones[{i}]", "is already one of this contact's numbers")
            phones.append(phone)
        return tuple(phones)

    @contextmanager
    def _phones_moving(self, contact_id: str, old: tuple[str, ...], new: Contact | None) -> Iterator[None]:
        """Claim each number ``new`` adds before the write (a Conflict names its field, as a
        422 does), release those it drops after it; a number moving between the mobile
        phone and the other phones stays claimed."""
        def holds(owner: str, phone: str) -> bool:
            other = self._contacts.get(owner)
            return other is not None and phone in other.phones

        fields = _phone_fields(new) if new else {}
        with ExitStack() as stack:
            for phone, field in fields.items():
                if phone not in old:
                    try:
                        stack.enter_context(self._claims.moving(CONTACT_PHONE, contact_id, (), (phone,), holds, field))
                    except Conflict as exc:
                        taken = Conflict(f"{field}: another contact has the number {phone}", code=exc.code)
                        taken.field = field  # what the answer names, as a 422 does
                        raise taken from exc
            stack.enter_context(self._claims.moving(CONTACT_PHONE, contact_id, set(old) - set(fields), (), holds,
                                                    "number"))
            yield


def _phone_fields(contact: Contact) -> dict[str, str]:
    return {contact.mobile_phone: "mobile_phone",
            **{phone: f"other_phones[{i}]" for i, phone in enumerate(contact.other_phones)}}


def _free_fields(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationFailed("fields", "must be an object of names to text values")
    if len(value) > MAX_FIELDS:
        raise ValidationFailed("fields", f"must hold at most {MAX_FIELDS} fields")
    for name, item in value.items():
        if not FIELD_NAME.fullmatch(name):
            raise ValidationFailed(f"fields.{name}", "names must be letters, digits and _ (starting with a letter)")
        if not isinstance(item, str) or len(item) > MAX_FIELD_VALUE:
            raise ValidationFailed(f"fields.{name}", f"must be text of at most {MAX_FIELD_VALUE} characters")
    return dict(value)
