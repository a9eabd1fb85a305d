"""The local host's background threads (timers, queue triggers): started one per function,
stopped together, each given what is left of one shared timeout to finish."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

log = logging.getLogger(__name__)


class Workers:
    def __init__(self) -> None:
        self.stopping = threading.Event()  # set by stop(): loops end when they see it
        self._threads: list[threading.Thread] = []

    def start(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float) -> None:
        """Stop them; give running invocations up to ``timeout`` seconds in all to finish."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("%s still running at shutdown; abandoned", thread.name)
