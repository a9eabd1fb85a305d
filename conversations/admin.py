"""Admin operations on messaging accounts and workstreams: validation, unique numbers,
and the public view of each record (secrets masked, callback URLs included)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping

from channels.base import Sender, Validation
from channels.providers import PROVIDERS, ProviderSpec
from conversations.errors import ConfigurationError, Conflict, NotFound, ValidationFailed
from conversations.models import Account, ChannelRegistration, Number, Workstream
from conversations.phone import business_address, parse_entered, parse_short_code
from conversations.templates import parse_templates
from conversations.validation import choice, objects, reject_unknown, require_object, text, whole_number
from conversations.workstream_settings import FIELDS as SETTINGS_FIELDS, parse_settings
from storage.accounts import AccountStore
from storage.directory import Directory
from storage.sealing import mask
from storage.workstreams import NUMBER_CLAIM, WorkstreamStore

ACCOUNT_NUMBER = "account-number"
NUMBER_TYPES = ("long_code", "short_code", "toll_free")
MAX_AUTO_CLOSE_MINUTES = 30 * 24 * 60
MAX_ADDRESSES = 100  # numbers or channels per account
_ACCOUNT_FIELDS = ("name", "channel", "provider", "credentials", "numbers", "channels")
_WORKSTREAM_FIELDS = ("name", "channel", "account_id", "number", "auto_close_after_minutes", "templates",
                      *SETTINGS_FIELDS)


class AccountAdmin:
    def __init__(self, accounts: AccountStore, directory: Directory, workstreams: WorkstreamStore,
                 senders: Mapping[str, Sender], clock: Callable[[], Any]) -> None:
        self._accounts = accounts
        self._directory = directory
        self._workstreams = workstreams
        self._senders = senders
        self._clock = clock

    def create(self, body: Any) -> Account:
        body = require_object(body)
        reject_unknown(body, _ACCOUNT_FIELDS)
        provider = _provider(body)
        channel = choice(body, "channel", provider.channels)
        now = self._clock()
        numbers, channels = _addresses(provider, channel, body, None)
        account = Account(
            id=uuid.uuid4().hex, name=text(body, "name"), channel=channel, provider=provider.name,
            credentials=_credentials(provider, body.get("credentials"), {}),
            numbers=numbers, channels=channels, created_at=now, updated_at=now,
        )
        with self._numbers_moving(account.id, (), account.addresses()):
            self._accounts.create(account)
        return account

    def get(self, account_id: str) -> Account:
        account = self._accounts.get(account_id)
        if account is None:
            raise NotFound(f"account {account_id} not found")
        return account

    def list(self) -> list[Account]:
        return self._accounts.list()

    def update(self, account_id: str, body: Any) -> Account:
        body = require_object(body)
        reject_unknown(body, _ACCOUNT_FIELDS)
        current, etag = self._accounts.get_for_update(account_id)
        for fixed in ("channel", "provider"):
            if fixed in body and body[fixed] != getattr(current, fixed):
                raise ValidationFailed(fixed, "cannot be changed; create a new account instead")
        provider = PROVIDERS[current.provider]
        numbers, channels = _addresses(provider, current.channel, body, current)
        updated = replace(
            current,
            name=text(body, "name") if "name" in body else current.name,
            credentials=(_credentials(provider, body["credentials"], current.credentials)
                         if "credentials" in body else current.credentials),
            numbers=numbers, channels=channels, updated_at=self._clock(),
        )
        old = set(current.addresses())
        new = set(updated.addresses())
        for number in sorted(old - new):
            if self._workstreams.for_number(number) is not None:
                raise Conflict(f"number {number} is used by a workstream; change or delete the workstream first")
        with self._numbers_moving(account_id, old, new):
            self._accounts.replace(updated, etag)
        return updated

    def delete(self, account_id: str) -> None:
        account = self.get(account_id)
        users = [w.id for w in self._workstreams.list() if w.account_id == account_id]
        if users:
            raise Conflict(f"account {account_id} is used by workstream {users[0]}; delete its workstreams first")
        with self._numbers_moving(account_id, account.addresses(), ()):
            self._accounts.delete(account_id)

    def validate(self, account_id: str) -> Validation:
        """Ask the provider, with one call, whether it accepts the account's credentials."""
        account = self.get(account_id)
        sender = self._senders.get(account.provider)
        if sender is None:
            raise ConfigurationError(f"no adapter for provider {account.provider} is configured")
        return sender.validate(account)

    def _numbers_moving(self, account_id: str, old: Iterable[str], new: Iterable[str]):
        def holds(owner: str, number: str) -> bool:
            other = self._accounts.get(owner)
            return other is not None and other.owns(number)

        return self._directory.moving(ACCOUNT_NUMBER, account_id, old, new, holds, "number")

    @staticmethod
    def view(account: Account, base_url: str) -> dict[str, Any]:
        spec = PROVIDERS[account.provider]
        return {
            "id": account.id, "name": account.name, "channel": account.channel, "provider": account.provider,
            "credentials": {k: mask(v) if k in spec.secret_fields else v for k, v in sorted(account.credentials.items())},
            "numbers": [n.to_dict() for n in account.numbers],
            **({"channels": [c.to_dict() for c in account.channels]} if account.channel in spec.registered_channels
               else {}),
            "callback": spec.callbacks(base_url, account.id),
            "created_at": account.created_at.isoformat(), "updated_at": account.updated_at.isoformat(),
        }


