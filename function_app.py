"""Switchboard's Azure Functions app (v2 programming model): registers the blueprints."""

import azure.functions as func

from functions import admin_api, agent_api, health, telesign, timers, twilio

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (health.bp, admin_api.bp, agent_api.bp, twilio.bp, telesign.bp, timers.bp):
    app.register_functions(blueprint)
