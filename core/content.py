"""What a customer's message is beyond its text: a sticker, a location, a contact card (a
vCard attachment, as Twilio delivers it, its names and numbers read once the conversation
is first read: conversations/messaging/contact_cards.py), a reaction, an option chosen
from buttons or a list, a reply quoting an earlier message, or a type Switchboard cannot show (kept, named);
and what reply buttons or a list we send offer (core/interactive.py reads them).
Provider adapters make these at the edge; a message stores them as they came
(core.records.Message ``content``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

TEXT, MEDIA, STICKER, LOCATION, CONTACTS = "text", "media", "sticker", "location", "contacts"
REACTION, CHOICE, UNSUPPORTED = "reaction", "choice", "unsupported"
INTERACTIVE = "interactive"  # reply buttons or a list we sent

# What a message keeps of a provider's strings: far above WhatsApp's own limits.
MAX_TEXT, MAX_ID = 1024, 256
VCARD_TYPES = ("text/vcard", "text/x-vcard")  # how Twilio hands over a shared contact


def bounded(value: str) -> str:
    return value.strip()[:MAX_TEXT]


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None

    @classmethod
    def read(cls, latitude: object, longitude: object, name: str = "", address: str = "") -> Location | None:
        """The location, or None when the coordinates are not numbers on the globe."""
        try:
            lat, lon = float(str(latitude)), float(str(longitude))
        except ValueError:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return cls(lat, lon, bounded(name) or None, bounded(address) or None)

    def to_dict(self) -> dict[str, Any]:
        return {"latitude": self.latitude, "longitude": self.longitude, "name": self.name, "address": self.address}


@dataclass(frozen=True)
class Choice:
    """The option a customer picked: its id (the button's payload, the list row's id) and title."""

    id: str
    title: str
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "description": self.description}


@dataclass(frozen=True)
class Section:
    """A list's section: its title and its rows."""

    title: str
    rows: tuple[Choice, ...]


@dataclass(frozen=True)
class Interactive:
    """What an interactive message we send offers: reply buttons, or a list (the text of the
    button that opens it, its sections); or Twilio Content API content made elsewhere, by
    its ContentSid. core/interactive.py reads it and holds it to the limits."""

    buttons: tuple[Choice, ...] = ()
    button: str | None = None
    sections: tuple[Section, ...] = ()
    content_sid: str | None = None

    def to_dict(self) -> dict[str, Any]:
        sections = [{"title": s.title, "rows": [r.to_dict() for r in s.rows]} for s in self.sections]
        found = {"buttons": [b.to_dict() for b in self.buttons] or None, "button": self.button,
                 "sections": sections or None, "content_sid": self.content_sid}
        return {k: v for k, v in found.items() if v is not None}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Interactive:
        sections = tuple(Section(s["title"], tuple(Choice(**r) for r in s["rows"])) for s in value.get("sections") or ())
        return cls(tuple(Choice(**b) for b in value.get("buttons") or ()), value.get("button"), sections,
                   value.get("content_sid"))


def with_offer(fields: dict[str, Any], interactive: Interactive | None) -> dict[str, Any]:
    """A setting's stored form (a quick reply's, an automated message's) with the buttons or
    list it offers, when it offers any."""
    return {**fields, "interactive": interactive.to_dict()} if interactive else fields


def offer_in(fields: Mapping[str, Any]) -> Interactive | None:
    """The buttons or list a setting's stored form offers (``with_offer``), or None."""
    offered = fields.get("interactive")
    return Interactive.from_dict(offered) if offered else None


@dataclass(frozen=True)
class Phone:
    number: str
    type: str | None = None  # the card's TYPE values, such as "cell, voice"


@dataclass(frozen=True)
class Card:
    """One contact of a shared card (core/vcard.py reads them)."""

    name: str | None
    phones: tuple[Phone, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "phones": [{"number": p.number, "type": p.type} for p in self.phones]}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Card:
        return cls(value.get("name"), tuple(Phone(p["number"], p.get("type")) for p in value.get("phones") or ()))


@dataclass(frozen=True)
class Content:
    """``answers``: the provider id of the message this one replies to in context, or whose
    option it chose; ``reacts_to`` and ``emoji``: a reaction (an empty emoji removes it);
    ``type_name``: the provider's name of a type kept as unsupported; ``contacts``: a
    contact card's cards once its vCard was read (None until then, empty when it held none
    or could not be had); ``interactive``: what reply buttons or a list we sent offered."""

    kind: str = TEXT
    location: Location | None = None
    choice: Choice | None = None
    answers: str | None = None
    reacts_to: str | None = None
    emoji: str = ""
    type_name: str | None = None
    contacts: tuple[Card, ...] | None = None
    interactive: Interactive | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {"kind": self.kind, "location": self.location.to_dict() if self.location else None,
                 "choice": self.choice.to_dict() if self.choice else None, "answers": self.answers,
                 "reacts_to": self.reacts_to, "emoji": self.emoji or None, "type_name": self.type_name,
                 "contacts": [c.to_dict() for c in self.contacts] if self.contacts is not None else None,
                 "interactive": self.interactive.to_dict() if self.interactive else None}
        return {k: v for k, v in found.items() if v is not None}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Content:
        location, choice, contacts = value.get("location"), value.get("choice"), value.get("contacts")
        return cls(
            kind=value.get("kind", TEXT), location=Location(**location) if location else None,
            choice=Choice(**choice) if choice else None, answers=value.get("answers"),
            reacts_to=value.get("reacts_to"), emoji=value.get("emoji") or "", type_name=value.get("type_name"),
            contacts=tuple(Card.from_dict(c) for c in contacts) if contacts is not None else None,
            interactive=Interactive.from_dict(value["interactive"]) if value.get("interactive") else None,
        )

    @property
    def plain(self) -> bool:
        """Nothing beyond text and attachments: what a message without content was."""
        return self.kind in (TEXT, MEDIA) and not self.answers


def offering(interactive: Interactive | None) -> Content | None:
    """The content of a message that offers reply buttons or a list, if it does."""
    return Content(kind=INTERACTIVE, interactive=interactive) if interactive else None


def readable(content: Content, body: str) -> str:
    """The text a message of this content is known by where only text goes (lists'
    previews, the bot, the survey's answer): the provider's text where it gave one."""
    if body:
        return body
    if content.kind == CHOICE and content.choice:
        return content.choice.title
    if content.kind == LOCATION and content.location:
        place = ", ".join(p for p in (content.location.name, content.location.address) if p)
        return "Location: " + (place or f"{content.location.latitude}, {content.location.longitude}")
    if content.kind == CONTACTS:
        return "Contact card"
    if content.kind == UNSUPPORTED:
        return f"Unsupported message type: {content.type_name or 'unknown'}"
    if content.kind == REACTION:
        verb = f"Reacted {content.emoji} to" if content.emoji else "Removed a reaction from"
        return f"{verb} a message Switchboard does not hold"
    return ""
