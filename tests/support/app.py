"""The app's functions, indexed once per test process: azure-functions keeps the names it
has seen and refuses to index the same FunctionApp twice."""

from __future__ import annotations

from functools import cache

import function_app
from localhost.functions import Discovered, discover


@cache
def indexed() -> Discovered:
    return discover(function_app.app)
