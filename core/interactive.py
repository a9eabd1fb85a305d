"""Reply buttons and list messages as Switchboard offers them (core.content.Interactive),
read from their JSON and held to WhatsApp's limits before anything is stored or sent, each
refusal naming its field (``interactive.buttons[3]``, ``interactive.sections[0].rows[2].title``).

WhatsApp's limits (Cloud API, "Interactive reply buttons messages" and "Interactive list
messages"): 1 to 3 buttons, a title up to 20 characters and an id up to 256; a list of 1 to
10 rows in all across at most 10 sections, a row's id up to 200 characters, its title up to
24 and its description up to 72, the list's button up to 20, a section's title up to 24; a body up to
1024. Twilio's Content API (twilio/quick-reply, twilio/list-picker) takes ids up to 200
characters and no sections: a list's rows go flat, without their sections' titles.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Sequence

from core.content import Choice, Interactive, Section
from core.errors import Conflict, ValidationFailed

FIELD = "interactive"
UNSUPPORTED = "interactive_unsupported"
MAX_BODY = 1024
MAX_BUTTONS, MAX_BUTTON_TITLE = 3, 20
MAX_ROWS, MAX_SECTIONS, MAX_ROW_TITLE, MAX_DESCRIPTION = 10, 10, 24, 72
MAX_LIST_BUTTON, MAX_SECTION_TITLE = 20, 24
MAX_ID, MAX_ROW_ID = 256, 200  # a button's id, a list row's
PROVIDER_MAX_ID = {"twilio": 200}  # the Content API's, below WhatsApp's own
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}\Z")
BOT_ACTIONS = ("imBack", "postBack")
SUGGESTED = "Options"  # a bot's list: its button and section, which suggested actions do not name


def read(value: object) -> Interactive:
    """Buttons ``{"buttons": [{"id", "title"}]}``, a list ``{"button", "sections": [{"title",
    "rows": [{"id", "title", "description"}]}]}``, or Twilio content made elsewhere
    ``{"content_sid"}``; 422 naming the first field out of bounds."""
    found = _object(value, FIELD, ("buttons", "button", "sections", "content_sid"))
    shapes = [k for k in ("buttons", "sections", "content_sid") if k in found]
    if len(shapes) != 1:
        raise ValidationFailed(FIELD, "must hold exactly one of buttons, sections (with button) or content_sid")
    if "button" in found and "sections" not in found:
        raise ValidationFailed(f"{FIELD}.button", "is a list's button; give it with sections")
    if "buttons" in found:
        return _distinct(Interactive(buttons=_buttons(found["buttons"])))
    if "sections" in found:
        return _distinct(Interactive(button=_text(found, "button", MAX_LIST_BUTTON, f"{FIELD}."),
                                     sections=_sections(found["sections"])))
    sid = found["content_sid"]
    if not isinstance(sid, str) or not CONTENT_SID.match(sid):
        raise ValidationFailed(f"{FIELD}.content_sid", "must be a Twilio Content SID: HX and 32 hex characters")
    return Interactive(content_sid=sid)


def from_suggested(actions: Sequence[Mapping[str, Any]]) -> Interactive:
    """A bot's suggested actions (Bot Framework ``imBack``, ``postBack``: a title and a value)
    as reply buttons when there are at most three, else a list of one section, within the
    same limits; a string value comes back as the choice's id, else the title does. Raises
    ValidationFailed when they do not fit (another type of action, too many, too long)."""
    options = [{"id": a["value"] if isinstance(a.get("value"), str) and a["value"] else a.get("title"),
                "title": a.get("title") or a.get("value")} for a in actions if a.get("type") in BOT_ACTIONS]
    if not options or len(options) != len(actions):
        raise ValidationFailed(FIELD, "only imBack and postBack suggested actions have a WhatsApp form")
    if len(options) <= MAX_BUTTONS:
        return read({"buttons": options})
    return read({"button": SUGGESTED, "sections": [{"title": SUGGESTED, "rows": options}]})


def read_setting(item: Mapping[str, Any], text: str, prefix: str) -> Interactive | None:
    """An admin setting's ``interactive`` (a quick reply's, an automated message's) with its
    ``text`` as the body, each refusal named under ``prefix`` (``quick_replies[0].``)."""
    if "interactive" not in item:
        return None
    try:
        check_body(text)
        return read(item["interactive"])
    except ValidationFailed as exc:
        field = "text" if exc.field == "body" else exc.field
        raise ValidationFailed(prefix + field, exc.message.removeprefix(f"{exc.field}: ")) from None


def check_body(body: str) -> None:
    if len(body) > MAX_BODY:
        raise ValidationFailed("body", f"an interactive message's body is at most {MAX_BODY} characters, "
                                       f"got {len(body)}")


def check_sendable(interactive: Interactive, provider: str, channel: str) -> None:
    """What the conversation's provider takes: WhatsApp only (409), Twilio content by its
    SID only on Twilio, and each provider's ids (422)."""
    if channel != "whatsapp":
        raise Conflict(f"reply buttons and lists are WhatsApp messages; {channel} carries text only",
                       code=UNSUPPORTED)
    if interactive.content_sid and provider != "twilio":
        raise ValidationFailed(f"{FIELD}.content_sid", f"is Twilio's Content API; {provider} sends the buttons "
                                                       "or sections themselves")
    limit = PROVIDER_MAX_ID.get(provider, MAX_ID)
    for field, option in options(interactive):
        if len(option.id) > limit:
            raise ValidationFailed(f"{field}.id", f"{provider} takes ids of at most {limit} characters")


