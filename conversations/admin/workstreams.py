"""Admin operations on workstreams: one per business address, its settings, templates and
bot checked field by field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from conversations.bots.settings import parse_bot
from conversations.admin.numbers import PhoneReader
from conversations.messaging.templates import parse_templates
from conversations.admin.validation import reject_unknown, require_object, text, whole_number
from conversations.admin.workstream_settings import FIELDS as SETTINGS_FIELDS
from conversations.admin.skills import SkillCatalogue
from conversations.admin.workstream_settings import parse_settings
from conversations.admin.window_fallbacks import check_fallbacks
from core.clock import Clock
from core.errors import Conflict, NotFound, ValidationFailed
from core.ids import new_record_id
from core.inbox import WORKSTREAM, View
from core.ports import WORKSTREAM_NUMBER, Accounts, Claims, DirectLine, Inbox, TemplateCatalogues, Workstreams
from core.records import ACTIVE, OPEN, WAITING, Account, Workstream
from core.settings import WorkstreamSettings

MAX_AUTO_CLOSE_MINUTES = 30 * 24 * 60
_WORKSTREAM_FIELDS = ("name", "channel", "account_id", "number", "auto_close_after_minutes", "templates",
                      "bot", *SETTINGS_FIELDS)


class WorkstreamAdmin:
    def __init__(self, workstreams: Workstreams, accounts: Accounts, claims: Claims,
                 min_auto_close_minutes: int, default_auto_close_minutes: int, directline: DirectLine,
                 skills: SkillCatalogue, phones: PhoneReader, catalogues: TemplateCatalogues, inbox: Inbox,
                 clock: Clock) -> None:
        self._workstreams = workstreams
        self._inbox = inbox
        self._catalogues = catalogues
        self._skills = skills
        self._directline = directline
        self._accounts = accounts
        self._claims = claims
        self._phones = phones
        self._min = min_auto_close_minutes
        self._default = max(default_auto_close_minutes, min_auto_close_minutes)
        self._clock = clock

    def create(self, body: Any) -> Workstream:
        body = require_object(body)
        reject_unknown(body, _WORKSTREAM_FIELDS)
        account = self._account(body.get("account_id"))
        number = self._phones.business_address(account, body.get("number"), "number")
        now = self._clock()
        minutes = whole_number(body, "auto_close_after_minutes", minimum=self._min, maximum=MAX_AUTO_CLOSE_MINUTES)
        workstream = Workstream(
            id=new_record_id(), name=text(body, "name"), channel=self._channel(body, account),
            account_id=account.id, number=number,
            auto_close_after_minutes=minutes or self._default, created_at=now, updated_at=now,
            settings=self._settings(body),
            templates=parse_templates(body["templates"]) if "templates" in body else (),
            bot=parse_bot(body.get("bot"), None, self._directline),
        )
        self._check_fallbacks(body, workstream)
        with self._number_moving(workstream.id, (), (number,)):
            self._workstreams.create(workstream)
        return workstream

    def get(self, workstream_id: str) -> Workstream:
        workstream = self._workstreams.get(workstream_id)
        if workstream is None:
            raise NotFound(f"workstream {workstream_id} not found")
        return workstream

    def list(self) -> list[Workstream]:
        return self._workstreams.list()

    def _settings(self, body: dict[str, Any], current: WorkstreamSettings = WorkstreamSettings()) -> WorkstreamSettings:
        """The settings ``body`` gives, its routing rules' skills named as the catalogue has them."""
        settings = parse_settings(body, current)
        if "routing_rules" in body:
            settings = replace(settings, routing_rules=self._skills.check_rules(settings.routing_rules))
        return settings

    def update(self, workstream_id: str, body: Any) -> Workstream:
        body = require_object(body)
        reject_unknown(body, _WORKSTREAM_FIELDS)
        current, etag = self._workstreams.get_for_update(workstream_id)
        account = self._account(body["account_id"]) if "account_id" in body else self._account(current.account_id)
        number = (self._phones.business_address(account, body["number"], "number") if "number" in body
                  else current.number)
        if "number" not in body and not account.owns(number):
            raise ValidationFailed("number", "must be one of the account's numbers")
        minutes = whole_number(body, "auto_close_after_minutes", minimum=self._min, maximum=MAX_AUTO_CLOSE_MINUTES)
        updated = replace(
            current,
            name=text(body, "name") if "name" in body else current.name,
            channel=self._channel(body, account) if ("channel" in body or "account_id" in body) else current.channel,
            account_id=account.id, number=number,
            auto_close_after_minutes=minutes or (self._default if "auto_close_after_minutes" in body  # null: the default
                                                 else current.auto_close_after_minutes), updated_at=self._clock(),
            settings=self._settings(body, current.settings),
            templates=parse_templates(body["templates"]) if "templates" in body else current.templates,
            bot=parse_bot(body["bot"], current.bot, self._directline) if "bot" in body else current.bot,
        )
        self._check_fallbacks(body, updated, moved=updated.account_id != current.account_id)
        self._check_removed_queues(current, updated)
        with self._number_moving(workstream_id, (current.number,), (number,)):
            self._workstreams.replace(updated, etag)
        return updated

    def _check_removed_queues(self, current: Workstream, updated: Workstream) -> None:
        """A queue goes only once none of its conversations is live: one waiting there would
        be offered to nobody (no agent may be given a queue the workstream lacks)."""
        for queue in sorted(set(current.settings.queues) - set(updated.settings.queues)):
            live = self._live(current.id, queue)
            if live is not None:
                raise Conflict(f"queue {queue} has conversations that are not closed ({live} among them); "
                               "transfer or close them first", code="queue_in_use")

    def _check_fallbacks(self, body: dict[str, Any], workstream: Workstream, moved: bool = False) -> None:
        """The closed-window templates an admin names may be sent now (the catalogue read once);
        templates changed keep every one a fallback names (whatever the provider says of it
        now: its approval is checked when the fallback is set and when it is sent); a
        workstream ``moved`` to another account needs them approved in that one's catalogue."""
        if not workstream.settings.window_fallbacks:
            return
        if "window_fallbacks" in body or "templates" in body or moved:
            check_fallbacks(workstream.settings.window_fallbacks, workstream.templates,
                            self._catalogues.read(workstream.account_id), approval="window_fallbacks" in body or moved)

    def delete(self, workstream_id: str) -> None:
        """Only once none of its conversations is live: one would be left answering to a
        workstream gone (no distribution, no auto-close settings, no reports)."""
        workstream = self.get(workstream_id)
        live = self._live(workstream_id)
        if live is not None:
            raise Conflict(f"workstream {workstream_id} has conversations that are not closed ({live} among them); "
                           "close them first", code="workstream_in_use")
        self._workstreams.retire(workstream_id, workstream.settings.retention_days)  # for its closed ones
        with self._number_moving(workstream_id, (workstream.number,), ()):
            self._workstreams.delete(workstream_id)

    def _live(self, workstream_id: str, queue: str | None = None) -> str | None:
        """A conversation of the workstream (or of one of its queues) that is not closed, if
        any: a query of its list per live state, a row each at most."""
        for state in (OPEN, ACTIVE, WAITING):
            view = View(WORKSTREAM, workstream_id=workstream_id, queue=queue, by_queue=queue is not None, state=state)
            page = self._inbox.page(view, 1)
            if page.conversations:
                return page.conversations[0].id
        return None

    def _account(self, account_id: Any) -> Account:
        if not isinstance(account_id, str) or not account_id:
            raise ValidationFailed("account_id", "is required")
        account = self._accounts.get(account_id)
        if account is None:
            raise ValidationFailed("account_id", f"no account {account_id}")
        return account

    @staticmethod
    def _channel(body: dict[str, Any], account: Account) -> str:
        channel = body.get("channel", account.channel)
        if channel != account.channel:
            raise ValidationFailed("channel", f"must match the account's channel ({account.channel})")
        return channel

    def _number_moving(self, workstream_id: str, old: Iterable[str], new: Iterable[str]):
        def holds(owner: str, number: str) -> bool:
            other = self._workstreams.get(owner)
            return other is not None and other.number == number

        return self._claims.moving(WORKSTREAM_NUMBER, workstream_id, old, new, holds, "number")
