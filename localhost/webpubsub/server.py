"""The stand-in's aiohttp application, and serving it until SIGTERM or SIGINT.

Middlewares, outermost first: the test controls' recorder and outage (so a refused call is
recorded too), then the REST API's authentication.
"""

from __future__ import annotations

import asyncio
import signal

from aiohttp import WSCloseCode, web

from localhost.webpubsub import READY, client, controls, rest, tokens
from localhost.webpubsub.events import EVENTS, EventHandler
from localhost.webpubsub.hub import HUBS, Hubs


def make_app(key: str, origin: str, event_handler: str | None) -> web.Application:
    """The stand-in for one access key; ``origin`` (host:port) is how it names itself to the
    event handler."""
    app = web.Application(middlewares=[controls.front, rest.authenticate])
    app[tokens.ACCESS_KEY] = key
    app[HUBS] = Hubs()
    app[EVENTS] = EventHandler(event_handler, key, origin)
    app[controls.RECORD] = controls.Record()
    app.add_routes(rest.routes)
    app.add_routes(client.routes)
    app.add_routes(controls.routes)
    app.on_shutdown.append(_close_sockets)
    app.on_cleanup.append(_close_events)
    return app


async def serve(host: str, port: int, key: str, event_handler: str | None) -> None:
    """Serve until told to stop; print the ready line once listening."""
    runner = web.AppRunner(make_app(key, f"{host}:{port}", event_handler))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    print(f"{READY} http://{host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


async def _close_sockets(app: web.Application) -> None:
    """Stopping: close every client as a restarting service would ("going away")."""
    sockets = [c.socket for hub in app[HUBS].values() for c in hub.connections.values()]
    await asyncio.gather(*(s.close(code=WSCloseCode.GOING_AWAY, message=b"the stand-in is stopping") for s in sockets))


async def _close_events(app: web.Application) -> None:
    await app[EVENTS].close()
