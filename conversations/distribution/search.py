"""Finding conversations: by customer number in any written form (its last digits are
enough), by a word of the contact's or customer's name, by label, or by id; within the
caller's scope, a page at a time, one range of the search index per page (core/inbox.py
search_terms), each conversation then read as it is now (a point read each) and kept
when it is still found by the term (a row of a term it had may outlive it: a row moved
from where deployments kept them before, storage/relocation.py)."""

from __future__ import annotations

from conversations.access import Scope
from conversations.admin.numbers import PhoneReader
from core.errors import ValidationFailed
from core.ids import well_formed
from core.inbox import LABEL, MIN_DIGITS, NAME, NUMBER, Page, name_words, search_terms
from core.labels import label_key
from core.ports import Inbox, Labels, Threads
from core.records import Conversation

MAX_QUERY = 100


class Search:
    def __init__(self, *, inbox: Inbox, threads: Threads, labels: Labels, phones: PhoneReader) -> None:
        self._inbox = inbox
        self._threads = threads
        self._labels = labels
        self._phones = phones

    def find(self, scope: Scope, text: str, limit: int, token: str | None = None) -> Page:
        """A page of what ``text`` finds that the caller may see (a page may hold fewer
        than ``limit``: what is outside the scope is left out), and the next page's token."""
        text = text.strip()
        if not text or len(text) > MAX_QUERY:
            raise ValidationFailed("q", f"must be 1 to {MAX_QUERY} characters: a number, a name, a label or an id")
        if well_formed(text):
            return Page(self._visible(scope, [text]), None)
        prefix = self._prefix(text)
        try:
            ids, following = self._inbox.found(prefix, limit, token)
        except ValueError as exc:
            raise ValidationFailed("next", "must be the next token of an earlier page of this search") from exc
        found = self._visible(scope, ids)
        return Page([c for c in found if any(f"{t}|".startswith(prefix) for t in search_terms(c))], following)

    def _prefix(self, text: str) -> str:
        """What the text asks for: a number when it has enough digits, a label when one is so
        named, else the first word of a name."""
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= MIN_DIGITS:
            return NUMBER + _international(self._phones, text, digits)[::-1]
        label = self._labels.get(label_key(text))
        if label is not None:
            return f"{LABEL}{label.id}|"
        words = name_words(text)
        if not words:
            raise ValidationFailed("q", f"must hold a name's word of 2 letters or more, or {MIN_DIGITS} digits or more")
        return NAME + words[0]

    def _visible(self, scope: Scope, ids: list[str]) -> list[Conversation]:
        found = (self._threads.current(i) for i in ids if well_formed(i))
        return [c for c in found if c is not None and scope.sees(c)]


def _international(phones: PhoneReader, text: str, digits: str) -> str:
    """The digits a number is stored by: written with a trunk "0" ("0151 1234 5678" in
    Germany) or the "00" international prefix, they are not an ending of its E.164 digits,
    so a whole number is read as people write it; any other digits are (an ending is
    enough: "5550123")."""
    if not digits.startswith("0"):
        return digits
    try:
        return phones.entered(text, "q").lstrip("+")
    except ValidationFailed:
        return digits
