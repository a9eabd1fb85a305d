"""The auto-close sweep, on the AUTO_CLOSE_SCHEDULE app setting (NCRONTAB, six fields)."""

from __future__ import annotations

import logging
import os

import azure.functions as func

from functions.http import services

# The local host resolves %AUTO_CLOSE_SCHEDULE% from this process's environment; in Azure
# the setting must exist in the app settings (infra/main.bicep sets it).
os.environ.setdefault("AUTO_CLOSE_SCHEDULE", "0 */5 * * * *")

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.timer_trigger(schedule="%AUTO_CLOSE_SCHEDULE%", arg_name="timer", run_on_startup=False)
def auto_close(timer: func.TimerRequest) -> None:
    if timer.past_due:
        log.info("auto-close sweep is running late")
    services().sweep.run(base_url=services().settings.public_base_url)
