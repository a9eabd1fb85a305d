"""The composition root: settings, storage, providers and the engine, built once per
process on first use (so importing the app never touches the network)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from channels.base import MediaFetcher, Sender
from channels.eventgrid import EntraVerifier
from channels.providers import PROVIDERS
from config import DEFAULT_AUTO_CLOSE_MINUTES, Settings
from conversations.admin import AccountAdmin, WorkstreamAdmin
from conversations.contacts import ContactAdmin
from conversations.engine import Clock, Engine, utcnow
from conversations.models import Account
from storage.accounts import AccountStore
from storage.client import RequestHook, TableStorage, build_service_client
from storage.contacts import ContactStore
from storage.deadlines import DeadlineStore
from storage.directory import Directory
from storage.sealing import Sealer
from storage.threads import ThreadStore
from storage.workstreams import WorkstreamStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: TableStorage
    accounts: AccountStore
    workstreams: WorkstreamStore
    engine: Engine
    account_admin: AccountAdmin
    workstream_admin: WorkstreamAdmin
    contact_admin: ContactAdmin
    eventgrid: EntraVerifier


def _media_fetchers(senders: Mapping[str, Sender]) -> dict[str, MediaFetcher]:
    """The senders that can also fetch inbound attachments, by provider."""
    return {name: s for name, s in senders.items() if isinstance(s, MediaFetcher)}


def callback_urls(account: Account, base_url: str) -> dict[str, str]:
    return PROVIDERS[account.provider].callbacks(base_url, account.id)


def build(
    settings: Settings,
    request_hooks: Sequence[RequestHook] = (),
    clock: Clock = utcnow,
    senders: Mapping[str, Sender] | None = None,
    media_fetchers: Mapping[str, MediaFetcher] | None = None,
) -> Services:
    storage = TableStorage(build_service_client(settings, request_hooks), settings.table_prefix)
    directory = Directory(storage)
    accounts = AccountStore(storage, Sealer(settings.sealing_keys))
    workstreams = WorkstreamStore(storage, directory)
    contacts = ContactStore(storage, directory)
    if senders is None:
        senders = {name: spec.sender(settings) for name, spec in PROVIDERS.items()}
    engine = Engine(
        ThreadStore(storage), DeadlineStore(storage), accounts, workstreams, contacts, senders,
        callback_urls, DEFAULT_AUTO_CLOSE_MINUTES, clock,
        media_fetchers=media_fetchers if media_fetchers is not None else _media_fetchers(senders),
    )
    return Services(
        settings=settings, storage=storage, accounts=accounts, workstreams=workstreams, engine=engine,
        account_admin=AccountAdmin(accounts, directory, workstreams, senders, clock),
        workstream_admin=WorkstreamAdmin(workstreams, accounts, directory, settings.auto_close_min_minutes,
                                         DEFAULT_AUTO_CLOSE_MINUTES, clock),
        contact_admin=ContactAdmin(contacts, clock),
        eventgrid=EntraVerifier(settings.entra_authority_host),
    )


_services: Services | None = None
_lock = threading.Lock()


def services(factory: Callable[[], Services] = lambda: build(Settings.from_env())) -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = factory()
    return _services
