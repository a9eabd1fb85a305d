"""The OpenAPI document is valid 3.1 and describes exactly the admin, agent and outbound
routes the app registers (traffic itself is checked in the end-to-end tests)."""

import json
import re

from openapi_spec_validator import validate

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
