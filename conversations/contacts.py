"""Admin operations on contacts: customer records matched to conversations by phone."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from typing import Any, Callable

from conversations.errors import NotFound, ValidationFailed
from conversations.models import Contact
from conversations.phone import parse_entered
from conversations.validation import reject_unknown, require_object, text
from storage.contacts import ContactStore

_FIELDS = ("mobile_phone", "name", "fields")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_FIELDS, MAX_FIELD_VALUE = 50, 1000  # a contact stays well inside one table entity


class ContactAdmin:
    def __init__(self, contacts: ContactStore, clock: Callable[[], Any]) -> None:
        self._contacts = contacts
        self._clock = clock

    def create(self, body: Any) -> Contact:
        body = require_object(body)
        reject_unknown(body, _FIELDS)
        now = self._clock()
        contact = Contact(id=uuid.uuid4().hex, mobile_phone=_phone(body.get("mobile_phone")),
                          name=text(body, "name", required=False) or "", fields=_free_fields(body.get("fields", {})),
                          created_at=now, updated_at=now)
        with self._contacts.phone_moving(contact.id, (), (contact.mobile_phone,)):
            self._contacts.create(contact)
        return contact

    def get(self, contact_id: str) -> Contact:
        contact = self.find_by_id(contact_id)
        if contact is None:
            raise NotFound(f"contact {contact_id} not found")
        return contact

    def find_by_id(self, contact_id: str) -> Contact | None:
        found = self._contacts.get(contact_id)
        return found[0] if found else None

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
        found = self._contacts.get(contact_id)
        if found is None:
            raise NotFound(f"contact {contact_id} not found")
        current, etag = found
        updated = replace(
            current,
            mobile_phone=_phone(body["mobile_phone"]) if "mobile_phone" in body else current.mobile_phone,
            name=(text(body, "name", required=False) or "") if "name" in body else current.name,
            fields=_free_fields(body["fields"]) if "fields" in body else current.fields,
            updated_at=self._clock(),
        )
        with self._contacts.phone_moving(contact_id, (current.mobile_phone,), (updated.mobile_phone,)):
            self._contacts.replace(updated, etag)
        return updated

    def delete(self, contact_id: str) -> None:
        contact = self.get(contact_id)
        with self._contacts.phone_moving(contact_id, (contact.mobile_phone,), ()):
            self._contacts.delete(contact_id)

    @staticmethod
    def view(c: Contact) -> dict[str, Any]:
        return {"id": c.id, "mobile_phone": c.mobile_phone, "name": c.name, "fields": c.fields,
                "created_at": c.created_at.isoformat(), "updated_at": c.updated_at.isoformat()}


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
