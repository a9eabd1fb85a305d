"""The ``directory`` table: unique claims, such as "this number belongs to that account".

Table Storage has no unique index; a claim row keyed by the value does the job, because
``create_entity`` fails on an existing key. A claim left behind by a crash (its owner no
longer holds the value) is taken over instead of blocking the value forever.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from core.errors import Conflict
from storage.client import TableStorage, translated
from storage.keys import safe_key

CLAIM_GRACE = timedelta(minutes=1)  # an owner's own row follows its claim within this


class Directory:
    def __init__(self, storage: TableStorage, grace: timedelta = CLAIM_GRACE) -> None:
        self._storage = storage
        self._grace = grace

    @property
    def _table(self):
        return self._storage.table("directory")

    def owner(self, kind: str, value: str) -> str | None:
        with translated():
            try:
                return self._table.get_entity(kind, safe_key(value))["Owner"]
            except ResourceNotFoundError:
                return None

    def claim(self, kind: str, value: str, owner: str, still_holds: Callable[[str], bool], what: str) -> None:
        """Claim ``value`` for ``owner``; raise Conflict when another owner holds it.

        An owner writes its claims before its own row, so a claim whose owner does not
        hold the value is taken over only once it is older than the grace: younger, it
        may belong to an owner that another instance is writing right now.
        """
        entity = {"PartitionKey": kind, "RowKey": safe_key(value), "Owner": owner}
        for _ in range(5):
            with translated():
                try:
                    self._table.create_entity(entity)
                    return
                except ResourceExistsError:
                    pass
                try:
                    current = self._table.get_entity(kind, entity["RowKey"])
                except ResourceNotFoundError:
                    continue
                if current["Owner"] == owner:
                    return
                if still_holds(current["Owner"]):
                    raise Conflict(f"{what} {value} already belongs to {current['Owner']}")
                if datetime.now(timezone.utc) - current.metadata["timestamp"] < self._grace:
                    break
                try:
                    self._table.update_entity(entity, mode=UpdateMode.REPLACE, etag=current.metadata["etag"],
                                              match_condition=MatchConditions.IfNotModified)
                    return
                except ResourceModifiedError:
                    continue
        raise Conflict(f"{what} {value} is being claimed concurrently, try again")

    def release(self, kind: str, value: str, owner: str) -> None:
        key = safe_key(value)
        with translated():
            try:
                current = self._table.get_entity(kind, key)
            except ResourceNotFoundError:
                return
            if current["Owner"] != owner:
                return
            try:
                self._table.delete_entity(kind, key, etag=current.metadata["etag"],
                                          match_condition=MatchConditions.IfNotModified)
            except (ResourceNotFoundError, ResourceModifiedError):
                pass

    @contextmanager
    def moving(self, kind: str, owner: str, old: Iterable[str], new: Iterable[str],
               holds: Callable[[str, str], bool], what: str) -> Iterator[None]:
        """Move ``owner``'s claims from ``old`` to ``new`` around the write of its own row
        (the with block): what ``new`` adds is claimed before the write and released again
        if the write fails; what it drops is released once the write succeeded.
        ``holds(owner, value)`` tells whether an owner's row really holds a value."""
        old, new = set(old), set(new)
        claimed: list[str] = []
        try:
            for value in sorted(new - old):
                self.claim(kind, value, owner, lambda other, v=value: holds(other, v), what)
                claimed.append(value)
            yield
        except BaseException:
            for value in claimed:
                self.release(kind, value, owner)
            raise
        for value in sorted(old - new):
            self.release(kind, value, owner)
