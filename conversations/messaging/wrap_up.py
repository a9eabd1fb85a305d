"""An agent's wrap-up as it closes a conversation: a disposition of its workstream's
(needed where the workstream says so), and a note kept as an internal note."""

from __future__ import annotations

from core.errors import ValidationFailed
from core.records import MAX_NOTE, Workstream


def disposition(value: object, workstream: Workstream | None) -> str | None:
    """The disposition given, as its workstream spells it; None when none was given."""
    wrap = workstream.settings.wrap_up if workstream else None
    if value is None:
        if wrap is not None and wrap.required:
            raise ValidationFailed("disposition", f"is needed to close: one of {', '.join(wrap.dispositions)}")
        return None
    chosen = next((d for d in (wrap.dispositions if wrap else ()) if isinstance(value, str)
                   and d.casefold() == value.strip().casefold()), None)
    if chosen is None:
        options = ", ".join(wrap.dispositions) if wrap and wrap.dispositions else "none: its workstream has none"
        raise ValidationFailed("disposition", f"must be one of the workstream's dispositions ({options})")
    return chosen


def note(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > MAX_NOTE:
        raise ValidationFailed("note", f"must be a string of at most {MAX_NOTE} characters")
    return value
