"""Both ways to reach Table Storage build a client; neither call leaves the process, but
to a recorder on loopback standing in for a proxy."""

import pytest
from azure.identity import DefaultAzureCredential

from functions.settings import Settings
from core.errors import ConfigurationError
from functions.views import mask
from localhost.services import azurite_connection_string
from storage.client import NotTableStorage, build_service_client
from storage.sealing import Sealer
from tests.support.recorder import recording

# Table storage on a loopback port where nothing listens: a request only gets as far as
# the proxy or the TLS setup the environment names.
NOWHERE = azurite_connection_string("127.0.0.1", 9)
HTTP_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def client_for(env: dict[str, str]):
    settings = Settings.from_env(env)
    return build_service_client(settings.storage_connection_string, settings.tables_endpoint)


def test_connection_string_client():
    client = client_for({"AzureWebJobsStorage": "UseDevelopmentStorage=true"})
    assert client.url.startswith("http://127.0.0.1:10002/devstoreaccount1")


def test_identity_client_uses_default_azure_credential():
    client = client_for({"SWITCHBOARD_TABLES_ENDPOINT": "https://acct.table.core.windows.net"})
    assert client.url.startswith("https://acct.table.core.windows.net")
    assert isinstance(client.credential, DefaultAzureCredential)


def test_no_storage_is_a_clear_configuration_error():
    with pytest.raises(ConfigurationError, match="AzureWebJobsStorage"):
        client_for({})


@pytest.fixture
def bare_environment(monkeypatch):
    for name in HTTP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def test_a_proxy_in_the_environment_carries_the_storage_requests(bare_environment):
    with recording() as proxy:
        bare_environment.setenv("HTTP_PROXY", proxy.base_url)
        client = client_for({"AzureWebJobsStorage": NOWHERE})
        with pytest.raises(NotTableStorage):  # the recorder answers, as no Table storage does
            client.get_table_client("things").get_entity("p", "r")
    assert proxy.requests and proxy.requests[0].headers["Host"] == "127.0.0.1:9"


def test_a_ca_bundle_in_the_environment_is_the_one_storage_connections_trust(bare_environment, tmp_path):
    bare_environment.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "no-such-bundle.pem"))
    client = client_for({"AzureWebJobsStorage": NOWHERE.replace("http", "https")})
    with pytest.raises(OSError, match="no-such-bundle"):
        client.get_table_client("things").get_entity("p", "r")


def test_sealing_round_trip_rotation_and_masking():
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = Sealer([old]).seal({"auth_token": "secret-token-1234"})
    assert "secret" not in sealed
    assert Sealer([new, old]).unseal(sealed) == {"auth_token": "secret-token-1234"}
    with pytest.raises(ConfigurationError):
        Sealer([new]).unseal(sealed)
    with pytest.raises(ConfigurationError):
        Sealer([])
    assert mask("secret-token-1234") == "****1234" and mask("abc") == "****"
