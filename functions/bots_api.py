"""What a workstream's bot calls back: a customer's attachment at the signed link its
message activity carried (conversations/bots/media.py). No sign-in: the link is the key,
so this path is public in front of the app (infra/main.bicep publicPaths)."""

from __future__ import annotations

import azure.functions as func

from core.media import UNKNOWN_MEDIA_TYPE, media_type
from functions.http import API_HEADERS, handled, services

bp = func.Blueprint()


@bp.route(route="api/bots/media/{id}/{seq:int}/{index:int}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def bot_media(req: func.HttpRequest) -> func.HttpResponse:
    params = req.route_params
    fetched = services().messaging.bot_media.fetch(params["id"], int(params["seq"]), int(params["index"]),
                                         req.params.get("expires", ""), req.params.get("sig", ""))
    content_type = media_type(fetched.content_type) or UNKNOWN_MEDIA_TYPE
    return func.HttpResponse(b"".join(fetched.chunks), status_code=200, mimetype=content_type,
                             headers={**API_HEADERS, "Cache-Control": "private, no-store"})
