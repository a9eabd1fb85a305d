"""A local stand-in for Azure Web PubSub, as Azurite is one for storage: no emulator of the
service can be installed here, and the app's live updates need something real to talk to.

It speaks the service's published protocols, so the official SDKs work against it unchanged:

- the data-plane REST API (``/api/hubs/{hub}/...``, api-version 2024-12-01), each call
  authenticated as the service does it: ``Authorization: Bearer <JWT>`` signed HS256 with the
  access key, its ``aud`` the request's URL and an ``exp`` (see ``rest.py``);
- client WebSockets at ``/client/hubs/{hub}?access_token=<JWT>``, with the subprotocol
  ``json.webpubsub.azure.v1`` (see ``client.py``);
- the event handler's CloudEvents webhook calls for ``connected`` and ``disconnected``, after
  the abuse-protection handshake (see ``events.py``).

Deliberate differences, each because supporting it would be untested weight here: no OData
``filter`` (refused with 400 rather than ignored, which would deliver to the wrong clients), no
permissions API, no listing of a group's connections, no ``connect`` or user events upstream,
and only PubSub clients: a WebSocket without the JSON subprotocol is refused.

Test controls live under ``/_standin/``, a prefix the service does not have, so nothing that
talks to the real service can depend on them (see ``controls.py``): the recorded REST calls
(``GET``/``DELETE /_standin/calls``), the live connections (``GET /_standin/connections``),
the event handler's URL (``PUT /_standin/event-handler``), and a simulated outage
(``PUT``/``DELETE /_standin/outage``).

Run it with ``python -m localhost.webpubsub --port P --key K [--event-handler URL]``, or from
Python and the tests with ``localhost.webpubsub.process.StandIn``.
"""

API_VERSION = "2024-12-01"
SUBPROTOCOL = "json.webpubsub.azure.v1"
READY = "webpubsub stand-in ready on"  # the line StandIn waits for, followed by the endpoint
