"""Call a user function the way the Python worker does.

Sync functions run on the calling thread (the worker uses a thread pool);
`async def` functions all run on one long-lived event loop, like the worker's,
so clients that bind to a loop at first use (aiohttp sessions, async Azure
SDK clients kept in module globals) keep working across invocations.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import uuid
from pathlib import Path
from typing import Any, Generic, TypeVar

import azure.functions as func
from azure.functions._abc import TraceContext

from localhost.functions import CONTEXT_PARAM, Function

T = TypeVar("T")


class UnboundParameterError(RuntimeError):
    """The function needs a binding the local host cannot provide."""


class _TraceContext(TraceContext):
    @property
    def trace_state(self) -> str:
        return ""

    @property
    def trace_parent(self) -> str:
        return ""

    @property
    def attributes(self) -> dict[str, str]:
        return {}


class LocalContext(func.Context):
    """The `context` argument: enough for logging and correlation."""

    _thread_local = threading.local()

    def __init__(self, function_name: str, function_directory: Path) -> None:
        self._invocation_id = str(uuid.uuid4())
        self._function_name = function_name
        self._function_directory = str(function_directory)

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def thread_local_storage(self) -> Any:
        return self._thread_local

    @property
    def function_name(self) -> str:
        return self._function_name

    @property
    def function_directory(self) -> str:
        return self._function_directory

    @property
    def trace_context(self) -> TraceContext:
        return _TraceContext()

    @property
    def retry_context(self) -> Any:
        return None


class Out(func.Out[T], Generic[T]):
    """A settable output parameter (`func.Out[func.HttpResponse]`)."""

    def __init__(self) -> None:
        self._value: T | None = None

    def set(self, val: T) -> None:
        self._value = val

    def get(self) -> T:
        return self._value  # type: ignore[return-value]


class Invoker:
    """Runs functions; owns the event loop shared by all `async def` functions."""

    def __init__(self, script_root: Path) -> None:
        self._script_root = script_root
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="async-functions", daemon=True)
        self._thread.start()

    def invoke(self, function: Function, trigger_value: Any, extra: dict[str, Any] | None = None) -> Any:
        """Call `function` with its trigger argument (and `context`, extra args if declared)."""
        if function.unbound:
            raise UnboundParameterError(
                f"function {function.name} needs {', '.join(function.unbound)}, which the local host does not bind"
            )
        kwargs: dict[str, Any] = {function.trigger_arg: trigger_value, **(extra or {})}
        if function.wants_context:
            kwargs[CONTEXT_PARAM] = LocalContext(function.name, self._script_root)
        result = function.func(**kwargs)
        if inspect.isawaitable(result):
            return asyncio.run_coroutine_threadsafe(_await(result), self._loop).result()
        return result

    def close(self) -> None:
        """Stop the event loop; pending async invocations are abandoned."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()


async def _await(awaitable: Any) -> Any:
    return await awaitable
