"""Admin operations on messaging accounts: what an admin gives, checked per provider, and
numbers that belong to one account only."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Iterable, Mapping

from conversations.admin.numbers import PhoneReader, parse_short_code
from conversations.admin.validation import choice, objects, reject_unknown, require_object, text
from core.clock import Clock
from core.errors import ConfigurationError, Conflict, NotFound, ValidationFailed
from core.ids import new_record_id
from core.messages import Validation
from core.ports import ACCOUNT_NUMBER, Accounts, Claims, Sender, Workstreams
from core.providers import ProviderSpec
from core.records import Account, ChannelRegistration, Number

NUMBER_TYPES = ("long_code", "short_code", "toll_free")
MAX_ADDRESSES = 100  # numbers or channels per account
MAX_NAMED = 5  # workstreams a refusal names
_ACCOUNT_FIELDS = ("name", "channel", "provider", "credentials", "numbers", "channels")


class AccountAdmin:
    def __init__(self, accounts: Accounts, claims: Claims, workstreams: Workstreams,
                 providers: Mapping[str, ProviderSpec], senders: Mapping[str, Sender], phones: PhoneReader,
                 clock: Clock) -> None:
        self._accounts = accounts
        self._claims = claims
        self._workstreams = workstreams
        self._providers = providers
        self._senders = senders
        self._phones = phones
        self._clock = clock

    def create(self, body: Any) -> Account:
        body = require_object(body)
        reject_unknown(body, _ACCOUNT_FIELDS)
        provider = self._providers[choice(body, "provider", self._providers)]
        channel = choice(body, "channel", provider.channels)
        now = self._clock()
        numbers, channels = _addresses(self._phones, provider, channel, body, None)
        account = Account(
            id=new_record_id(), name=text(body, "name"), channel=channel, provider=provider.name,
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
        provider = self._providers[current.provider]
        numbers, channels = _addresses(self._phones, provider, current.channel, body, current)
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
            user = self._workstreams.for_number(number)
            if user is not None:
                raise Conflict(f"number {number} is used by workstream {user.name} ({user.id}); "
                               "change or delete the workstream first")
        with self._numbers_moving(account_id, old, new):
            self._accounts.replace(updated, etag)
        return updated

    def delete(self, account_id: str) -> None:
        account = self.get(account_id)
        users = [w for w in self._workstreams.list() if w.account_id == account_id]
        if users:
            named = ", ".join(f"{w.name} ({w.id})" for w in users[:MAX_NAMED]) + (", …" if len(users) > MAX_NAMED else "")
            raise Conflict(f"account {account.name} is used by workstream{'s' if len(users) > 1 else ''} {named}; "
                           "delete its workstreams first")
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

        return self._claims.moving(ACCOUNT_NUMBER, account_id, old, new, holds, "number")


def _credentials(provider: ProviderSpec, value: Any, current: dict[str, str]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationFailed("credentials", "must be an object")
    return provider.check_credentials({**current, **value})


def _addresses(phones: PhoneReader, provider: ProviderSpec, channel: str, body: dict[str, Any],
               current: Account | None) -> tuple[tuple[Number, ...], tuple[ChannelRegistration, ...]]:
    """The account's numbers, or its channel registrations where the channel uses those."""
    if channel not in provider.registered_channels:
        if "channels" in body:
            raise ValidationFailed("channels", f"is not used by {provider.name} {channel} accounts; give numbers")
        if current is not None and "numbers" not in body:
            return current.numbers, ()
        return _numbers(phones, body.get("numbers"), short_codes=channel != "whatsapp"), ()
    if "numbers" in body:
        raise ValidationFailed("numbers", f"is not used by {provider.name} {channel} accounts; give channels")
    if current is not None and "channels" not in body:
        return (), current.channels
    return (), _channels(phones, body.get("channels"))


def _channels(phones: PhoneReader, value: Any) -> tuple[ChannelRegistration, ...]:
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
        number = phones.entered(item["number"], prefix + "number") if "number" in item else ""
        channels.append(ChannelRegistration(name=name, channel_id=channel_id, number=number))
    return tuple(channels)


def _numbers(phones: PhoneReader, value: Any, short_codes: bool) -> tuple[Number, ...]:
    """The account's numbers (WhatsApp senders are phone numbers, never short codes)."""
    numbers: list[Number] = []
    for prefix, item in objects(value, "numbers", ("number", "type", "description"), at_most=MAX_ADDRESSES):
        kind = choice(item, "type", [t for t in NUMBER_TYPES if short_codes or t != "short_code"], prefix)
        raw = item.get("number")
        number = (parse_short_code(raw, prefix + "number") if kind == "short_code"
                  else phones.entered(raw, prefix + "number"))
        if any(n.number == number for n in numbers):
            raise ValidationFailed(prefix + "number", "is listed twice")
        description = "" if item.get("description") is None else item["description"]  # null: none
        if not isinstance(description, str) or len(description) > 500:
            raise ValidationFailed(prefix + "description", "must be text of at most 500 characters")
        numbers.append(Number(number=number, type=kind, description=description))
    return tuple(numbers)
