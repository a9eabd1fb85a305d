"""The pages the app serves itself (functions/web.py, from web/dist as `npm run build` wrote
it), through the local host, beside the API they must never shadow."""

from __future__ import annotations

import http.client
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
PAGES = ["/", "/api-reference"]
TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".json": "application/json"}
SECRETS = [(REPO / "host.json").read_bytes(), b"import azure.functions", b"SWITCHBOARD_LOCAL_KEY"]


class _Page(HTMLParser):
    """The URLs a page names (href, src), its script sources, and anything inline that CSP would block."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.inline: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.urls += [value for key, value in attrs if key in ("href", "src") and value is not None]
        if tag == "script":
            self.scripts.append(named.get("src") or "")
        if tag == "style" or (tag == "script" and not named.get("src")):
            self.inline.append(f"<{tag}>")
        self.inline += [f"{tag} {key}=" for key, _ in attrs if key == "style" or key.startswith("on")]


def _get(api, path: str, **kwargs) -> requests.Response:
    return requests.get(api.host.base_url + path, timeout=30, allow_redirects=False, **kwargs)


def _raw(api, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """A request with exactly this target: requests would tidy the dots and slashes away."""
    connection = http.client.HTTPConnection("127.0.0.1", api.host.port, timeout=30)
    try:
        connection.request(method, target)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _assert_security_headers(response: requests.Response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_base_url_is_the_web_app(api) -> None:
    response = _get(api, "/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    _assert_security_headers(response)
    assert "img-src" not in response.headers["Content-Security-Policy"]
    page = _Page(response.text)
    assert [s for s in page.scripts if s.startswith("/assets/app.") and s.endswith(".js")], page.scripts
    assert {"/api/health", "/api-reference"} <= set(page.urls), "without JavaScript it still leads to the API"


def test_the_api_reference_renders_the_apps_own_document_with_the_pinned_swagger_ui(api) -> None:
    response = _get(api, "/api-reference")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    _assert_security_headers(response)
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    scripts = _Page(response.text).scripts
    bundle = next(s for s in scripts if s.startswith("/assets/swagger-ui-bundle."))
    starter = next(s for s in scripts if s.startswith("/assets/api-reference."))
    assert scripts.index(bundle) < scripts.index(starter)
    pinned = json.loads((REPO / "package.json").read_text())["dependencies"]["swagger-ui-dist"]
    installed = REPO / "node_modules" / "swagger-ui-dist"
    assert json.loads((installed / "package.json").read_text())["version"] == pinned
    assert _get(api, bundle).content == (installed / "swagger-ui-bundle.js").read_bytes()
    assert 'url: "/api/openapi.json"' in _get(api, starter).text


@pytest.mark.parametrize("page_path", PAGES)
def test_everything_a_page_names_comes_from_the_app_itself(api, page_path: str) -> None:
    base = api.host.base_url + page_path
    page = _Page(_get(api, page_path).text)
    assert page.inline == [], "inline script or style would need a CSP exception"
    for url in page.urls:
        absolute = urljoin(base, url)
        assert urlsplit(absolute).netloc == urlsplit(base).netloc, f"{page_path} names another origin: {url}"
        response = requests.get(absolute, timeout=30)
        assert response.status_code == 200, url
        path = urlsplit(absolute).path
        expected = next((t for ending, t in TYPES.items() if path.endswith(ending)), None)
        if path.startswith("/api/"):
            expected = "application/json"
        elif expected is None:
            expected = "text/html"
        assert response.headers["Content-Type"].split(";")[0] == expected, url


def test_hashed_assets_are_kept_for_long_and_pages_are_revalidated(api) -> None:
    page = _get(api, "/")
    stylesheet = next(u for u in _Page(page.text).urls if u.endswith(".css"))
    asset = _get(api, stylesheet)
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    _assert_security_headers(asset)
    again = _get(api, "/", headers={"If-None-Match": page.headers["ETag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["ETag"] == page.headers["ETag"]
    assert _get(api, "/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_answers_the_headers_of_get(api) -> None:
    status, headers, body = _raw(api, "/", method="HEAD")
    get = _get(api, "/")
    assert (status, body) == (200, b"")
    assert headers["content-type"] == get.headers["Content-Type"]
    assert int(headers["content-length"]) == len(get.content)


@pytest.mark.parametrize(
    "target",
    [
        "/..%2f..%2fhost.json",
        "/%2e%2e/function_app.py",
        "/%2e%2e%2f%2e%2e%2fhost.json",
        "/..%5c..%5chost.json",
        "/%5c..%5chost.json",
        "/assets/..%5c..%5c..%5chost.json",
        "/assets/%2e%2e/%2e%2e/%2e%2e/function_app.py",
        "/assets/..%2f..%2f..%2flocalhost%2fauth.py",
        "/%252e%252e%252fhost.json",
        "/../host.json",
        "/assets/../../../function_app.py",
        "/..;/host.json",
        "//etc/passwd",
        "/web/dist/index.html",
        "/.built",
    ],
)
def test_no_path_reaches_a_file_outside_web_dist(api, target: str) -> None:
    status, headers, body = _raw(api, target)
    assert status == 404, target
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "not_found"
    assert not [secret for secret in SECRETS if secret in body]


def test_api_routes_still_reach_the_api(api) -> None:
    health = _get(api, "/api/health")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    assert _get(api, "/api/openapi.json").json()["openapi"].startswith("3.1")
    assert _get(api, "/api/conversations").status_code == 401, "a keyed API route, not a page"


@pytest.mark.parametrize("path", ["/api/health", "/api/openapi.json", "/api/conversations", "/api/admin/nope"])
def test_api_answers_may_not_run_load_or_be_framed(api, path: str) -> None:
    response = _get(api, path)
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/nope", "/api/admin/nope", "/API/Nope", "/api/health/extra"])
def test_an_unknown_api_path_is_the_apis_json_404(api, path: str) -> None:
    response = _get(api, path)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method,path,allow", [
    ("GET", "/api/outbound", "POST"), ("GET", "/API/Conversations/x/Close", "POST"), ("GET", "/api/me/presence", "PUT"),
    ("DELETE", "/api/outbound", "POST"), ("HEAD", "/api/me", "GET"), ("PUT", "/api/me", "GET"),
    ("GET", "/api/admin/erasures", "POST"), ("GET", "/api/twilio/" + "a" * 32 + "/inbound", "POST"),
    ("GET", "/api/acs/" + "a" * 32 + "/events", "OPTIONS, POST"),
])
def test_an_api_operation_asked_with_another_method_names_the_methods_it_takes(api, method, path, allow):
    response = requests.request(method, api.host.base_url + path, timeout=30, allow_redirects=False)
    assert (response.status_code, response.headers["Allow"]) == (405, allow)
    if method != "HEAD":
        assert response.json()["error"]["code"] == "method_not_allowed"
    if method == "GET":  # the app's answer (Azure answers another method itself, 404; the local host 405)
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize("method,path", [("POST", "/api/conversations/x/acept"), ("DELETE", "/nope"),
                                         ("PUT", "/api/nope")])
def test_a_path_no_route_but_the_pages_matches_is_not_found_whatever_the_method(api, method, path):
    response = requests.request(method, api.host.base_url + path, timeout=30)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_probe_may_ask_for_health_with_head(api):
    response = requests.head(api.host.base_url + "/api/health", timeout=30)
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["Content-Type"].startswith("application/json")


def test_a_path_an_operations_route_refuses_is_not_found(api):
    response = _get(api, "/api/conversations/x/messages/y/media/first")  # {index:int}
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api", "/api/", "/API"])
def test_api_without_a_path_leads_to_the_web_app(api, path: str) -> None:
    response = _get(api, path)
    assert (response.status_code, response.headers["Location"]) == (302, "/")


def test_an_unknown_page_is_a_json_404(api) -> None:
    response = _get(api, "/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    _assert_security_headers(response)