def options(interactive: Interactive) -> Iterator[tuple[str, Choice]]:
    """Each button or row, with the field that names it."""
    for i, button in enumerate(interactive.buttons):
        yield f"{FIELD}.buttons[{i}]", button
    for i, section in enumerate(interactive.sections):
        for j, row in enumerate(section.rows):
            yield f"{FIELD}.sections[{i}].rows[{j}]", row


def _buttons(value: object) -> tuple[Choice, ...]:
    items = _items(value, f"{FIELD}.buttons", MAX_BUTTONS, "reply buttons")
    return tuple(_option(item, f"{FIELD}.buttons[{i}]", MAX_BUTTON_TITLE, described=False)
                 for i, item in enumerate(items))


def _sections(value: object) -> tuple[Section, ...]:
    sections: list[Section] = []
    rows = 0
    for i, item in enumerate(_items(value, f"{FIELD}.sections", MAX_SECTIONS, "sections")):
        at = f"{FIELD}.sections[{i}]"
        found = _object(item, at, ("title", "rows"))
        listed = _items(found.get("rows"), f"{at}.rows", MAX_ROWS, "rows")
        if rows + len(listed) > MAX_ROWS:
            raise ValidationFailed(f"{at}.rows[{MAX_ROWS - rows}]", f"a list holds at most {MAX_ROWS} rows "
                                                                    "across all its sections")
        rows += len(listed)
        sections.append(Section(_text(found, "title", MAX_SECTION_TITLE, f"{at}."), tuple(
            _option(row, f"{at}.rows[{j}]", MAX_ROW_TITLE, described=True) for j, row in enumerate(listed))))
    return tuple(sections)


def _distinct(interactive: Interactive) -> Interactive:
    """WhatsApp tells the options apart by id (and buttons by title too)."""
    ids: set[str] = set()
    titles: set[str] = set()
    for field, option in options(interactive):
        if option.id in ids:
            raise ValidationFailed(f"{field}.id", f"each option needs its own id; {option.id!r} is given twice")
        if interactive.buttons and option.title in titles:
            raise ValidationFailed(f"{field}.title", "each button needs its own title")
        ids.add(option.id)
        titles.add(option.title)
    return interactive


def _option(value: object, at: str, max_title: int, described: bool) -> Choice:
    found = _object(value, at, ("id", "title", "description"))
    if not described and found.get("description") is not None:
        raise ValidationFailed(f"{at}.description", "is a list row's; a button has none")
    # a button's null description is taken: the API answers each option with one (Choice.to_dict)
    description = _text(found, "description", MAX_DESCRIPTION, f"{at}.", required=False) if described else None
    ids = MAX_ROW_ID if described else MAX_ID
    return Choice(_text(found, "id", ids, f"{at}."), _text(found, "title", max_title, f"{at}."), description)


def _items(value: object, field: str, at_most: int, what: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ValidationFailed(field, "must be a non-empty list")
    if len(value) > at_most:
        raise ValidationFailed(f"{field}[{at_most}]", f"one too many: at most {at_most} {what}")
    return value


def _object(value: object, field: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed(field, "must be an object")
    for name in value:
        if name not in allowed:
            raise ValidationFailed(f"{field}.{name}", f"is not a field here (allowed: {', '.join(allowed)})")
    return value


def _text(found: dict[str, Any], name: str, at_most: int, prefix: str, required: bool = True) -> str | None:
    value = found.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(prefix + name, "is required" if value is None else "must be a non-empty string")
    value = value.strip()
    if len(value) > at_most:
        raise ValidationFailed(prefix + name, f"must be at most {at_most} characters, got {len(value)}")
    return value
