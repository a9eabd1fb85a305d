"""`python -m localhost`: serve a v2-model function app without Core Tools.

Startup mirrors `func start`: load local.settings.json into the environment,
import the app from the script root, index its functions, then serve HTTP
functions under the host.json route prefix, run timer functions on their
schedules and queue functions on their queues until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Callable

from functions.settings import LOCAL_EASY_AUTH
from localhost.auth import local_key
from localhost.entra import LocalTenant
from localhost.functions import AppLoadError, Discovered, discover, import_app
from localhost.invoke import Invoker
from localhost.queues import QueueRunner, QueueSettings
from localhost.server import READY_LOG, STATUS_PATH, FunctionsServer, HostConfig, route_table
from localhost.settings import SettingsError, host_json, load_local_settings, route_prefix
from localhost.timers import TimerRunner

log = logging.getLogger("localhost")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localhost", description=__doc__)
    parser.add_argument("--app", default="function_app:app", help="module:attribute of the FunctionApp")
    parser.add_argument("--port", type=int, default=7071)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--script-root", type=Path, default=Path.cwd(), help="folder with the app and host.json")
    return parser.parse_args(argv)


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # The Azure SDK logs every request's headers at INFO; far too loud for a dev console.
    logging.getLogger("azure.core.pipeline.policies.http_logging_policy").setLevel(logging.WARNING)


def _load(app_spec: str, script_root: Path) -> tuple[str, Discovered]:
    """Settings, app and functions; raises AppLoadError/SettingsError with a readable message."""
    copied = load_local_settings(script_root)
    if copied:
        log.info("loaded %d setting(s) from local.settings.json", len(copied))
    prefix = route_prefix(script_root)
    app = import_app(app_spec, script_root)
    return prefix, discover(app)


def _announce(base_url: str, prefix: str, found: Discovered) -> None:
    lines = ["Functions:"]
    for function in found.http:
        methods = ",".join(sorted(function.methods)) if function.methods else "ANY"
        path = "/".join(p for p in (prefix, function.route) if p)
        lines.append(f"  {function.name}: [{methods}] {base_url}/{path} ({function.auth_level})")
    lines += [f"  {t.name}: timer {t.schedule.expression}" for t in found.timers]
    lines += [f"  {q.name}: queue {q.queue_name}" for q in found.queues]
    log.info("%s", "\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    _configure_logging()
    # The app trusts the principal headers this host's Easy Auth emulation puts in front of it.
    os.environ[LOCAL_EASY_AUTH] = "1"
    script_root = args.script_root.resolve()
    # Azure runs the worker with the app folder as working directory; relative paths must agree.
    os.chdir(script_root)
    try:
        prefix, found = _load(args.app, script_root)
        routes = route_table(found.http)
        queue_settings = QueueSettings.of(host_json(script_root))
    except (AppLoadError, SettingsError) as exc:
        log.error("cannot start: %s", exc)
        return 1
    except Exception:
        log.exception("cannot start: importing %s failed", args.app)
        return 1

    invoker = Invoker(script_root)
    config = HostConfig(routes=routes, route_prefix=prefix, key=local_key(), invoker=invoker,
                        tenant=LocalTenant.of(os.environ))
    try:
        server = FunctionsServer((args.host, args.port), config)
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", args.host, args.port, exc)
        invoker.close()
        return 1
    runners = [TimerRunner(found.timers, invoker), QueueRunner(found.queues, invoker, queue_settings)]
    _serve(server, runners, f"http://{args.host}:{server.server_address[1]}",
           lambda base_url: _announce(base_url, prefix, found))
    invoker.close()
    log.info("stopped")
    return 0


def _serve(server: FunctionsServer, runners: list[TimerRunner | QueueRunner], base_url: str,
           announce: Callable[[str], None]) -> None:
    """Serve HTTP and run the timers and queue functions until SIGINT or SIGTERM."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    announce(base_url)
    for runner in runners:
        runner.start()
    log.info("%s %s (status: %s%s)", READY_LOG, base_url, base_url, STATUS_PATH)
    stop.wait()
    server.shutdown()
    for runner in runners:
        runner.stop()
    server.server_close()


if __name__ == "__main__":
    sys.exit(main())
