"""A span around each call of a port adapter: ``storage.threads.read_head`` and so on.
The span carries the name alone: a call's arguments may hold a phone number or a text."""

from __future__ import annotations

import functools
from typing import Any

from core.ports import Telemetry


class Traced:
    """Stands for ``target``: its methods, each in a span ``<prefix>.<method>``."""

    def __init__(self, target: Any, prefix: str, telemetry: Telemetry) -> None:
        self._target, self._prefix, self._telemetry = target, prefix, telemetry

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name.startswith("_") or not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._telemetry.span(f"{self._prefix}.{name}"):
                return attribute(*args, **kwargs)

        return call
