"""Route templates and route lookup, checked against how Azure routes requests."""

from __future__ import annotations

import pytest

from localhost.routes import Route, RouteTable, RouteTemplate, RouteTemplateError, route_order

GUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("hello", "hello", {}),
        ("hello", "HELLO", {}),
        ("hello", "hello/", {}),
        ("hello", "hello/x", None),
        ("items/{id}", "items/abc", {"id": "abc"}),
        ("items/{id}", "items", None),
        ("Items/{Id}", "items/MiXed", {"Id": "MiXed"}),
        ("items/{id:int}", "items/42", {"id": "42"}),
        ("items/{id:int}", "items/-7", {"id": "-7"}),
        ("items/{id:int}", "items/4x", None),
        ("items/{id:int}", "items/99999999999", None),
        ("items/{id:long}", "items/99999999999", {"id": "99999999999"}),
        ("g/{id:guid}", f"g/{GUID}", {"id": GUID}),
        ("g/{id:guid}", "g/3f2504e04f8911d39a0c0305e82c3301", {"id": "3f2504e04f8911d39a0c0305e82c3301"}),
        ("g/{id:guid}", f"g/({GUID})", {"id": f"({GUID})"}),
        ("g/{id:guid}", f"g/{{{GUID})", None),
        ("g/{id:guid}", f"g/%7B{GUID}%7D", {"id": f"{{{GUID}}}"}),
        ("g/{id:guid}", "g/not-a-guid", None),
        ("n/{name:alpha}", "n/Ada", {"name": "Ada"}),
        ("n/{name:alpha}", "n/Ada1", None),
        ("b/{flag:bool}", "b/TRUE", {"flag": "TRUE"}),
        ("b/{flag:bool}", "b/yes", None),
        ("x/{v:regex(^a+$)}", "x/anything", {"v": "anything"}),  # unknown constraints are not checked
        ("x/{v:minlength(3)}", "x/ab", {"v": "ab"}),
        ("opt/{id?}", "opt", {}),
        ("opt/{id?}", "opt/", {}),
        ("opt/{id?}", "opt/5", {"id": "5"}),
        ("opt/{id:int?}", "opt/five", None),
        ("def/{lang=en}", "def", {"lang": "en"}),
        ("def/{lang=en}", "def/fr", {"lang": "fr"}),
        ("files/{*rest}", "files", {}),
        ("files/{*rest}", "files/a/b/c.txt", {"rest": "a/b/c.txt"}),
        ("files/{**rest}", "files/a/b", {"rest": "a/b"}),
        ("files/{*rest}", "filesx/a", None),
        ("docs/{name}.{ext}", "docs/report.pdf", {"name": "report", "ext": "pdf"}),
        ("q/{word}", "q/hello%20world", {"word": "hello world"}),
        ("q/{word}", "q/a%2Fb", {"word": "a/b"}),
        ("", "", {}),
        ("", "x", None),
        ("/leading/slash", "leading/slash", {}),
    ],
)
def test_template_matching(template: str, path: str, expected: dict[str, str] | None) -> None:
    assert RouteTemplate(template).match(path) == expected


@pytest.mark.parametrize(
    "template",
    ["a/{*rest}/b", "a/{id", "a/x}", "a/{}", "a/{x}-{y?}", "a/{id}/{ID}", "a/{1bad}"],
)
def test_invalid_templates_are_rejected(template: str) -> None:
    with pytest.raises(RouteTemplateError):
        RouteTemplate(template)


def _table(*specs: tuple[str, list[str] | None, str]) -> RouteTable:
    return RouteTable(
        [Route(RouteTemplate(t), frozenset(m) if m is not None else None, name) for t, m, name in specs]
    )


def test_the_first_matching_route_wins_not_the_most_specific() -> None:
    """Azure's router has no specificity precedence: a catch-all listed first takes the literal's path."""
    table = _table(("items/{*rest}", None, "rest"), ("items/new", ["GET"], "new"), ("items/{id:int}", ["GET"], "int"))
    for path in ["items/new", "items/5", "items/a/b"]:
        match = table.lookup("GET", path)
        assert match is not None and match.route is not None
        assert match.route.target == "rest", path


def test_a_failed_constraint_or_method_lets_a_later_route_match() -> None:
    table = _table(
        ("items/{id:int}", ["GET"], "int"),
        ("items/{name}", ["POST"], "post"),
        ("items/{name}", ["GET"], "name"),
        ("items/{*rest}", None, "rest"),
    )
    for path, target in [("items/5", "int"), ("items/five", "name"), ("items/a/b", "rest")]:
        match = table.lookup("GET", path)
        assert match is not None and match.route is not None
        assert match.route.target == target, path


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["web", "Health", "api_x"], ["api_x", "Health", "web"]),
        # Ordinal on upper case, as .NET's OrdinalIgnoreCase: "_" sorts after the letters.
        (["get_b", "getb", "GETA"], ["GETA", "getb", "get_b"]),
    ],
)
def test_route_order_is_the_function_name_ordinal_ignoring_case(names: list[str], expected: list[str]) -> None:
    assert sorted(names, key=route_order) == expected


def test_same_template_different_methods_reach_different_functions() -> None:
    table = _table(("items/{id:int}", ["GET"], "get"), ("items/{id:int}", ["DELETE"], "delete"))
    for method, target in [("GET", "get"), ("DELETE", "delete")]:
        match = table.lookup(method, "items/1")
        assert match is not None and match.route is not None
        assert match.route.target == target
        assert match.route_params == {"id": "1"}


def test_wrong_method_reports_the_allowed_ones() -> None:
    table = _table(("items/{id:int}", ["GET"], "get"), ("items/{id:int}", ["DELETE", "PUT"], "change"))
    match = table.lookup("PATCH", "items/1")
    assert match is not None
    assert match.route is None
    assert match.allowed == {"GET", "DELETE", "PUT"}


def test_no_methods_declared_means_every_method() -> None:
    table = _table(("any", None, "any"))
    for method in ["GET", "POST", "OPTIONS", "PATCH"]:
        match = table.lookup(method, "any")
        assert match is not None and match.route is not None


def test_unknown_path_is_none() -> None:
    assert _table(("items", ["GET"], "items")).lookup("GET", "other") is None
