"""The domain services, one typed container per area, each service built with keywords in
the order its parts need one another: the distribution (with the writer every commit goes
through, and the reactions to a commit), the providers' adapters, messaging (with the
bots), customers' data and the admins' services."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Mapping

from channels.directline import DirectLineClient
from channels.providers import PROVIDERS
from channels.senders import LazySenders
from channels.templates import ProviderTemplates
from conversations.admin.accounts import AccountAdmin
from conversations.admin.agents import AgentDirectory
from conversations.admin.contacts import ContactAdmin
from conversations.admin.labels import LabelCatalogue
from conversations.admin.numbers import PhoneReader
from conversations.admin.rates import RateAdmin
from conversations.distribution.customer_history import CustomerHistory
from conversations.distribution.search import Search
from conversations.admin.skills import SkillCatalogue
from conversations.admin.template_sync import TemplateSync
from conversations.messaging.notes import Notes
from conversations.messaging.reacting import Reacting
from conversations.reports.days import Days
from conversations.service_levels.expected import ExpectedWait
from conversations.service_levels.queue_timers import QueueTimers
from conversations.service_levels.queues import QueueWatch
from conversations.admin.workstreams import WorkstreamAdmin
from conversations.bots.media import BotMedia
from conversations.bots.relay import Bots
from conversations.customer_data.audit import AuditTrail
from conversations.customer_data.erasure import Erasure
from conversations.customer_data.exports import Exports
from conversations.customer_data.retention import Retention
from conversations.distribution.assignment import Assignments
from conversations.distribution.capacity import Capacity
from conversations.distribution.distributor import Distributor
from conversations.distribution.feed import Feed
from conversations.distribution.inboxes import Inboxes
from conversations.distribution.presence import Presence
from conversations.live.publisher import Publisher
from conversations.messaging.actions import AgentActions
from conversations.messaging.contact_cards import ContactCards
from conversations.messaging.contact_links import ContactLinks
from conversations.messaging.customer_contact import CustomerContact
from conversations.messaging.delivery import Delivery, Timing
from conversations.messaging.idempotency import Idempotency
from conversations.messaging.ingest import Ingest
from conversations.messaging.lookup import Lookup
from conversations.messaging.opening import Opener
from conversations.messaging.optouts import OptOuts
from conversations.messaging.outbox import Outbox
from conversations.messaging.read_receipts import ReadReceipting
from conversations.messaging.sweep import Sweep
from conversations.messaging.writer import Writer
from conversations.reports.facts_log import FactsLog
from conversations.reports.history import History
from conversations.reports.now import LiveFigures
from conversations.reports.scope import Reach
from conversations.reactions import Reactions
from core.clock import Clock
from core.ports import DirectLine, MediaFetcher, ReadReceipts, Realtime, Sender, TemplateSource, Telemetry
from core.records import Account
from core.telemetry import PROVIDER
from functions.settings import DEFAULT_AUTO_CLOSE_MINUTES, Settings
from functions.wiring.stores import Stores
from storage.purge import Purger

if TYPE_CHECKING:
    from functions.wiring import Watch


def status_callback(account: Account, base_url: str, message_id: str) -> str | None:
    return PROVIDERS[account.provider].status_callback(base_url, account.id, message_id)


@dataclass(frozen=True, kw_only=True)
class Distribution:
    """Who gets which conversation, the lists, and the one writer with its reactions."""

    lookup: Lookup
    writer: Writer
    reactions: Reactions
    capacity: Capacity
    distributor: Distributor
    assignments: Assignments
    presence: Presence
    inboxes: Inboxes
    feed: Feed
    search: Search
    customer_history: CustomerHistory
    retention: Retention
    facts: FactsLog
    queue_timers: QueueTimers
    publisher: Publisher
    realtime: Realtime | None  # Web PubSub, when configured (else workspaces long-poll the feed)


def build_distribution(settings: Settings, stores: Stores, phones: PhoneReader, clock: Clock, telemetry: Telemetry,
                       realtime: Realtime | None) -> Distribution:
    offline_after = timedelta(seconds=settings.agent_offline_after_seconds)
    lookup = Lookup(stores.threads, stores.workstreams)
    commit_timeout = timedelta(seconds=settings.commit_timeout_seconds)
    writer = Writer(stores.threads, stores.inbox, stores.timers, clock, commit_timeout)
    capacity = Capacity(stores.agent_states, clock)
    distributor = Distributor(stores.threads, writer, lookup, stores.agents, capacity, stores.inbox, stores.timers,
                              clock, offline_after)
    facts = FactsLog(reports=stores.reports, lookup=lookup, telemetry=telemetry, clock=clock)
    retention = Retention(stores.retention, stores.threads, stores.purge, stores.optouts, lookup,
                          settings.retention_max_days, clock, facts)
    publisher = Publisher(realtime, telemetry)
    queue_timers = QueueTimers(lookup=lookup, timers=stores.timers, clock=clock)
    reactions = Reactions(writer=writer, distributor=distributor, retention=retention, facts=facts,
                          queue_timers=queue_timers, publisher=publisher)
    presence = Presence(capacity=capacity, distributor=distributor, reactions=reactions, threads=stores.threads,
                        timers=stores.timers, clock=clock, offline_after=offline_after, publisher=publisher,
                        realtime=realtime, watch_every=timedelta(seconds=settings.agent_watch_seconds),
                        commit_timeout=commit_timeout)
    return Distribution(
        lookup=lookup, writer=writer, reactions=reactions, capacity=capacity, distributor=distributor,
        queue_timers=queue_timers,
        retention=retention, facts=facts, inboxes=Inboxes(stores.inbox),
        assignments=Assignments(writer=writer, reactions=reactions, lookup=lookup, agents=stores.agents,
                                capacity=capacity, clock=clock),
        presence=presence, feed=Feed(stores.inbox, stores.threads, presence), publisher=publisher, realtime=realtime,
        search=Search(inbox=stores.inbox, threads=stores.threads, labels=stores.labels, phones=phones),
        customer_history=CustomerHistory(inbox=stores.inbox, threads=stores.threads, contacts=stores.contacts),
    )


@dataclass(frozen=True, kw_only=True)
class Messaging:
    """A message in and a message out."""

    delivery: Delivery
    outbox: Outbox
    ingest: Ingest
    actions: AgentActions
    customer_contact: CustomerContact
    sweep: Sweep
    idempotency: Idempotency
    bots: Bots
    bot_media: BotMedia
    queues: QueueWatch
    notes: Notes
    reacting: Reacting


def build_messaging(settings: Settings, stores: Stores, phones: PhoneReader, work: Distribution,
                    providers: Providers, telemetry: Telemetry, clock: Clock) -> Messaging:
    common = {"writer": work.writer, "reactions": work.reactions, "clock": clock}
    optouts = OptOuts(threads=stores.threads, **common)
    timing = settings.outbox
    delivery = Delivery(
        threads=stores.threads, attempts=stores.attempts, accounts=stores.accounts, senders=providers.senders,
        queue=stores.queue, callback_url=status_callback, optouts=optouts, telemetry=telemetry, clock=clock,
        timing=Timing(timing.guard_seconds, timing.retry_seconds, timing.unknown_seconds, timing.max_attempts))
    outbox = Outbox(threads=stores.threads, deadlines=stores.deadlines, accounts=stores.accounts,
                    workstreams=stores.workstreams, lookup=work.lookup, opener=providers.opener, delivery=delivery,
                    assignments=work.assignments, catalogues=stores.templates, rates=stores.rates, **common)
    bot_media = BotMedia(stores.threads, stores.accounts, providers.media_fetchers, _link_key(settings), clock)
    queues = QueueWatch(threads=stores.threads, writer=work.writer, reactions=work.reactions, lookup=work.lookup,
                        inbox=stores.inbox, capacity=work.capacity, agents=stores.agents, outbox=outbox,
                        expected=ExpectedWait(days=Days(stores.reports), clock=clock), timers=stores.timers,
                        queue_timers=work.queue_timers, clock=clock,
                        offline_after=timedelta(seconds=settings.agent_offline_after_seconds),
                        base_url=settings.public_base_url)
    bots = Bots(threads=stores.threads, lookup=work.lookup, outbox=outbox, directline=providers.directline,
                timers=stores.timers, contacts=stores.contacts, media=bot_media, base_url=settings.public_base_url,
                queues=queues, **common)
    idempotency = Idempotency(stores.idempotency, stores.timers, clock, wait=settings.idempotency_wait_seconds,
                              lease=timedelta(seconds=settings.idempotency_lease_seconds))
    return Messaging(
        delivery=delivery, outbox=outbox, bots=bots, bot_media=bot_media, idempotency=idempotency, queues=queues,
        notes=Notes(lookup=work.lookup, agents=stores.agents, publisher=work.publisher, **common),
        reacting=Reacting(lookup=work.lookup, outbox=outbox, clock=clock),
        ingest=Ingest(threads=stores.threads, customer_reactions=stores.reactions, distributor=work.distributor,
                      deadlines=stores.deadlines,
                      lookup=work.lookup, opener=providers.opener, outbox=outbox, bots=bots, queues=queues,
                      telemetry=telemetry, **common),
        actions=AgentActions(accounts=stores.accounts, lookup=work.lookup, outbox=outbox,
                             media_fetchers=providers.media_fetchers,
                             labels=LabelCatalogue(labels=stores.labels, clock=clock),
                             cards=ContactCards(accounts=stores.accounts, fetchers=providers.media_fetchers,
                                                contents=stores.message_contents, clock=clock),
                             receipts=ReadReceipting(accounts=stores.accounts, receipts=providers.read_receipts,
                                                     telemetry=telemetry), **common),
        customer_contact=CustomerContact(contacts=ContactAdmin(stores.contacts, stores.directory, phones,
                                                               _contact_links(stores, work), clock),
                                         lookup=work.lookup, writer=work.writer, reactions=work.reactions),
        sweep=Sweep(threads=stores.threads, deadlines=stores.deadlines, lookup=work.lookup, outbox=outbox,
                    telemetry=telemetry, **common),
    )


@dataclass(frozen=True, kw_only=True)
class Providers:
    """The providers' adapters (channels/) and what opening a conversation needs of storage."""

    senders: Mapping[str, Sender]
    media_fetchers: Mapping[str, MediaFetcher]
    read_receipts: Mapping[str, ReadReceipts]
    directline: DirectLine
    opener: Opener
    templates: TemplateSource


