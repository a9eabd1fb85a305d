"""The labels admins define (name and colour), and the labels a conversation is given,
checked against them (core/labels.py)."""

from __future__ import annotations

from typing import Any

from conversations.admin.validation import reject_unknown, require_object, short_name
from core.clock import Clock
from core.errors import Conflict, NotFound, ValidationFailed
from core.labels import COLOUR, MAX_LABELS, Label, label_key
from core.ports import Labels

MAX_CATALOGUE = 200


class LabelCatalogue:
    def __init__(self, *, labels: Labels, clock: Clock) -> None:
        self._labels = labels
        self._clock = clock

    def list(self) -> list[Label]:
        return sorted(self._labels.list(), key=lambda label: label.id)

    def create(self, body: Any) -> Label:
        body = require_object(body)
        reject_unknown(body, ("name", "colour"))
        name, colour = short_name(body), body.get("colour", "#6e7781")
        if not isinstance(colour, str) or not COLOUR.match(colour):
            raise ValidationFailed("colour", "must be a colour as #RRGGBB, e.g. #1f6feb")
        if len(self._labels.list()) >= MAX_CATALOGUE:
            raise Conflict(f"there are {MAX_CATALOGUE} labels, the most there may be", code="too_many_labels")
        label = Label(name, colour.lower(), self._clock())
        try:
            self._labels.create(label)
        except Conflict as exc:
            existing = self._labels.get(label_key(name))  # named as it was written: unique whatever its case
            taken = Conflict(f"a label named {existing.name if existing else name} exists already",
                             code="label_exists")
            taken.field = "name"
            raise taken from exc
        return label

    def delete(self, name: str) -> str:
        """Conversations labelled with it keep the name (reports still group them by it); its
        id (its key, whatever case ``name`` had), as its creation's audit entry names it."""
        if self._labels.get(label_key(name)) is None:
            raise NotFound(f"label {name} not found")
        self._labels.delete(label_key(name))
        return label_key(name)

    def known(self, value: Any, field: str = "labels") -> tuple[str, ...]:
        """Labels for a conversation, as the catalogue spells them, each once."""
        if not isinstance(value, list) or len(value) > MAX_LABELS:
            raise ValidationFailed(field, f"must be a list of at most {MAX_LABELS} label names")
        names: list[str] = []
        for i, item in enumerate(value):
            label = self._labels.get(label_key(item)) if isinstance(item, str) and item.strip() else None
            if label is None:
                raise ValidationFailed(f"{field}[{i}]", "must name a label (GET /api/labels)")
            if label.name not in names:
                names.append(label.name)
        return tuple(names)
