"""The ``contacts`` table: customer records, found by id or by any of their numbers (each
a unique claim in the directory)."""

from __future__ import annotations

from typing import Any

from core.ports import CONTACT_PHONE
from core.records import Contact
from storage.client import TableStorage
from storage.columns import get_json, put_json
from storage.directory import Directory
from storage.records import RecordTable


class ContactStore(RecordTable[Contact]):
    what = "contact"

    def __init__(self, storage: TableStorage, directory: Directory) -> None:
        super().__init__(storage, "contacts", "contact")
        self._directory = directory

    def by_phone(self, phone: str) -> Contact | None:
        owner = self._directory.owner(CONTACT_PHONE, phone)
        found = self.get(owner) if owner else None
        return found if found and phone in found.phones else None

    def _to_entity(self, c: Contact) -> dict[str, Any]:
        entity = put_json({"PartitionKey": self.partition, "RowKey": c.id, "MobilePhone": c.mobile_phone,
                           "Name": c.name, "CreatedAt": c.created_at, "UpdatedAt": c.updated_at}, "Fields", c.fields)
        return put_json(entity, "OtherPhones", list(c.other_phones))

    def _to_record(self, e: dict[str, Any]) -> Contact:
        return Contact(id=e["RowKey"], mobile_phone=e["MobilePhone"], name=e.get("Name") or "",
                       fields=get_json(e, "Fields", {}), created_at=e["CreatedAt"], updated_at=e["UpdatedAt"],
                       other_phones=tuple(get_json(e, "OtherPhones", [])))
