"""The local host as a real subprocess, called over HTTP (sample app in tests/fixtures/sample_app).

Also covers the service helpers other suites build on: Azurite must keep its
data across a stop/start on the same port and folder.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from localhost.services import Azurite, LocalHost, ServiceError

SAMPLE_APP = Path(__file__).resolve().parents[1] / "fixtures" / "sample_app"
KEY = "e2e-secret-key"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHost]:
    service = LocalHost.start(
        {"SWITCHBOARD_LOCAL_KEY": KEY, "TICK_SCHEDULE": "* * * * * *", "GREETING": "from-env",
         "SWITCHBOARD_LOCAL_DIR": str(tmp_path_factory.mktemp("local"))},
        script_root=SAMPLE_APP,
    )
    yield service
    service.stop()


def _get(host: LocalHost, path: str, **kwargs: object) -> requests.Response:
    return requests.get(host.base_url + path, timeout=10, **kwargs)  # type: ignore[arg-type]


def _error(response: requests.Response) -> dict[str, str]:
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, dict[str, str]] = response.json()
    return body["error"]


def test_status_endpoint_is_open(host: LocalHost) -> None:
    response = _get(host, "/admin/host/status")
    assert response.status_code == 200
    assert response.json() == {"state": "Running"}
    assert host.key == KEY


def test_the_local_entra_tenant_is_served_beside_the_app(host: LocalHost) -> None:
    metadata = _get(host, "/.local-entra/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration").json()
    assert metadata["issuer"] == f"{host.base_url}/.local-entra/contoso.onmicrosoft.com/v2.0"
    keys = requests.get(metadata["jwks_uri"], timeout=10).json()["keys"]
    assert [(k["kty"], k["alg"]) for k in keys] == [("RSA", "RS256")]
    assert _get(host, "/.local-entra/contoso.onmicrosoft.com/oauth2/v2.0/token").status_code == 404


def test_request_is_built_as_azure_does(host: LocalHost) -> None:
    response = requests.post(
        f"{host.base_url}/sample/echo/a/b%20c?x=1&x=2",
        data=b"payload",
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert echoed["url"] == f"{host.base_url}/sample/echo/a/b%20c?x=1&x=2"
    assert echoed["params"] == {"x": "1,2"}
    assert echoed["route_params"] == {"rest": "a/b c"}
    assert echoed["body"] == "payload"
    assert echoed["content_type"] == "text/plain"


def test_chunked_request_body(host: LocalHost) -> None:
    response = requests.put(f"{host.base_url}/sample/echo/x", data=iter([b"part1-", b"part2"]), timeout=10)
    assert response.json()["body"] == "part1-part2"


def test_route_prefix_and_literals_are_case_insensitive(host: LocalHost) -> None:
    assert _get(host, "/SAMPLE/Items/7").json() == {"id": 7, "handler": "get"}


def test_failed_constraint_falls_through_to_the_next_route(host: LocalHost) -> None:
    response = _get(host, "/sample/items/new")  # get_item (items/{id:int}) is tried first
    assert (response.status_code, response.text, response.headers["X-Handler"]) == (200, "form", "new")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_routes_are_tried_in_function_name_order_as_in_azure(host: LocalHost) -> None:
    assert _get(host, "/sample/order/exact").text == "catch-all"


def test_same_route_different_methods(host: LocalHost) -> None:
    assert _get(host, "/sample/items/3").status_code == 200
    deleted = requests.delete(f"{host.base_url}/sample/items/3", timeout=10)
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_wrong_method_is_405_with_allow(host: LocalHost) -> None:
    response = requests.patch(f"{host.base_url}/sample/items/3", timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET"
    assert _error(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/sample/items/abc", "/sample/nothing-here", "/api/echo/x", "/"])
def test_unknown_paths_are_404(host: LocalHost, path: str) -> None:
    response = _get(host, path)
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_function_key(host: LocalHost) -> None:
    missing = _get(host, "/sample/secret")
    assert missing.status_code == 401
    assert missing.json() == {
        "error": {
            "code": "unauthorized",
            "message": "missing or wrong function key (x-functions-key header or ?code=)",
        }
    }
    assert _get(host, "/sample/secret", headers={"x-functions-key": "wrong"}).status_code == 401
    assert _get(host, "/sample/secret", params={"code": "wrong"}).status_code == 401
    by_header = _get(host, "/sample/secret", headers={"x-functions-key": KEY})
    assert by_header.status_code == 200
    assert by_header.json()["function_name"] == "secret"  # route defaulted to the function name
    assert _get(host, "/sample/secret", params={"code": KEY}).status_code == 200


def test_exception_is_a_generic_500_and_logged(host: LocalHost) -> None:
    response = _get(host, "/sample/boom")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "internal error"}}
    assert "kaboom" not in response.text
    time.sleep(0.2)
    assert "RuntimeError: kaboom: do not leak me" in host.output()


def test_access_log_has_no_query_string_or_key(host: LocalHost) -> None:
    _get(host, "/sample/secret", params={"code": KEY, "q": "private"}, headers={"X-Private": "hdr"})
    time.sleep(0.2)
    output = host.output()
    assert "GET /sample/secret secret 200" in output
    assert KEY not in output
    assert "private" not in output and "hdr" not in output


def test_settings_reach_the_function(host: LocalHost) -> None:
    assert _get(host, "/sample/settings/GREETING").json() == {"value": "from-env"}


def test_keep_alive_connection_serves_several_requests(host: LocalHost) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=10)
    try:
        for _ in range(3):
            connection.request("POST", "/sample/echo/k", body=b"abc")
            response = connection.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["body"] == "abc"
        connection.request("HEAD", "/admin/host/status")
        head = connection.getresponse()
        assert (head.status, head.read(), head.getheader("Content-Length")) == (200, b"", "20")
    finally:
        connection.close()


def test_fifty_concurrent_clients(host: LocalHost) -> None:
    def call(_: int) -> int:
        return _get(host, "/sample/slow", params={"s": "0.5"}).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(call, range(50)))
    assert statuses == [200] * 50
    assert time.monotonic() - started < 5  # serially this would take 25 s


def test_timer_runs_on_schedule_and_survives_a_failure(host: LocalHost) -> None:
    deadline = time.monotonic() + 10
    ticks: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        ticks = _get(host, "/sample/ticks").json()
        if len(ticks) >= 3:
            break
        time.sleep(0.2)
    assert len(ticks) >= 3  # startup run (which failed) and scheduled runs after it
    assert ticks[0]["cwd"] == str(SAMPLE_APP)
    assert "first tick fails on purpose" in host.output()


def test_local_settings_and_empty_route_prefix(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(SAMPLE_APP, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}))
    (root / "local.settings.json").write_text(
        json.dumps({"IsEncrypted": False, "Values": {"TICK_SCHEDULE": "0 0 0 1 1 *", "GREETING": "from-file"}})
    )
    # Starting at all proves TICK_SCHEDULE came from the file: the timer needs it.
    with LocalHost.start({"GREETING": ""}, script_root=root) as service:
        # An environment variable that is set (even empty) wins over the file, as with Core Tools.
        assert _get(service, "/settings/GREETING").json() == {"value": ""}
        assert _get(service, "/items/new").text == "form"
        assert _get(service, "/secret", params={"code": service.key}).status_code == 200


def test_unresolvable_schedule_fails_startup_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TICK_SCHEDULE", raising=False)
    with pytest.raises(ServiceError, match="TICK_SCHEDULE"):
        LocalHost.start({}, script_root=SAMPLE_APP)


def test_graceful_stop() -> None:
    service = LocalHost.start({"TICK_SCHEDULE": "0 0 0 1 1 *"}, script_root=SAMPLE_APP)
    service.stop()
    assert "received SIGTERM, stopping" in service.output()
    assert service.output().rstrip().endswith("stopped")


def test_azurite_on_a_taken_port_fails_instead_of_reporting_the_other_server(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ServiceError, match=r"EADDRINUSE|address already in use"):
            Azurite.start(tmp_path / "azurite", port=port)


def test_azurite_keeps_data_across_restart(tmp_path: Path) -> None:
    from azure.data.tables import TableServiceClient

    with Azurite.start(tmp_path / "azurite") as azurite:
        client = TableServiceClient.from_connection_string(azurite.connection_string)
        client.create_table_if_not_exists("survivors").upsert_entity({"PartitionKey": "p", "RowKey": "r", "n": 1})
        port = azurite.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=2)
    with Azurite.start(tmp_path / "azurite", port=port) as azurite:
        client = TableServiceClient.from_connection_string(azurite.connection_string)
        assert client.get_table_client("survivors").get_entity("p", "r")["n"] == 1
