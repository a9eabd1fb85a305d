"""Admin operations on contacts: customer records matched to conversations by phone."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable

from conversations.admin.numbers import parse_entered
from conversations.admin.validation import reject_unknown, require_object, text
from core.clock import Clock
from core.errors import NotFound, ValidationFailed
from core.ids import new_record_id
from core.ports import CONTACT_PHONE, Claims, Contacts
from core.records import Contact

_FIELDS = ("mobile_phone", "name", "fields")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_FIELDS, MAX_FIELD_VALUE = 50, 1000  # a contact stays well inside one table entity


class ContactAdmin:
    def __init__(self, contacts: Contacts, claims: Claims, clock: Clock) -> None:
        self._contacts = contacts
        self._claims = claims
        self._clock = clock

    def create(self, body: Any) -> Contact:
        body = require_object(body)
        reject_unknown(body, _FIELDS)
        now = self._clock()
        contact = Contact(id=new_record_id(), mobile_phone=_phone(body.get("mobile_phone")),
                          name=text(body, "name", required=False) or "", fields=_free_fields(body.get("fields", {})),
                          created_at=now, updated_at=now)
        with self._phone_moving(contact.id, (), (contact.mobile_phone,)):
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
        """All contacts, or the one with this mobile phone (E.164; the "+" may be missing,
        as an unencoded "+" in a query string arrives as a space)."""
        if mobile_phone is None:
            return self._contacts.list()
        found = self._contacts.by_phone(_phone("+" + mobile_phone.strip().lstrip("+")))
        return [found] if found else []

    def update(self, contact_id: str, body: Any) -> Contact:
        body = require_object(body)
        reject_unknown(body, _FIELDS)
        current, etag = self._contacts.get_for_update(contact_id)
        updated = replace(
            current,
            mobile_phone=_phone(body["mobile_phone"]) if "mobile_phone" in body else current.mobile_phone,
            name=(text(body, "name", required=False) or "") if "name" in body else current.name,
            fields=_free_fields(body["fields"]) if "fields" in body else current.fields,
            updated_at=self._clock(),
        )
        with self._phone_moving(contact_id, (current.mobile_phone,), (updated.mobile_phone,)):
            self._contacts.replace(updated, etag)
        return updated

    def delete(self, contact_id: str) -> None:
        contact = self.get(contact_id)
        with self._phone_moving(contact_id, (contact.mobile_phone,), ()):
            self._contacts.delete(contact_id)

    def _phone_moving(self, contact_id: str, old: Iterable[str], new: Iterable[str]):
        def holds(owner: str, phone: str) -> bool:
            other = self._contacts.get(owner)
            return other is not None and other.mobile_phone == phone

        return self._claims.moving(CONTACT_PHONE, contact_id, old, new, holds, "mobile_phone")


def _phone(value: Any) -> str:
    return parse_entered(value, "mobile_phone")


def _free_fields(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationFailed("fields", "must be an object of names to text values")
    if len(value) > MAX_FIELDS:
        raise ValidationFailed("fields", f"must hold at most {MAX_FIELDS} fields")
    for name, item in value.items():
        if not _FIELD_NAME.match(name):
            raise ValidationFailed(f"fields.{name}", "names must be letters, digits and _ (starting with a letter)")
        if not isinstance(item, str) or len(item) > MAX_FIELD_VALUE:
            raise ValidationFailed(f"fields.{name}", f"must be text of at most {MAX_FIELD_VALUE} characters")
    return dict(value)
