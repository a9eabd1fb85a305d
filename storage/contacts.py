"""The ``contacts`` table: customer records, found by id or by mobile phone (a unique
claim in the directory)."""

from __future__ import annotations

from typing import Any, ContextManager, Iterable

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from conversations.errors import Conflict, NotFound
from conversations.models import Contact
from storage.columns import get_json, put_json
from storage.client import TableStorage, translated
from storage.directory import Directory
from conversations.concurrency import is_record_id

PARTITION = "contact"
PHONE_CLAIM = "contact-phone"


class ContactStore:
    def __init__(self, storage: TableStorage, directory: Directory) -> None:
        self._storage = storage
        self._directory = directory

    @property
    def _table(self):
        return self._storage.table("contacts")

    def get(self, contact_id: str) -> tuple[Contact, str] | None:
        if not is_record_id(contact_id):
            return None
        with translated():
            try:
                row = self._table.get_entity(PARTITION, contact_id)
            except ResourceNotFoundError:
                return None
        return _to_contact(row), row.metadata["etag"]

    def by_phone(self, mobile_phone: str) -> Contact | None:
        owner = self._directory.owner(PHONE_CLAIM, mobile_phone)
        found = self.get(owner) if owner else None
        return found[0] if found and found[0].mobile_phone == mobile_phone else None

    def list(self) -> list[Contact]:
        with translated():
            rows = list(self._table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION}))
        return sorted((_to_contact(r) for r in rows), key=lambda c: c.created_at)

    def phone_moving(self, contact_id: str, old: Iterable[str], new: Iterable[str]) -> ContextManager[None]:
        """Claims on mobile phones around a write of the contact's row (Directory.moving)."""
        def holds(owner: str, phone: str) -> bool:
            found = self.get(owner)
            return found is not None and found[0].mobile_phone == phone

        return self._directory.moving(PHONE_CLAIM, contact_id, old, new, holds, "mobile_phone")

    def create(self, contact: Contact) -> None:
        with translated():
            self._table.create_entity(_to_entity(contact))

    def replace(self, contact: Contact, etag: str) -> None:
        try:
            with translated():
                self._table.update_entity(_to_entity(contact), mode=UpdateMode.REPLACE, etag=etag,
                                          match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise Conflict("the contact changed while it was being updated; read it again and retry") from exc
        except ResourceNotFoundError as exc:
            raise NotFound(f"contact {contact.id} was deleted while it was being updated") from exc

    def delete(self, contact_id: str) -> None:
        with translated():
            try:
                self._table.delete_entity(PARTITION, contact_id)
            except ResourceNotFoundError:
                pass


def _to_entity(c: Contact) -> dict[str, Any]:
    return put_json({"PartitionKey": PARTITION, "RowKey": c.id, "MobilePhone": c.mobile_phone, "Name": c.name,
                     "CreatedAt": c.created_at, "UpdatedAt": c.updated_at}, "Fields", c.fields)


def _to_contact(e: dict[str, Any]) -> Contact:
    return Contact(id=e["RowKey"], mobile_phone=e["MobilePhone"], name=e.get("Name") or "",
                   fields=get_json(e, "Fields", {}), created_at=e["CreatedAt"], updated_at=e["UpdatedAt"])
