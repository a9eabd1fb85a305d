"""The composition root, the one place that joins the layers: settings, storage, providers
and the domain services, built once per process on first use (so importing the app never
touches the network or loads a provider SDK)."""

from __future__ import annotations

import functools
import hashlib
import threading
from datetime import timedelta
from typing import Any, Callable, Mapping, Sequence

from channels.directline import DirectLineClient
from channels.providers import PROVIDERS
from channels.senders import LazySenders
from conversations.admin.accounts import AccountAdmin
from conversations.messaging.actions import AgentActions
from conversations.admin.agents import AgentDirectory
from conversations.bots.media import BotMedia
from conversations.bots.relay import JOB as BOT_JOB
from conversations.bots.relay import Bots
from conversations.distribution.assignment import Assignments
from conversations.customer_data.audit import AuditTrail
from conversations.distribution.capacity import Capacity
from conversations.distribution.clockwork import Clockwork
from conversations.admin.contacts import ContactAdmin
from conversations.messaging.delivery import Delivery, Timing
from conversations.distribution.distributor import Distributor
from conversations.customer_data.erasure import Erasure
from conversations.customer_data.exports import Exports
from conversations.distribution.feed import Feed
from conversations.messaging.idempotency import Idempotency
from conversations.distribution.inboxes import Inboxes
from conversations.messaging.ingest import Ingest
from conversations.messaging.lookup import Lookup
from conversations.messaging.opening import Opener
from conversations.messaging.outbox import Outbox
from conversations.distribution.presence import Presence
from conversations.customer_data.retention import Retention
from conversations.messaging.sweep import Sweep
from conversations.admin.workstreams import WorkstreamAdmin
from conversations.messaging.writer import Writer
from core.clock import Clock, utcnow
from core.telemetry import PROVIDER, STORAGE, NoTelemetry
from core.ports import DirectLine, MediaFetcher, Sender, Telemetry
from core.records import Account
from functions.settings import DEFAULT_AUTO_CLOSE_MINUTES, Settings
from storage.accounts import AccountStore
from storage.agent_states import AgentStateStore
from storage.agents import AgentStore
from storage.attempts import AttemptStore
from storage.audit import AuditStore
from storage.client import RequestHook, TableStorage, build_service_client
from storage.contacts import ContactStore
from storage.deadlines import DeadlineStore
from storage.directory import Directory
from storage.erasures import ErasureStore
from storage.idempotency import IdempotencyStore
from storage.inbox import InboxStore
from storage.optouts import OptOutStore
from storage.outqueue import OutboxQueue, build_queue_service
from storage.purge import Purger
from storage.sealing import Hasher, Sealer
from storage.threads import ThreadStore
from storage.workstreams import WorkstreamStore


def telemetry_for(settings: Settings) -> Telemetry:
    """Application Insights when its connection string is set (the distro and
    OpenTelemetry load then, once per process); otherwise nothing is recorded."""
    if not settings.monitor_connection_string:
        return NoTelemetry()
    from telemetry.monitor import azure_monitor

    return azure_monitor(settings.monitor_connection_string, settings.monitor_authentication)


def _watched(telemetry: Telemetry) -> Callable[..., Any]:
    """Storage and provider adapters as the services are given them: each call in a span
    (``storage.<name>.<method>``, or ``provider.``) when telemetry is on."""
    if isinstance(telemetry, NoTelemetry):
        return lambda _name, adapter, kind=STORAGE: adapter
    from telemetry.traced import Traced

    return lambda name, adapter, kind=STORAGE: Traced(adapter, f"{kind}.{name}", telemetry)


def _link_key(settings: Settings) -> bytes:
    """The key of bots' media links, derived from the sealing key (Sealer checked it is set)."""
    return hashlib.sha256(b"switchboard bot media links|" + settings.sealing_keys[0].encode()).digest()


def status_callback(account: Account, base_url: str, message_id: str) -> str | None:
    return PROVIDERS[account.provider].status_callback(base_url, account.id, message_id)


