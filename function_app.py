"""Switchboard's Azure Functions app (v2 programming model): registers the blueprints."""

import azure.functions as func

from functions import acs, admin_api, agent_api, health, openapi, telesign, timers, twilio

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (health.bp, openapi.bp, admin_api.bp, agent_api.bp, twilio.bp, acs.bp, telesign.bp, timers.bp):
    app.register_functions(blueprint)
