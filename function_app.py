"""Switchboard's Azure Functions app (v2 programming model): registers the blueprints."""

import azure.functions as func

from functions import (acs, admin_api, annotations_api, bots_api, conversations_api, customers_api, data_api, health,
                       live_api, openapi, outbound, outbox_worker, people_api, reports_api, telesign, timers, twilio, web)

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

BLUEPRINTS = (health, openapi, admin_api, people_api, live_api, conversations_api, annotations_api, customers_api,
              bots_api, data_api, reports_api, outbound, twilio, acs, telesign, timers, outbox_worker, web)

for blueprint in (module.bp for module in BLUEPRINTS):
    app.register_functions(blueprint)