def build_providers(settings: Settings, stores: Stores, watch: Watch, senders: Mapping[str, Sender] | None,
                    media_fetchers: Mapping[str, MediaFetcher] | None, directline: DirectLine | None) -> Providers:
    lazy = LazySenders({"twilio_api_base_url": settings.twilio_api_base_url,
                        "twilio_content_base_url": settings.twilio_content_base_url,
                        "telesign_api_base_url": settings.telesign_api_base_url})
    if senders is None:
        senders = lazy
        media_fetchers = lazy.limited_to(lambda p: p.fetches_media) if media_fetchers is None else media_fetchers
    return Providers(senders=senders, media_fetchers=media_fetchers or {},
                     read_receipts=lazy.limited_to(lambda p: p.marks_read),
                     directline=watch("directline", directline or DirectLineClient(settings.directline_base_url),
                                      PROVIDER),
                     opener=Opener(stores.contacts, stores.optouts, DEFAULT_AUTO_CLOSE_MINUTES),
                     templates=watch("templates", ProviderTemplates(settings.twilio_content_base_url), PROVIDER))


@dataclass(frozen=True, kw_only=True)
class Reporting:
    """Reports: live figures, and the history of finished days and today."""

    live: LiveFigures
    history: History


def build_reporting(stores: Stores, work: Distribution, clock: Clock) -> Reporting:
    reach = Reach(workstreams=stores.workstreams, agents=stores.agents, clock=clock)
    history = History(reports=stores.reports, reach=reach)
    return Reporting(history=history, live=LiveFigures(
        inbox=stores.inbox, capacity=work.capacity, agents=stores.agents, reach=reach, history=history, clock=clock,
        offline_after=work.presence.offline_after))


