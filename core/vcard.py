"""The names and numbers of a shared contact card: vCard 3.0 (RFC 2426) and 4.0 (RFC 6350),
and the bare TYPE parameters of 2.1 that phones still write. Only what the pane shows is
read: FN (or N when FN is missing) and TEL with its types; every other property is
skipped. Bounded: MAX_CARDS cards of MAX_PHONES numbers each; a card cut off before its
END is dropped, so a file read only in part still gives whole cards."""

from __future__ import annotations

import re

from core.content import Card, Phone, bounded

MAX_CARDS, MAX_PHONES = 10, 5
MAX_NUMBER, MAX_TYPE = 64, 64
_FOLD = re.compile(r"\r?\n[ \t]")
_ESCAPED = re.compile(r"\\(.)")
_NOT_TYPES = {"pref"}  # a preference, not a kind of phone


def parse(text: str) -> tuple[Card, ...]:
    """The cards of a vCard file, in order; empty when it holds none."""
    cards: list[Card] = []
    current: _Draft | None = None
    for line in _FOLD.sub("", text).splitlines():
        name, params, value = _split(line)
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            current = _Draft()
        elif current is None:
            continue
        elif name == "END" and value.strip().upper() == "VCARD":
            card = current.card()
            if card is not None:
                cards.append(card)
            if len(cards) == MAX_CARDS:
                break
            current = None
        else:
            current.add(name, params, value)
    return tuple(cards)


class _Draft:
    def __init__(self) -> None:
        self.formatted = ""
        self.structured = ""
        self.phones: list[Phone] = []

    def add(self, name: str, params: list[str], value: str) -> None:
        if name == "FN" and not self.formatted:
            self.formatted = _text(value)
        elif name == "N" and not self.structured:
            self.structured = _structured_name(value)
        elif name == "TEL" and len(self.phones) < MAX_PHONES:
            number = _number(value)
            if number:
                self.phones.append(Phone(number, _types(params)))

    def card(self) -> Card | None:
        name = bounded(self.formatted or self.structured) or None
        return Card(name, tuple(self.phones)) if name or self.phones else None


def _split(line: str) -> tuple[str, list[str], str]:
    """A content line's name (without its group), parameters and value: the value starts
    at the first colon outside double quotes (4.0 quotes TYPE="work,voice")."""
    quoted, at = False, -1
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            at = i
            break
    if at < 0:
        return "", [], ""
    name, *params = line[:at].split(";")
    return name.rsplit(".", 1)[-1].strip().upper(), params, line[at + 1:]


def _text(value: str) -> str:
    return _ESCAPED.sub(lambda m: " " if m.group(1) in "nN" else m.group(1), value).strip()


def _structured_name(value: str) -> str:
    """N is family;given;additional;prefixes;suffixes: read as prefixes given additional family suffixes."""
    parts = [" ".join(_text(v) for v in re.split(r"(?<!\\),", p)) for p in re.split(r"(?<!\\);", value)] + [""] * 5
    family, given, additional, prefixes, suffixes = parts[:5]
    return " ".join(p for p in (prefixes, given, additional, family, suffixes) if p)


def _number(value: str) -> str:
    """The number as written, or a tel: URI's number (its ;ext= kept, as tel: links take it)."""
    value = value.strip()
    if value[:4].lower() == "tel:":
        value = value[4:]
    return value[:MAX_NUMBER]


def _types(params: list[str]) -> str | None:
    """TYPE=a,b and TYPE="a,b" (3.0, 4.0), repeated or not, and 2.1's bare CELL; lower case."""
    found: list[str] = []
    for param in params:
        key, _, value = param.partition("=")
        values = value if _ else key
        if _ and key.strip().upper() != "TYPE":
            continue
        for t in values.strip().strip('"').split(","):
            t = t.strip().lower()
            if t and t not in _NOT_TYPES and t not in found:
                found.append(t)
    return ", ".join(found)[:MAX_TYPE] or None
