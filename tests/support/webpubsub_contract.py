"""Checks a REST call the Web PubSub stand-in recorded against the service's published
data-plane contract, tests/contracts/webpubsub_2024-12-01.json (Swagger 2.0, kept as
published; see tests/contracts/README.md): the path and method it declares, the path and query
parameters (api-version the document's own), the headers it requires (its security scheme's
Authorization), the body's content type among those it consumes, and a JSON body against the
declared schema. A raw payload (``type: string, format: byte``) has no schema to check but its
content type.

It checks what the app sends; the stand-in's answers are its own business (see
localhost/webpubsub).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft4Validator

from tests.support.contracts import CONTRACTS

DOCUMENT = CONTRACTS / "webpubsub_2024-12-01.json"
# The keywords of a Swagger 2.0 parameter that are JSON Schema (draft 4) keywords too.
SCHEMA_KEYWORDS = ("type", "pattern", "minLength", "maxLength", "minimum", "maximum", "enum", "items")
RAW_FORMATS = ("byte", "binary")


@cache
def _document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text())


@cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    """(the path template as a pattern, the method, the operation) for each declared operation."""
    found = []
    for template, item in _document()["paths"].items():
        parts = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name, ...
        pattern = "".join(f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
        found += [(re.compile(pattern), method.upper(), operation) for method, operation in item.items()]
    return found


def problems(call: dict[str, Any]) -> list[str]:
    """What in ``call`` (as GET /_standin/calls gives it) the contract does not allow; [] if nothing."""
    matches = [(pattern.fullmatch(call["path"]), method, op) for pattern, method, op in _operations()]
    declared = [(match, method, op) for match, method, op in matches if match]
    if not declared:
        return [f"{call['path']}: no path of the contract"]
    for match, method, operation in declared:
        if method == call["method"]:
            parameters = [_resolve(p) for p in operation.get("parameters", [])]
            path = {name: unquote(value) for name, value in match.groupdict().items()}
            return [*_path_problems(parameters, path), *_query_problems(parameters, call["query"]),
                    *_header_problems(operation, parameters, call), *_body_problems(operation, parameters, call)]
    return [f"{call['method']} {call['path']}: the contract declares only {sorted(m for _, m, _ in declared)}"]


def _path_problems(parameters: list[dict[str, Any]], values: dict[str, str]) -> list[str]:
    return [problem for p in parameters if p["in"] == "path"
            for problem in _invalid(f"path parameter {p['name']}", values[p["name"]], _schema(p))]


def _query_problems(parameters: list[dict[str, Any]], query: dict[str, list[str]]) -> list[str]:
    declared = {p["name"]: p for p in parameters if p["in"] == "query"}
    found = [f"query parameter {name} is not declared" for name in query if name not in declared]
    for name, parameter in declared.items():
        values = query.get(name, [])
        if not values:
            found += [f"query parameter {name} is required"] if parameter.get("required") else []
        elif parameter["type"] == "array":
            found += _invalid(f"query parameter {name}", values, _schema(parameter))
        elif len(values) > 1:
            found.append(f"query parameter {name} is given {len(values)} times")
        else:
            found += _invalid(f"query parameter {name}", _typed(values[0], parameter["type"]), _schema(parameter))
    version, sent = _document()["info"]["version"], query.get("api-version", [])
    if sent and sent != [version]:
        found.append(f"api-version {sent} is not the contract's {version}")
    return found


def _header_problems(operation: dict[str, Any], parameters: list[dict[str, Any]], call: dict[str, Any]) -> list[str]:
    """Headers the operation's parameters or its security scheme require."""
    schemes = _document()["securityDefinitions"]
    required = [p["name"] for p in parameters if p["in"] == "header" and p.get("required")]
    for requirement in operation.get("security", _document().get("security", [])):
        required += [schemes[name]["name"] for name in requirement if schemes[name]["in"] == "header"]
    sent = {name.lower() for name in call["headers"]}
    return [f"header {name} is required" for name in required if name.lower() not in sent]


def _body_problems(operation: dict[str, Any], parameters: list[dict[str, Any]], call: dict[str, Any]) -> list[str]:
    body = next((p for p in parameters if p["in"] == "body"), None)
    if body is None:
        return ["the operation takes no body"] if call["body"] else []
    if not call["body"]:
        return ["the body is required"] if body.get("required") else []
    content_type = _header(call, "content-type").split(";")[0].strip().lower()
    consumes = operation.get("consumes", _document()["consumes"])
    if content_type not in consumes:
        return [f"Content-Type {content_type or 'missing'} is none of {consumes}"]
    schema = body["schema"]
    if schema.get("type") == "string" and schema.get("format") in RAW_FORMATS:
        return []  # a raw payload: the content type is all there is to check
    try:
        value = json.loads(call["body"])
    except ValueError:
        return ["the body is not JSON"]
    return _invalid("the body", value, {**schema, "definitions": _document()["definitions"]})


def _invalid(what: str, value: Any, schema: dict[str, Any]) -> list[str]:
    return [f"{what}: {error.message}" for error in Draft4Validator(schema).iter_errors(value)]


def _schema(parameter: dict[str, Any]) -> dict[str, Any]:
    """A path or query parameter's constraints as a JSON schema."""
    return {keyword: value for keyword, value in parameter.items() if keyword in SCHEMA_KEYWORDS}


def _typed(value: str, kind: str) -> Any:
    """A query value as its declared type (the contract's are strings and integers), so the
    schema's type and bounds apply to it."""
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _header(call: dict[str, Any], name: str) -> str:
    return next((value for key, value in call["headers"].items() if key.lower() == name), "")


def _resolve(parameter: dict[str, Any]) -> dict[str, Any]:
    """A parameter, its ``$ref`` (``#/parameters/...``) followed."""
    if "$ref" not in parameter:
        return parameter
    resolved: dict[str, Any] = _document()["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
    return resolved