@dataclass(frozen=True, kw_only=True)
class CustomerData:
    """Retention, erasure, exports and the audit trail."""

    retention: Retention
    erasure: Erasure
    exports: Exports
    audit: AuditTrail
    purge: Purger


def build_customer_data(settings: Settings, stores: Stores, phones: PhoneReader, work: Distribution,
                        clock: Clock) -> CustomerData:
    return CustomerData(
        retention=work.retention, purge=stores.purge,
        erasure=Erasure(jobs=stores.erasures, purge=stores.purge, optouts=stores.optouts, accounts=stores.accounts,
                        capacity=work.capacity, digests=stores.hasher, facts=work.facts, phones=phones,
                        contacts=stores.contacts, links=_contact_links(stores, work), publisher=work.publisher,
                        clock=clock),
        audit=AuditTrail(stores.audit, settings.audit_retention_days, clock),
        exports=Exports(lookup=work.lookup, purge=stores.purge, optouts=stores.optouts, accounts=stores.accounts,
                        contacts=stores.contacts, phones=phones, digests=stores.hasher),
    )


@dataclass(frozen=True, kw_only=True)
class Admin:
    """What admins keep: accounts, workstreams, contacts, the agents directory, the skills
    catalogue, the labels, the accounts' synced templates and the rate table."""

    accounts: AccountAdmin
    workstreams: WorkstreamAdmin
    contacts: ContactAdmin
    directory: AgentDirectory
    skills: SkillCatalogue
    labels: LabelCatalogue
    templates: TemplateSync
    rates: RateAdmin


