"""The timers: the auto-close sweep (AUTO_CLOSE_SCHEDULE), the distribution's timers
(DISTRIBUTION_SCHEDULE: offers that lapse, agents' watches, unfinished moves) and the
customer-data timer (RETENTION_SCHEDULE: conversations past their retention, expired
audit entries, erasures an outage left unfinished) and the template sync
(TEMPLATE_SYNC_SCHEDULE: every WhatsApp account's templates from its provider), each an
NCRONTAB schedule of six fields. All but the last read only what is due."""

from __future__ import annotations

import logging
import os

import azure.functions as func

from functions.http import services
from functions.tracing import invocation

# The local host resolves %NAME% from this process's environment; in Azure the settings
# must exist in the app settings (infra/main.bicep sets them).
os.environ.setdefault("AUTO_CLOSE_SCHEDULE", "0 */5 * * * *")
os.environ.setdefault("DISTRIBUTION_SCHEDULE", "*/10 * * * * *")
os.environ.setdefault("RETENTION_SCHEDULE", "0 */15 * * * *")
os.environ.setdefault("TEMPLATE_SYNC_SCHEDULE", "0 0 */6 * * *")

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.timer_trigger(schedule="%AUTO_CLOSE_SCHEDULE%", arg_name="timer", run_on_startup=False)
def auto_close(timer: func.TimerRequest) -> None:
    with invocation("auto_close", "timer"):
        if timer.past_due:
            log.info("auto-close sweep is running late")
        services().messaging.sweep.run(base_url=services().settings.public_base_url)


@bp.timer_trigger(schedule="%DISTRIBUTION_SCHEDULE%", arg_name="timer", run_on_startup=False)
def distribution(timer: func.TimerRequest) -> None:
    """Also measures the outbox (its depth and oldest job) for operators, every run."""
    with invocation("distribution", "timer"):
        if timer.past_due:
            log.info("distribution timer is running late")
        services().clockwork.run()
        services().messaging.delivery.measure()


@bp.timer_trigger(schedule="%RETENTION_SCHEDULE%", arg_name="timer", run_on_startup=False)
def customer_data(timer: func.TimerRequest) -> None:
    with invocation("customer_data", "timer"):
        if timer.past_due:
            log.info("customer-data timer is running late")
        services().customer_data.retention.run()
        services().customer_data.audit.expire()
        services().customer_data.erasure.resume()


@bp.timer_trigger(schedule="%TEMPLATE_SYNC_SCHEDULE%", arg_name="timer", run_on_startup=False)
def template_sync(timer: func.TimerRequest) -> None:
    with invocation("template_sync", "timer"):
        if timer.past_due:
            log.info("template sync is running late")
        log.info("templates synced for %d account(s)", services().admin.templates.sync_all())
