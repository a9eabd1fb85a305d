"""JSON columns that may outgrow one property: Table storage holds at most 64 KiB
(32,767 UTF-16 code units) in a string property, but 1 MiB in an entity. A long value is
spread over ``Name``, ``Name_1``, ``Name_2``, ... and read back whole."""

from __future__ import annotations

import json
from typing import Any

# Characters per part: even if every one takes two UTF-16 code units, a part fits.
PART = 16_000


def put_json(entity: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """``entity`` with ``value`` as JSON under ``name`` (and its continuation parts)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    parts = [text[i:i + PART] for i in range(0, len(text), PART)] or [""]
    entity[name] = parts[0]
    for index, part in enumerate(parts[1:], 1):
        entity[f"{name}_{index}"] = part
    return entity


def get_json(entity: dict[str, Any], name: str, default: Any) -> Any:
    """The value ``put_json`` stored under ``name``, or ``default`` when there is none."""
    first = entity.get(name)
    if not first:
        return default
    parts, index = [first], 1
    while f"{name}_{index}" in entity:
        parts.append(entity[f"{name}_{index}"])
        index += 1
    return json.loads("".join(parts))