class WorkstreamAdmin:
    def __init__(self, workstreams: WorkstreamStore, accounts: AccountStore, directory: Directory,
                 min_auto_close_minutes: int, default_auto_close_minutes: int, clock: Callable[[], Any]) -> None:
        self._workstreams = workstreams
        self._accounts = accounts
        self._directory = directory
        self._min = min_auto_close_minutes
        self._default = max(default_auto_close_minutes, min_auto_close_minutes)
        self._clock = clock

    def create(self, body: Any) -> Workstream:
        body = require_object(body)
        reject_unknown(body, _WORKSTREAM_FIELDS)
        account = self._account(body.get("account_id"))
        number = business_address(account, body.get("number"), "number")
        now = self._clock()
        minutes = whole_number(body, "auto_close_after_minutes", minimum=self._min, maximum=MAX_AUTO_CLOSE_MINUTES)
        workstream = Workstream(
            id=uuid.uuid4().hex, name=text(body, "name"), channel=self._channel(body, account),
            account_id=account.id, number=number,
            auto_close_after_minutes=minutes or self._default, created_at=now, updated_at=now,
            settings=parse_settings(body),
            templates=parse_templates(body["templates"]) if "templates" in body else (),
        )
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

    def update(self, workstream_id: str, body: Any) -> Workstream:
        body = require_object(body)
        reject_unknown(body, _WORKSTREAM_FIELDS)
        current, etag = self._workstreams.get_for_update(workstream_id)
        account = self._account(body["account_id"]) if "account_id" in body else self._account(current.account_id)
        number = business_address(account, body["number"], "number") if "number" in body else current.number
        if "number" not in body and not account.owns(number):
            raise ValidationFailed("number", "must be one of the account's numbers")
        minutes = whole_number(body, "auto_close_after_minutes", minimum=self._min, maximum=MAX_AUTO_CLOSE_MINUTES)
        updated = replace(
            current,
            name=text(body, "name") if "name" in body else current.name,
            channel=self._channel(body, account) if ("channel" in body or "account_id" in body) else current.channel,
            account_id=account.id, number=number,
            auto_close_after_minutes=minutes or current.auto_close_after_minutes, updated_at=self._clock(),
            settings=parse_settings(body, current.settings),
            templates=parse_templates(body["templates"]) if "templates" in body else current.templates,
        )
        with self._number_moving(workstream_id, (current.number,), (number,)):
            self._workstreams.replace(updated, etag, current.number)
        return updated

    def delete(self, workstream_id: str) -> None:
        workstream = self.get(workstream_id)
        with self._number_moving(workstream_id, (workstream.number,), ()):
            self._workstreams.delete(workstream)

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

        return self._directory.moving(NUMBER_CLAIM, workstream_id, old, new, holds, "number")

    @staticmethod
    def view(w: Workstream) -> dict[str, Any]:
        return {
            "id": w.id, "name": w.name, "channel": w.channel, "account_id": w.account_id, "number": w.number,
            "auto_close_after_minutes": w.auto_close_after_minutes, **w.settings.to_dict(),
            "templates": [t.to_dict() for t in w.templates],
            "created_at": w.created_at.isoformat(), "updated_at": w.updated_at.isoformat(),
        }


