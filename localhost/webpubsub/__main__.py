"""``python -m localhost.webpubsub --port P --key K [--event-handler URL]``: the Web PubSub
stand-in on 127.0.0.1:P (see the package's docstring). Logs go to standard output, which
``StandIn`` sends to a file like every other local service's."""

from __future__ import annotations

import argparse
import asyncio
import logging

from localhost.webpubsub.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m localhost.webpubsub", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="the port to listen on")
    parser.add_argument("--key", required=True, help="the access key: tokens must be signed with it")
    parser.add_argument("--event-handler", help="where to POST connected/disconnected events; may hold {hub}")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The access log would write every client's access_token (it is in the URL) to the log file.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    asyncio.run(serve(args.host, args.port, args.key, args.event_handler))


if __name__ == "__main__":
    main()
