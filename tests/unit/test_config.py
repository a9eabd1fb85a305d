import pytest

from functions.settings import Settings


def test_defaults():
    s = Settings.from_env({"AzureWebJobsStorage": "UseDevelopmentStorage=true"})
    assert "127.0.0.1:10002" in s.storage_connection_string
    assert s.auto_close_min_minutes == 480 and s.table_prefix == "sb" and s.public_base_url is None
    assert s.entra_authority_host == "https://login.microsoftonline.com"
    assert (s.agent_watch_seconds, s.idempotency_lease_seconds, s.commit_timeout_seconds) == (60, 300, 360)
    assert s.phone_region == "US"
    assert Settings.from_env({"PHONE_REGION": " de "}).phone_region == "DE"


def test_the_watch_the_key_lease_and_a_reservation_s_timeout_can_be_shortened():
    s = Settings.from_env({"AGENT_WATCH_SECONDS": "2", "IDEMPOTENCY_LEASE_SECONDS": "8",
                           "COMMIT_TIMEOUT_SECONDS": "20"})
    assert (s.agent_watch_seconds, s.idempotency_lease_seconds, s.commit_timeout_seconds) == (2, 8, 20)


def test_dedicated_connection_string_wins_and_keys_split():
    s = Settings.from_env({"AzureWebJobsStorage": "a", "SWITCHBOARD_STORAGE_CONNECTION_STRING": "b",
                           "SWITCHBOARD_SEALING_KEY": "k1, k2", "PUBLIC_BASE_URL": "https://x.example.com/"})
    assert s.storage_connection_string == "b" and s.sealing_keys == ("k1", "k2")
    assert s.public_base_url == "https://x.example.com"


@pytest.mark.parametrize("env,endpoint", [
    ({"SWITCHBOARD_TABLES_ENDPOINT": "https://a.table.core.windows.net/"}, "https://a.table.core.windows.net"),
    ({"AzureWebJobsStorage__accountName": "acct"}, "https://acct.table.core.windows.net"),
    ({"AzureWebJobsStorage__tableServiceUri": "https://b.table.core.windows.net"}, "https://b.table.core.windows.net"),
])
def test_identity_based_endpoints(env, endpoint):
    s = Settings.from_env(env)
    assert s.storage_connection_string is None and s.tables_endpoint == endpoint


@pytest.mark.parametrize("value", ["abc", "0", "-5"])
def test_bad_numbers_are_named(value):
    with pytest.raises(ValueError, match="AUTO_CLOSE_MIN_MINUTES"):
        Settings.from_env({"AUTO_CLOSE_MIN_MINUTES": value})


@pytest.mark.parametrize("value,url", [
    ("", None), ("https://europe.directline.botframework.com/", "https://europe.directline.botframework.com"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000"), ("http://localhost", "http://localhost"),
])
def test_direct_line_is_https_or_the_loopback(value, url):
    assert Settings.from_env({"DIRECTLINE_BASE_URL": value}).directline_base_url == url


@pytest.mark.parametrize("value", ["http://directline.example.com", "http://127.0.0.1.example.com", "ftp://x"])
def test_direct_line_over_plain_http_elsewhere_is_refused(value):
    with pytest.raises(ValueError, match="DIRECTLINE_BASE_URL"):
        Settings.from_env({"DIRECTLINE_BASE_URL": value})