def build_admin(settings: Settings, stores: Stores, phones: PhoneReader, work: Distribution, providers: Providers,
                clock: Clock) -> Admin:
    skills = SkillCatalogue(skills=stores.skills, agents=stores.agents, workstreams=stores.workstreams, clock=clock)
    return Admin(
        accounts=AccountAdmin(stores.accounts, stores.directory, stores.workstreams, PROVIDERS, providers.senders,
                              phones, clock),
        workstreams=WorkstreamAdmin(stores.workstreams, stores.accounts, stores.directory,
                                    settings.auto_close_min_minutes, DEFAULT_AUTO_CLOSE_MINUTES, providers.directline,
                                    skills, phones, stores.templates, stores.inbox, clock),
        contacts=ContactAdmin(stores.contacts, stores.directory, phones, _contact_links(stores, work), clock),
        directory=AgentDirectory(agents=stores.agents, workstreams=stores.workstreams, distributor=work.distributor,
                                 reactions=work.reactions, publisher=work.publisher, skills=skills, clock=clock),
        skills=skills, labels=LabelCatalogue(labels=stores.labels, clock=clock),
        templates=TemplateSync(stores.accounts, stores.templates, providers.templates, clock,
                               AuditTrail(stores.audit, settings.audit_retention_days, clock)),
        rates=RateAdmin(stores.rates),
    )


def _contact_links(stores: Stores, work: Distribution) -> ContactLinks:
    return ContactLinks(inbox=stores.inbox, threads=stores.threads, writer=work.writer, reactions=work.reactions)


def _link_key(settings: Settings) -> bytes:
    """The key of bots' media links, derived from the sealing key (Sealer checked it is set)."""
    return hashlib.sha256(b"switchboard bot media links|" + settings.sealing_keys[0].encode()).digest()


