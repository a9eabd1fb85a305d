"""The composition root, the one place that joins the layers: settings, storage, providers
and the domain services, built once per process on first use (so importing the app never
touches the network or loads a provider SDK).

What it builds is typed, one container per area, each made with keywords in the order its
parts need one another: the stores (storage adapters, each traced when telemetry is on),
then the distribution (with the writer every commit goes through, and the reactions to a
commit), messaging, bots, customers' data and the admins' services."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping, Sequence, TypeVar

from channels.acs import AcsWebhook
from channels.providers import PROVIDERS
from channels.telesign import TeleSignWebhook
from channels.twilio import TwilioWebhook
from conversations.admin.numbers import PhoneReader
from conversations.distribution.clockwork import Clockwork
from conversations.distribution.upgrade import InboxUpgrade
from conversations.service_levels.timer import ServiceLevelTimer
from core.clock import Clock, utcnow
from core.ports import DirectLine, MediaFetcher, Realtime, Sender, Telemetry
from core.providers import ProviderSpec
from core.telemetry import PROVIDER, STORAGE, NoTelemetry
from core.webhooks import ACS, TELESIGN, TWILIO_INBOUND, TWILIO_STATUS, Webhook
from functions.settings import Settings
from functions.wiring.areas import (
    Admin, CustomerData, Distribution, Messaging, Reporting, build_admin, build_customer_data, build_distribution,
    build_messaging, build_providers, build_reporting,
)
from functions.wiring.stores import Stores, build_stores
from storage.client import RequestHook

if TYPE_CHECKING:
    from channels.entra import EntraVerifier

T = TypeVar("T")


def telemetry_for(settings: Settings) -> Telemetry:
    """Application Insights when its connection string is set (the distro and
    OpenTelemetry load then, once per process); otherwise nothing is recorded."""
    if not settings.monitor_connection_string:
        return NoTelemetry()
    from telemetry.monitor import azure_monitor

    return azure_monitor(settings.monitor_connection_string, settings.monitor_authentication)


def realtime_for(settings: Settings) -> Realtime | None:
    """Azure Web PubSub when it is configured (its SDK loads then); otherwise None: no
    push, and workspaces long-poll the change feed."""
    found = settings.realtime
    if not found.enabled:
        return None
    from push.webpubsub import WebPubSub

    return WebPubSub.connect(found.hub, connection_string=found.connection_string, endpoint=found.endpoint)


class Watch:
    """Storage and provider adapters as the services are given them: each call in a span
    (``storage.<name>.<method>``, or ``provider.``) when telemetry is on. Typed as what it
    wraps, so editors and type checkers see the adapter's own methods."""

    def __init__(self, telemetry: Telemetry) -> None:
        self._telemetry = None if isinstance(telemetry, NoTelemetry) else telemetry

    def __call__(self, name: str, adapter: T, kind: str = STORAGE) -> T:
        if self._telemetry is None:
            return adapter
        from telemetry.traced import Traced

        return Traced(adapter, f"{kind}.{name}", self._telemetry)  # type: ignore[return-value] - a proxy of T


@dataclass(frozen=True, kw_only=True)
class Services:
    """Everything a function needs, by area."""

    settings: Settings
    telemetry: Telemetry
    stores: Stores
    distribution: Distribution
    messaging: Messaging
    customer_data: CustomerData
    reporting: Reporting
    admin: Admin
    clockwork: Clockwork  # the distribution timer: the timers table's due rows, every area's
    webhooks: Mapping[str, Webhook]  # the providers' webhook adapters, by core.webhooks.ROUTES' names
    phones: PhoneReader  # the one reader of typed numbers (national ones of PHONE_REGION), every area's
    providers: Mapping[str, ProviderSpec] = field(default_factory=lambda: PROVIDERS)  # channels, credentials, URLs


def build_webhooks(settings: Settings) -> dict[str, Webhook]:
    @functools.cache
    def entra() -> EntraVerifier:
        """The Entra token check for Event Grid deliveries (loads PyJWT on first use)."""
        from channels.entra import EntraVerifier

        return EntraVerifier(settings.entra_authority_host)

    return {TWILIO_INBOUND: TwilioWebhook(), TWILIO_STATUS: TwilioWebhook(status=True), TELESIGN: TeleSignWebhook(),
            ACS: AcsWebhook(entra)}


def build(settings: Settings, *, request_hooks: Sequence[RequestHook] = (), clock: Clock = utcnow,
          senders: Mapping[str, Sender] | None = None, media_fetchers: Mapping[str, MediaFetcher] | None = None,
          telemetry: Telemetry | None = None, queue_hooks: Sequence[RequestHook] = (),
          directline: DirectLine | None = None, realtime: Realtime | None = None) -> Services:
    telemetry = telemetry or telemetry_for(settings)
    watch = Watch(telemetry)
    stores = build_stores(settings, watch, request_hooks, queue_hooks)
    providers = build_providers(settings, stores, watch, senders, media_fetchers, directline)
    phones = PhoneReader(settings.phone_region)  # an unknown PHONE_REGION stops the build here
    realtime = realtime if realtime is not None else realtime_for(settings)
    work = build_distribution(settings, stores, phones, clock, telemetry,
                              watch("webpubsub", realtime, PROVIDER) if realtime else None)
    messaging = build_messaging(settings, stores, phones, work, providers, telemetry, clock)
    clockwork = Clockwork(timers=stores.timers, writer=work.writer, distributor=work.distributor,
                          reactions=work.reactions, presence=work.presence, idempotency=messaging.idempotency,
                          bots=messaging.bots, clock=clock,
                          service_levels=ServiceLevelTimer(threads=stores.threads, writer=work.writer,
                                                           reactions=work.reactions, publisher=work.publisher,
                                                           timers=stores.timers, telemetry=telemetry, clock=clock),
                          queues=messaging.queues,
                          upgrade=InboxUpgrade(earlier=stores.earlier_inbox, places=stores.relocation,
                                               writer=work.writer,
                                               workstreams=stores.workstreams))
    return Services(settings=settings, telemetry=telemetry, stores=stores, distribution=work, messaging=messaging,
                    customer_data=build_customer_data(settings, stores, phones, work, clock),
                    reporting=build_reporting(stores, work, clock),
                    admin=build_admin(settings, stores, phones, work, providers, clock), clockwork=clockwork,
                    webhooks=build_webhooks(settings), phones=phones)


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
