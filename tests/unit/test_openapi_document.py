"""The OpenAPI document is valid 3.1 and describes exactly the admin, agent and outbound
routes the app registers (traffic itself is checked in the end-to-end tests)."""

import json
import re

from openapi_spec_validator import validate

from core.webhooks import METHODS, ROUTES
from functions.openapi import methods_at
from tests.support.app import indexed
from tests.support.openapi import DOCUMENT, documented


def registered() -> set[tuple[str, str]]:
    routes = set()
    for function in indexed().http:
        path = "/" + re.sub(r"\{(\w+)(:[^}]*)?\??\}", r"{\1}", function.route)
        if documented(path):
            routes |= {(path, method.lower()) for method in function.methods}
    return routes


def test_document_is_valid_openapi_3_1():
    document = json.loads(DOCUMENT.read_text())
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_document_and_app_list_the_same_operations():
    document = json.loads(DOCUMENT.read_text())
    described = {("/api" + path, method) for path, item in document["paths"].items()
                 for method in item if method != "parameters"}
    assert described == registered()


def test_every_answer_any_operation_can_give_is_documented():
    """Every operation a caller signs in for can find storage unavailable (503); every one
    that reads a JSON body can be sent one that is not (400)."""
    document = json.loads(DOCUMENT.read_text())
    missing = [(method, path, code) for path, item in document["paths"].items()
               for method, operation in item.items() if method != "parameters"
               for code, needed in (("503", "401" in operation["responses"]), ("400", "requestBody" in operation))
               if needed and code not in operation["responses"]]
    assert missing == []


def test_each_webhooks_methods_are_those_its_functions_take():
    """What a GET of a webhook answers names them (functions/openapi.py methods_at)."""
    taken = {name: {m.upper() for f in indexed().http if f.route == route for m in f.methods}
             for name, route in ROUTES.items()}
    assert taken == {name: set(methods) for name, methods in METHODS.items()}
    assert methods_at("/API/Acs/" + "a" * 32 + "/events") == {"OPTIONS", "POST"}
