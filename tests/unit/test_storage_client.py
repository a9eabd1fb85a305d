"""Both ways to reach Table Storage build a client; neither call leaves the process."""

import pytest
from azure.identity import DefaultAzureCredential

from functions.settings import Settings
from core.errors import ConfigurationError
from functions.views import mask
from storage.client import build_service_client
from storage.sealing import Sealer


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