class Services:
    """Everything a function needs, wired: the stores, the domain services, the admins."""

    def __init__(self, settings: Settings, request_hooks: Sequence[RequestHook] = (), clock: Clock = utcnow,
                 senders: Mapping[str, Sender] | None = None,
                 media_fetchers: Mapping[str, MediaFetcher] | None = None, telemetry: Telemetry | None = None,
                 queue_hooks: Sequence[RequestHook] = (), directline: DirectLine | None = None) -> None:
        self.settings = settings
        self.telemetry = telemetry = telemetry or telemetry_for(settings)
        self._watch = watch = _watched(telemetry)
        client = build_service_client(settings.storage_connection_string, settings.tables_endpoint, request_hooks)
        self.storage = storage = TableStorage(client, settings.table_prefix)
        directory = watch("directory", Directory(storage))
        sealer = Sealer(settings.sealing_keys)
        self.accounts = accounts = watch("accounts", AccountStore(storage, sealer))
        self.workstreams = workstreams = watch("workstreams", WorkstreamStore(storage, directory, sealer))
        directline = watch("directline", directline or DirectLineClient(settings.directline_base_url), PROVIDER)
        contacts = watch("contacts", ContactStore(storage, directory))
        self.threads = threads = watch("threads", ThreadStore(storage))
        deadlines = watch("deadlines", DeadlineStore(storage))
        if senders is None:
            senders = LazySenders({"twilio_api_base_url": settings.twilio_api_base_url,
                                   "telesign_api_base_url": settings.telesign_api_base_url})
            media_fetchers = senders.media_fetchers() if media_fetchers is None else media_fetchers
        self._work_distribution(storage, threads, workstreams, clock, settings)
        lookup, writer, assignments = self.lookup, self.writer, self.assignments
        hasher = Hasher(settings.sealing_keys)
        optouts = self._watch("optouts", OptOutStore(storage, hasher))
        opener = Opener(contacts, optouts, DEFAULT_AUTO_CLOSE_MINUTES)
        timing = settings.outbox
        queue_service = functools.partial(build_queue_service, settings.storage_connection_string,
                                          settings.queues_endpoint, queue_hooks)
        self.queue = watch("queue", OutboxQueue(queue_service, timing.queue))
        self.delivery = delivery = Delivery(
            threads, watch("attempts", AttemptStore(storage)), accounts, senders, self.queue, status_callback,
            lambda cid: outbox.opted_out(cid), telemetry, clock,
            Timing(timing.guard_seconds, timing.retry_seconds, timing.unknown_seconds, timing.max_attempts))
        self.outbox = outbox = Outbox(threads, writer, deadlines, accounts, workstreams, lookup, opener, delivery,
                                      assignments.take, clock)
        self.bot_media = BotMedia(threads, accounts, media_fetchers or {}, _link_key(settings), clock)
        self.bots = bots = Bots(threads, writer, lookup, outbox, directline,
                                watch("timers", DeadlineStore(storage, "timers")), contacts, self.bot_media, clock,
                                settings.public_base_url)
        self.clockwork.on(BOT_JOB, bots.due)
        self.ingest = Ingest(threads, writer, deadlines, lookup, opener, outbox, clock, telemetry, bots)
        self.actions = AgentActions(writer, accounts, lookup, outbox, media_fetchers or {}, clock)
        self.sweep = Sweep(threads, writer, deadlines, lookup, outbox, clock, telemetry)
        self.account_admin = AccountAdmin(accounts, directory, workstreams, PROVIDERS, senders, clock)
        self.workstream_admin = WorkstreamAdmin(workstreams, accounts, directory, settings.auto_close_min_minutes,
                                                DEFAULT_AUTO_CLOSE_MINUTES, directline, clock)
        self.contact_admin = ContactAdmin(contacts, directory, clock)
        self._customer_data(storage, sealer, hasher, optouts, contacts, settings, clock)

    def _customer_data(self, storage: TableStorage, sealer: Sealer, hasher: Hasher, optouts: OptOutStore,
                       contacts: ContactStore, settings: Settings, clock: Clock) -> None:
        """Retention, erasure, the audit trail (conversations/customer_data/retention.py, erasure.py, audit.py)."""
        watch = self._watch
        self.purge = purge = watch("purge", Purger(storage))
        due = watch("retention", DeadlineStore(storage, "retention"))
        self.retention = Retention(due, self.threads, purge, optouts, self.lookup, settings.retention_max_days, clock)
        self.writer.listen(self.retention.moved)
        jobs = watch("erasures", ErasureStore(storage, sealer))
        self.erasure = Erasure(jobs, purge, optouts, self.accounts, self.capacity.release, hasher.digest, clock)
        self.audit = AuditTrail(watch("audit", AuditStore(storage)), settings.audit_retention_days, clock)
        self.exports = Exports(self.lookup, purge, self.accounts, contacts)

    def _work_distribution(self, storage: TableStorage, threads: ThreadStore, workstreams: WorkstreamStore,
                           clock: Clock, settings: Settings) -> None:
        """The inbox index, the one writer of thread heads, and who gets which conversation."""
        watch = self._watch
        inbox, timers, agents = (watch("inbox", InboxStore(storage)), watch("timers", DeadlineStore(storage, "timers")),
                                 watch("agents", AgentStore(storage)))
        offline_after = timedelta(seconds=settings.agent_offline_after_seconds)
        self.lookup = lookup = Lookup(threads, workstreams)
        self.writer = writer = Writer(threads, inbox, timers, clock)
        capacity = Capacity(watch("agentstates", AgentStateStore(storage)), clock)
        self.distributor = distributor = Distributor(threads, writer, lookup, agents, capacity, inbox, timers, clock,
                                                     offline_after)
        writer.listen(distributor.moved)
        self.assignments = Assignments(writer, lookup, agents, capacity, clock)
        self.presence = presence = Presence(capacity, distributor, threads, timers, clock, offline_after,
                                            timedelta(seconds=settings.agent_watch_seconds))
        self.idempotency = idempotency = Idempotency(watch("idempotency", IdempotencyStore(storage)), timers, clock,
                                                     wait=settings.idempotency_wait_seconds,
                                                     lease=timedelta(seconds=settings.idempotency_lease_seconds))
        self.clockwork = Clockwork(timers, writer, distributor, presence, idempotency, clock)
        self.inboxes = Inboxes(inbox)
        self.feed = Feed(inbox, threads, presence)
        self.capacity = capacity
        self.directory = AgentDirectory(agents, workstreams, clock, changed=distributor.dispatch_for)

    @functools.cached_property
    def eventgrid(self) -> Any:
        """The Entra token check for Event Grid deliveries (loads PyJWT on first use)."""
        from channels.entra import EntraVerifier

        return EntraVerifier(self.settings.entra_authority_host)


def build(settings: Settings, **kwargs: Any) -> Services:
    return Services(settings, **kwargs)


_services: Services | None = None
_lock = threading.Lock()


def services(factory: Callable[[], Services] = lambda: build(Settings.from_env())) -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = factory()
    return _services


def telemetry() -> Telemetry:
    """The wired services' telemetry; before they are built, the process's (the same one)."""
    return _services.telemetry if _services is not None else telemetry_for(Settings.from_env())
