"""Route templates as Azure Functions (ASP.NET Core routing) understands them.

Supported: literal segments (matched case-insensitively), `{name}`,
constrained `{id:int}` / `{id:guid}` / `{name:alpha}` (plus a few more, see
`CONSTRAINTS`; unknown constraints are ignored, as they would otherwise make a
route unreachable locally that works in Azure), optional `{name?}`, defaults
`{name=value}`, catch-all `{*rest}` / `{**rest}`, and segments that mix
literals and parameters (`{file}.{ext}`).

When several templates match a path, Azure does not pick the most specific
one: the host lists functions by name (`FunctionMetadataManager` sorts them
ordinal and case-insensitive) and its router tries their routes in that order,
template and method together, so the first that matches wins. `route_order`
is that sort key; a catch-all must therefore belong to a function whose name
sorts after every route it must not swallow.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

log = logging.getLogger(__name__)

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_PARAM = re.compile(r"\{([^{}]*)\}")


def _int_in(bounds: tuple[int, int]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return bool(re.fullmatch(r"[+-]?\d+", value)) and bounds[0] <= int(value) <= bounds[1]

    return check


def _is_guid(value: str) -> bool:
    # .NET accepts 32 hex digits bare, hyphenated, or wrapped in {} or ().
    if not re.fullmatch(r"\{[^{}]*\}|\([^()]*\)|[^{}()]*", value):
        return False
    try:
        uuid.UUID(value.strip("{}()"))
    except ValueError:
        return False
    return True


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return value.strip() == value and value.lower() not in {"nan", "inf", "-inf", "+inf", "infinity"}


CONSTRAINTS: dict[str, Callable[[str], bool]] = {
    "int": _int_in(_INT32),
    "long": _int_in(_INT64),
    "bool": lambda v: v.lower() in {"true", "false"},
    "guid": _is_guid,
    "alpha": lambda v: bool(re.fullmatch(r"[A-Za-z]+", v)),
    "double": _is_number,
    "float": _is_number,
    "decimal": _is_number,
}


class RouteTemplateError(ValueError):
    """A route template that Azure would reject too."""


@dataclass(frozen=True)
class _Param:
    name: str
    optional: bool
    catch_all: bool
    default: str | None
    checks: tuple[Callable[[str], bool], ...]


def _parse_param(body: str, template: str) -> _Param:
    catch_all = body.startswith("*")
    body = body.lstrip("*")
    default: str | None = None
    if "=" in body:
        body, default = body.split("=", 1)
    optional = body.endswith("?")
    body = body.rstrip("?")
    name, *constraints = body.split(":")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise RouteTemplateError(f"bad parameter {{{body}}} in route {template!r}")
    checks = []
    for constraint in constraints:
        key = constraint.split("(", 1)[0].lower()
        if key in CONSTRAINTS:
            checks.append(CONSTRAINTS[key])
        else:
            log.warning("route %r: constraint %r is not checked by the local host", template, constraint)
    return _Param(
        name=name,
        optional=optional or catch_all or default is not None,
        catch_all=catch_all,
        default=default,
        checks=tuple(checks),
    )


@dataclass
class RouteTemplate:
    """One compiled template; `match` returns route params or None."""

    template: str
    regex: re.Pattern[str] = field(init=False, repr=False)
    params: dict[str, _Param] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.params = {}
        stripped = self.template.strip("/")
        segments = stripped.split("/") if stripped else []
        patterns = [self._compile_segment(s, is_last=i == len(segments) - 1) for i, s in enumerate(segments)]
        # Each segment pattern carries its leading "/", so optional segments
        # can swallow it; `match` hands over the path with a leading "/".
        self.regex = re.compile("^" + "".join(patterns) + "/?$", re.IGNORECASE)

    def _compile_segment(self, segment: str, is_last: bool) -> str:
        pieces = _PARAM.split(segment)  # literal, param, literal, param, ..., literal
        if "{" in "".join(pieces[::2]) or "}" in "".join(pieces[::2]):
            raise RouteTemplateError(f"unbalanced braces in route {self.template!r}")
        params = [_parse_param(body, self.template) for body in pieces[1::2]]
        for param in params:
            if param.name.lower() in {p.lower() for p in self.params}:
                raise RouteTemplateError(f"parameter {param.name!r} repeated in route {self.template!r}")
            self.params[param.name] = param
        if len(params) == 1 and pieces[0] == pieces[2] == "":
            param = params[0]
            if param.catch_all:
                if not is_last:
                    raise RouteTemplateError(f"catch-all must be last in route {self.template!r}")
                return f"(?:/(?P<{param.name}>.*))?"
            group = f"/(?P<{param.name}>[^/]+)"
            return f"(?:{group})?" if param.optional else group
        if any(p.catch_all or p.optional for p in params):
            raise RouteTemplateError(f"optional or catch-all parameter must be a whole segment in {self.template!r}")
        regex = "/"
        for i, piece in enumerate(pieces):
            regex += re.escape(piece) if i % 2 == 0 else f"(?P<{params[i // 2].name}>[^/]+?)"
        return regex

    @property
    def catches_every_path(self) -> bool:
        """A template of one catch-all parameter (``{*path}``), which every path matches."""
        return len(self.params) == 1 and _PARAM.fullmatch(self.template.strip("/")) is not None \
            and next(iter(self.params.values())).catch_all

    def match(self, path: str) -> dict[str, str] | None:
        """Route params for `path` (relative to the prefix, percent-encoded), or None."""
        found = self.regex.match("/" + path.lstrip("/"))
        if found is None:
            return None
        values: dict[str, str] = {}
        for name, param in self.params.items():
            raw = found.group(name)
            if raw is None or raw == "":
                if param.default is not None:
                    values[name] = param.default
                continue
            value = unquote(raw)
            if not all(check(value) for check in param.checks):
                return None
            values[name] = value
        return values


@dataclass
class Route:
    """A function reachable over HTTP: its template, methods and payload."""

    template: RouteTemplate
    methods: frozenset[str] | None  # None: every method
    target: object

    def allows(self, method: str) -> bool:
        return self.methods is None or method.upper() in self.methods


@dataclass
class Match:
    """Outcome of a lookup: a route to call, or the methods that would have worked."""

    route: Route | None
    route_params: Mapping[str, str]
    allowed: frozenset[str]


def route_order(function_name: str) -> str:
    """Where a function's route stands in Azure's route table: by name, ordinal, ignoring case."""
    return function_name.upper()


class RouteTable:
    """All HTTP routes of the app, tried in the order given (see `route_order`)."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = list(routes)

    def lookup(self, method: str, path: str) -> Match | None:
        """None when no template matches `path` other than a catch-all of every path (the
        web pages' GET) that does not take `method`; a Match without route for a wrong
        method, naming the methods of the templates that match it."""
        allowed: set[str] = set()
        for route in self.routes:
            params = route.template.match(path)
            if params is None:
                continue
            if route.allows(method):
                return Match(route, params, frozenset())
            if not route.template.catches_every_path:
                allowed.update(route.methods or ())
        return Match(None, {}, frozenset(allowed)) if allowed else None