def _provider(body: dict[str, Any]) -> ProviderSpec:
    return PROVIDERS[choice(body, "provider", PROVIDERS)]


def _credentials(provider: ProviderSpec, value: Any, current: dict[str, str]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationFailed("credentials", "must be an object")
    return provider.check_credentials({**current, **value})


def _addresses(provider: ProviderSpec, channel: str, body: dict[str, Any],
               current: Account | None) -> tuple[tuple[Number, ...], tuple[ChannelRegistration, ...]]:
    """The account's numbers, or its channel registrations where the channel uses those."""
    if channel not in provider.registered_channels:
        if "channels" in body:
            raise ValidationFailed("channels", f"is not used by {provider.name} {channel} accounts; give numbers")
        if current is not None and "numbers" not in body:
            return current.numbers, ()
        return _numbers(body.get("numbers"), short_codes=channel != "whatsapp"), ()
    if "numbers" in body:
        raise ValidationFailed("numbers", f"is not used by {provider.name} {channel} accounts; give channels")
    if current is not None and "channels" not in body:
        return (), current.channels
    return (), _channels(body.get("channels"))


def _channels(value: Any) -> tuple[ChannelRegistration, ...]:
    channels: list[ChannelRegistration] = []
    for prefix, item in objects(value, "channels", ("name", "channel_id", "number"), at_most=MAX_ADDRESSES):
        name = text(item, "name", prefix=prefix)
        raw = item.get("channel_id")
        try:
            channel_id = str(uuid.UUID(raw)) if isinstance(raw, str) and len(raw) == 36 else None
        except ValueError:
            channel_id = None
        if channel_id is None:
            raise ValidationFailed(prefix + "channel_id", "must be the channel registration ID, a UUID such as "
                                                          "3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        if any(c.channel_id == channel_id for c in channels):
            raise ValidationFailed(prefix + "channel_id", "is listed twice")
        number = parse_entered(item["number"], prefix + "number") if "number" in item else ""
        channels.append(ChannelRegistration(name=name, channel_id=channel_id, number=number))
    return tuple(channels)


def _numbers(value: Any, short_codes: bool) -> tuple[Number, ...]:
    """The account's numbers (WhatsApp senders are phone numbers, never short codes)."""
    numbers: list[Number] = []
    for prefix, item in objects(value, "numbers", ("number", "type", "description"), at_most=MAX_ADDRESSES):
        kind = choice(item, "type", [t for t in NUMBER_TYPES if short_codes or t != "short_code"], prefix)
        raw = item.get("number")
        number = (parse_short_code(raw, prefix + "number") if kind == "short_code"
                  else parse_entered(raw, prefix + "number"))
        if any(n.number == number for n in numbers):
            raise ValidationFailed(prefix + "number", "is listed twice")
        description = item.get("description") or ""
        if not isinstance(description, str) or len(description) > 500:
            raise ValidationFailed(prefix + "description", "must be text of at most 500 characters")
        numbers.append(Number(number=number, type=kind, description=description))
    return tuple(numbers)
