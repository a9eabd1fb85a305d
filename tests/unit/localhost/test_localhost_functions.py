"""Indexing an app with azure-functions' own get_functions(), and invoking its functions."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import azure.functions as func
import pytest

from localhost.functions import AppLoadError, discover, import_app
from localhost.invoke import Invoker, Out, UnboundParameterError


@pytest.fixture
def invoker() -> Iterator[Invoker]:
    runner = Invoker(Path.cwd())
    yield runner
    runner.close()


def test_http_defaults_follow_azure() -> None:
    app = func.FunctionApp()  # default auth level: FUNCTION

    @app.route()
    def health(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("ok")

    @app.function_name("renamed")
    @app.route(
        route="/things/{id}", trigger_arg_name="request", methods=["get", "POST"], auth_level="ANONYMOUS"
    )
    def things(request: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("ok")

    found = discover(app)
    http, timers = found.http, found.timers
    assert timers == []
    by_name = {f.name: f for f in http}
    assert by_name["health"].route == "health"
    assert by_name["health"].methods is None
    assert by_name["health"].auth_level == "function"
    assert by_name["health"].trigger_arg == "req"
    assert by_name["renamed"].route == "things/{id}"
    assert by_name["renamed"].methods == {"GET", "POST"}
    assert by_name["renamed"].auth_level == "anonymous"
    assert by_name["renamed"].trigger_arg == "request"


def test_blueprints_and_app_auth_level() -> None:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    bp = func.Blueprint()

    @bp.route(route="bp")
    def from_blueprint(req: func.HttpRequest) -> str:
        return "bp"

    app.register_functions(bp)
    (function,) = discover(app).http
    assert (function.name, function.auth_level) == ("from_blueprint", "anonymous")


def test_timer_schedule_resolved_at_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    app = func.FunctionApp()
    monkeypatch.setenv("EVERY", "*/5")

    @app.timer_trigger(arg_name="t", schedule="0 %EVERY% * * * *", run_on_startup=True)
    def tick(t: func.TimerRequest) -> None:
        pass

    (timer,) = discover(app).timers
    assert timer.schedule.expression == "0 */5 * * * *"
    assert timer.run_on_startup is True
    assert timer.trigger_arg == "t"


def test_undefined_schedule_setting_stops_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    app = func.FunctionApp()
    monkeypatch.delenv("NOT_DEFINED_ANYWHERE", raising=False)

    @app.timer_trigger(arg_name="t", schedule="%NOT_DEFINED_ANYWHERE%")
    def tick(t: func.TimerRequest) -> None:
        pass

    with pytest.raises(AppLoadError, match=r"tick.*NOT_DEFINED_ANYWHERE"):
        discover(app)


def test_unsupported_triggers_and_bindings_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    app = func.FunctionApp()

    @app.blob_trigger(arg_name="blob", path="c/{name}", connection="AzureWebJobsStorage")
    def on_blob(blob: func.InputStream) -> None:
        pass

    @app.queue_trigger(arg_name="msg", queue_name="q", connection="AzureWebJobsStorage")
    def on_queue(msg: func.QueueMessage) -> None:
        pass

    @app.route(route="with-table")
    @app.table_input(arg_name="rows", table_name="t", connection="AzureWebJobsStorage")
    def with_table(req: func.HttpRequest, rows: str) -> str:
        return rows

    with caplog.at_level(logging.WARNING):
        found = discover(app)
    assert [f.name for f in found.http] == ["with_table"] and [(q.name, q.queue_name) for q in found.queues] == [
        ("on_queue", "q")]
    assert found.http[0].unbound == ["rows"]
    assert "on_blob" in caplog.text and "with_table" in caplog.text and "on_queue" not in caplog.text


def test_import_app_errors(tmp_path: Path) -> None:
    (tmp_path / "not_an_app.py").write_text("app = 42\n")
    with pytest.raises(AppLoadError, match="no module"):
        import_app("missing_module_for_test", tmp_path)
    with pytest.raises(AppLoadError, match=r"not an azure\.functions\.FunctionApp"):
        import_app("not_an_app:app", tmp_path)


def test_invoke_sync_with_context(invoker: Invoker) -> None:
    app = func.FunctionApp()

    @app.route(route="ctx")
    def ctx(req: func.HttpRequest, context: func.Context) -> str:
        return f"{context.function_name}:{bool(context.invocation_id)}:{req.method}"

    (function,) = discover(app).http
    request = func.HttpRequest("GET", "http://h/api/ctx", body=b"")
    assert invoker.invoke(function, request) == "ctx:True:GET"


def test_async_functions_share_one_event_loop(invoker: Invoker) -> None:
    app = func.FunctionApp()
    loops: list[asyncio.AbstractEventLoop] = []

    @app.route(route="a")
    async def a(req: func.HttpRequest) -> str:
        await asyncio.sleep(0)
        loops.append(asyncio.get_running_loop())
        return "async"

    (function,) = discover(app).http
    request = func.HttpRequest("GET", "http://h/api/a", body=b"")
    results = []
    threads = [threading.Thread(target=lambda: results.append(invoker.invoke(function, request))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["async"] * 3
    assert len(set(map(id, loops))) == 1


def test_out_parameter_http_output(invoker: Invoker) -> None:
    app = func.FunctionApp()

    @app.function_name("out_fn")
    @app.route(route="out", binding_arg_name="res")
    def out_fn(req: func.HttpRequest, res: func.Out[func.HttpResponse]) -> None:
        res.set(func.HttpResponse("via out"))

    (function,) = discover(app).http
    assert function.output_arg == "res"
    assert function.unbound == []
    out: Out[func.HttpResponse] = Out()
    invoker.invoke(function, func.HttpRequest("GET", "http://h/", body=b""), {"res": out})
    assert out.get().get_body() == b"via out"


def test_unbound_parameter_fails_the_call(invoker: Invoker) -> None:
    app = func.FunctionApp()

    @app.route(route="x")
    @app.table_input(arg_name="rows", table_name="t", connection="AzureWebJobsStorage")
    def needs_rows(req: func.HttpRequest, rows: str) -> str:
        return rows

    (function,) = discover(app).http
    with pytest.raises(UnboundParameterError, match="rows"):
        invoker.invoke(function, func.HttpRequest("GET", "http://h/", body=b""))
