"""An account's message templates as its provider lists them (the synced catalogue): what
each says, whether it may be sent, and the parameters it takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

APPROVED, PENDING, REJECTED, PAUSED, DISABLED, UNKNOWN = "approved", "pending", "rejected", "paused", "disabled", "unknown"
STATUSES = (APPROVED, PENDING, REJECTED, PAUSED, DISABLED, UNKNOWN)
CATEGORIES = ("marketing", "utility", "authentication")
PARAMETER_TYPES = ("text", "image", "video", "document")
MAX_CATALOGUE = 500  # templates kept per account: a WhatsApp Business account holds 250 unless verified


@dataclass(frozen=True)
class TemplateParameter:
    """One value a template takes: ``name`` is "1", "2", ... for positional parameters, or the
    name the provider lists; ``type`` is text, or the media a header takes."""

    name: str
    type: str = "text"

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True)
class SyncedTemplate:
    """A template of the account's catalogue. ``gone``: the provider no longer lists it;
    ``previous_category``: what the provider called it before it reclassified it."""

    name: str
    language: str
    status: str
    category: str | None
    body: str
    parameters: tuple[TemplateParameter, ...] = ()
    provider_id: str | None = None  # Twilio: the ContentSid (HX...); ACS lists none
    reason: str | None = None  # why the provider rejected it, when it says
    gone: bool = False
    previous_category: str | None = None
    changed_at: datetime | None = None

    def __post_init__(self) -> None:
        # Positional parameters go by number, not by where the body first names them: a
        # translation may say {{2}} before {{1}}, and a list of values fills {{1}} first.
        if self.parameters and all(p.name.isdigit() for p in self.parameters):
            object.__setattr__(self, "parameters", tuple(sorted(self.parameters, key=lambda p: int(p.name))))

    @property
    def key(self) -> tuple[str, str]:
        return self.name, self.language

    @property
    def sendable(self) -> bool:
        return self.status == APPROVED and not self.gone

    def listed_as(self, other: SyncedTemplate) -> bool:
        """Whether the provider lists it as ``other`` says (what a sync compares)."""
        return (self.status, self.category, self.body, self.parameters, self.provider_id, self.reason,
                self.gone) == (other.status, other.category, other.body, other.parameters, other.provider_id,
                               other.reason, other.gone)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "language": self.language, "status": self.status, "category": self.category,
                "body": self.body, "parameters": [p.to_dict() for p in self.parameters],
                "provider_id": self.provider_id, "reason": self.reason, "gone": self.gone,
                "previous_category": self.previous_category,
                "changed_at": self.changed_at.isoformat() if self.changed_at else None}
