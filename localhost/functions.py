"""Find the app's functions through azure-functions' own indexing.

`FunctionApp.get_functions()` is what the Python worker calls when the host
indexes a v2-model app: it applies the same defaults Azure does (route = the
function name, auth level = the app's `http_auth_level`) and rejects duplicate
names, so the local host sees exactly the functions Azure would.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.functions.decorators.core import Trigger
from azure.functions.decorators.http import HttpOutput, HttpTrigger
from azure.functions.decorators.queue import QueueTrigger
from azure.functions.decorators.timer import TimerTrigger

from localhost.schedule import Schedule

log = logging.getLogger(__name__)

CONTEXT_PARAM = "context"


class AppLoadError(RuntimeError):
    """The app cannot be imported or indexed."""


@dataclass
class Function:
    """What every supported function has: a name, a callable and its parameters."""

    name: str
    func: Callable[..., Any]
    trigger_arg: str
    wants_context: bool = field(init=False)
    unbound: list[str] = field(init=False)

    def __post_init__(self) -> None:
        params = inspect.signature(self.func).parameters
        self.wants_context = CONTEXT_PARAM in params
        provided = {self.trigger_arg, CONTEXT_PARAM, *self._extra_args()}
        self.unbound = [
            name
            for name, p in params.items()
            if name not in provided
            and p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def _extra_args(self) -> tuple[str, ...]:
        return ()


@dataclass
class HttpFunction(Function):
    route: str
    methods: frozenset[str] | None
    auth_level: str
    output_arg: str  # "$return", or the name of a func.Out[HttpResponse] parameter

    def _extra_args(self) -> tuple[str, ...]:
        return () if self.output_arg == "$return" else (self.output_arg,)


@dataclass
class TimerFunction(Function):
    schedule: Schedule
    run_on_startup: bool


@dataclass
class QueueFunction(Function):
    queue_name: str
    connection: str  # the app setting naming the storage account, as in Azure


@dataclass
class Discovered:
    http: list[HttpFunction]
    timers: list[TimerFunction]
    queues: list[QueueFunction]


def import_app(spec: str, script_root: Path) -> func.FunctionApp:
    """Import `module:attribute` from the script root, as the worker does."""
    module_name, _, attribute = spec.partition(":")
    attribute = attribute or "app"
    root = str(script_root)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise AppLoadError(f"no module {module_name!r} in {script_root}") from exc
        raise
    app = getattr(module, attribute, None)
    if not isinstance(app, func.FunctionApp):
        raise AppLoadError(
            f"{module_name}.{attribute} is not an azure.functions.FunctionApp (got {type(app).__name__})"
        )
    return app


def _value(enum_or_str: Any) -> str:
    return str(getattr(enum_or_str, "value", enum_or_str))


def discover(app: func.FunctionApp) -> Discovered:
    """Split the app's functions into HTTP, timer and queue functions; warn about the rest.

    Timer schedules are resolved here, so an undefined `%NAME%` stops startup.
    """
    http: list[HttpFunction] = []
    timers: list[TimerFunction] = []
    queues: list[QueueFunction] = []
    for function in app.get_functions():
        name = function.get_function_name() or function.get_user_function().__name__
        trigger = function.get_trigger()
        bindings = [b for b in function.get_bindings() if b is not trigger]
        found: Function
        if isinstance(trigger, HttpTrigger):
            found = _http_function(app, name, function.get_user_function(), trigger, bindings)
            http.append(found)
            bindings = [b for b in bindings if not isinstance(b, HttpOutput)]
        elif isinstance(trigger, TimerTrigger):
            found = _timer_function(name, function.get_user_function(), trigger)
            timers.append(found)
        elif isinstance(trigger, QueueTrigger):
            found = QueueFunction(name=name, func=function.get_user_function(), trigger_arg=trigger.name,
                                  queue_name=_setting(trigger.queue_name, name),
                                  connection=trigger.connection or "AzureWebJobsStorage")
            queues.append(found)
        else:
            kind = trigger.get_binding_name() if isinstance(trigger, Trigger) else type(trigger).__name__
            log.warning("function %s has a %s trigger, which the local host does not run; skipped", name, kind)
            continue
        if bindings or found.unbound:
            log.warning(
                "function %s uses bindings the local host does not provide (%s); it will fail when called",
                name,
                ", ".join([b.get_binding_name() for b in bindings] + found.unbound),
            )
    return Discovered(http, timers, queues)


def _setting(value: str, function: str) -> str:
    """A binding expression's %NAME% resolved from the environment, as the host does."""
    found = re.fullmatch(r"%([^%]+)%", value)
    if found is None:
        return value
    resolved = os.environ.get(found.group(1))
    if not resolved:
        raise AppLoadError(f"function {function!r}: {value} names the setting {found.group(1)}, which is not set")
    return resolved


def _http_function(app: func.FunctionApp, name: str, user_func: Callable[..., Any], trigger: HttpTrigger,
                   bindings: list[Any]) -> HttpFunction:
    outputs = [b for b in bindings if isinstance(b, HttpOutput)]
    return HttpFunction(
        name=name,
        func=user_func,
        trigger_arg=trigger.name,
        route=str(trigger.route).lstrip("/"),
        methods=frozenset(_value(m).upper() for m in trigger.methods) if trigger.methods else None,
        auth_level=_value(trigger.auth_level or app.auth_level).lower(),
        output_arg=outputs[0].name if outputs else "$return",
    )


def _timer_function(name: str, user_func: Callable[..., Any], trigger: TimerTrigger) -> TimerFunction:
    try:
        schedule = Schedule.parse(trigger.schedule)
    except ValueError as exc:
        raise AppLoadError(f"timer function {name!r}: {exc}") from exc
    return TimerFunction(name=name, func=user_func, trigger_arg=trigger.name, schedule=schedule,
                         run_on_startup=bool(trigger.run_on_startup))
