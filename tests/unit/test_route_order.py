"""Azure gives a request to the first HTTP function, in name order (localhost/routes.py),
whose route and method match: a catch-all must sort after every other HTTP function, or
it would take their requests (the web function's {*path} would answer GET /api/health)."""

from localhost.routes import route_order
from tests.support.app import indexed


def test_catch_all_routes_come_after_every_other_http_function() -> None:
    ordered = sorted(indexed().http, key=lambda function: route_order(function.name))
    first = next(i for i, function in enumerate(ordered) if "{*" in function.route)
    shadowed = [function.name for function in ordered[first:] if "{*" not in function.route]
    assert not shadowed, f"{ordered[first].name} ({ordered[first].route}) sorts before {shadowed}: rename one"
    assert ordered[-1].name == "zz_web" and ordered[-1].route == "{*path}"
