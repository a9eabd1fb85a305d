"""The storage adapters (storage/) the services are given, each traced when telemetry is on."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from functions.settings import Settings
from storage.accounts import AccountStore
from storage.agent_states import AgentStateStore
from storage.agents import AgentStore
from storage.attempts import AttemptStore
from storage.audit import AuditStore
from storage.client import RequestHook, TableStorage, build_service_client
from storage.contacts import ContactStore
from storage.deadlines import DeadlineStore
from storage.directory import Directory
from storage.earlier_inbox import EarlierInbox
from storage.erasures import ErasureStore
from storage.idempotency import IdempotencyStore
from storage.inbox import InboxStore
from storage.labels import LabelStore
from storage.message_content import MessageContentStore
from storage.optouts import OptOutStore
from storage.outqueue import OutboxQueue, build_queue_service
from storage.purge import Purger
from storage.rates import RateStore
from storage.reactions import ReactionStore
from storage.relocation import NAME as RELOCATION, Relocation
from storage.reports import ReportTable
from storage.sealing import Hasher, Sealer
from storage.skills import SkillStore
from storage.templates import TemplateStore
from storage.threads import ThreadStore
from storage.upgrades import Upgrade
from storage.workstreams import WorkstreamStore

if TYPE_CHECKING:
    from functions.wiring import Watch


@dataclass(frozen=True, kw_only=True)
class Stores:
    """The storage adapters (storage/), each traced when telemetry is on."""

    storage: TableStorage
    accounts: AccountStore
    workstreams: WorkstreamStore
    contacts: ContactStore
    directory: Directory
    threads: ThreadStore
    reactions: ReactionStore
    message_contents: MessageContentStore
    attempts: AttemptStore
    deadlines: DeadlineStore
    timers: DeadlineStore
    inbox: InboxStore
    earlier_inbox: EarlierInbox
    relocation: Relocation
    agents: AgentStore
    agent_states: AgentStateStore
    idempotency: IdempotencyStore
    optouts: OptOutStore
    queue: OutboxQueue
    purge: Purger
    retention: DeadlineStore
    erasures: ErasureStore
    audit: AuditStore
    reports: ReportTable
    skills: SkillStore
    labels: LabelStore
    templates: TemplateStore
    rates: RateStore
    sealer: Sealer
    hasher: Hasher


def build_stores(settings: Settings, watch: Watch, request_hooks: Sequence[RequestHook] = (),
                 queue_hooks: Sequence[RequestHook] = ()) -> Stores:
    storage = TableStorage(build_service_client(settings.storage_connection_string, settings.tables_endpoint,
                                                request_hooks), settings.table_prefix)
    sealer, hasher = Sealer(settings.sealing_keys), Hasher(settings.sealing_keys)
    directory = watch("directory", Directory(storage))
    relocated = Upgrade(storage, RELOCATION)  # one per process: asked whether it is done until it is
    relocation = Relocation(storage, relocated)
    queue_service = functools.partial(build_queue_service, settings.storage_connection_string,
                                      settings.queues_endpoint, queue_hooks)
    return Stores(
        storage=storage, sealer=sealer, hasher=hasher, directory=directory,
        accounts=watch("accounts", AccountStore(storage, sealer)),
        workstreams=watch("workstreams", WorkstreamStore(storage, directory, sealer)),
        contacts=watch("contacts", ContactStore(storage, directory)), threads=watch("threads", ThreadStore(storage)),
        reactions=watch("reactions", ReactionStore(storage)),
        message_contents=watch("message_contents", MessageContentStore(storage)),
        attempts=watch("attempts", AttemptStore(storage)),
        deadlines=watch("deadlines", DeadlineStore(storage)),
        timers=watch("timers", DeadlineStore(storage, "timers")), inbox=watch("inbox", InboxStore(storage, relocated)),
        earlier_inbox=watch("inbox", EarlierInbox(storage)), relocation=watch("inbox", relocation),
        agents=watch("agents", AgentStore(storage)), agent_states=watch("agentstates", AgentStateStore(storage)),
        idempotency=watch("idempotency", IdempotencyStore(storage)),
        optouts=watch("optouts", OptOutStore(storage, hasher)),
        queue=watch("queue", OutboxQueue(queue_service, settings.outbox.queue)), purge=watch("purge", Purger(storage, relocation)),
        retention=watch("retention", DeadlineStore(storage, "retention")),
        erasures=watch("erasures", ErasureStore(storage, sealer)), audit=watch("audit", AuditStore(storage)),
        reports=watch("reports", ReportTable(storage, relocation)), skills=watch("skills", SkillStore(storage)),
        labels=watch("labels", LabelStore(storage)), templates=watch("templates", TemplateStore(storage)),
        rates=watch("rates", RateStore(storage)),
    )


