"""TeleSign callbacks (anonymous: the TSA signature in the Authorization header is the
lock): inbound SMS and delivery reports come to one URL, run by the one recipe
(functions/webhooks.py) with TeleSign's adapter (channels/telesign.py). TeleSign retries
anything but a 200, so a notification we do not use is answered 200 and logged; what no
retry could mend is refused all the same, to be seen (a bad signature 401, a body that
is not TeleSign's 400, an account or a number that is not ours 404)."""

from __future__ import annotations

import azure.functions as func

from core.webhooks import ROUTES, TELESIGN
from functions.http import webhook
from functions.webhooks import run

bp = func.Blueprint()


@bp.route(route=ROUTES[TELESIGN], methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@webhook("telesign")
def telesign_callback(req: func.HttpRequest) -> func.HttpResponse:
    run(req, TELESIGN)
    return func.HttpResponse(status_code=200)
