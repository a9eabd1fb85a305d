"""Labels: names (with a colour) admins define and agents put on conversations, for the
inbox to filter by and reports to group by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")
MAX_LABELS = 10  # on one conversation


@dataclass(frozen=True)
class Label:
    name: str
    colour: str
    created_at: datetime

    @property
    def id(self) -> str:
        return label_key(self.name)


def label_key(name: str) -> str:
    """What a label is known by: its name, whatever its case."""
    return name.casefold()
