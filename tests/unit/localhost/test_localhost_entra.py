"""The local Entra tenant: a key made once, its metadata and key set, tokens the app accepts."""

from __future__ import annotations

from typing import Iterator

import pytest

from channels.entra import EntraVerifier
from core.errors import Unauthorized
from localhost.entra import LocalTenant
from tests.support.acs import Entra
from tests.support.recorder import recording

TENANT, APP = "72f988bf-86f1-41af-91ab-2d7cd011db47", "api://switchboard-events"


@pytest.fixture
def served(tmp_path) -> Iterator[Entra]:
    """The tenant, served under /.local-entra as the local host serves it."""
    with recording() as recorder:
        yield Entra(recorder, tmp_path)


@pytest.fixture
def tenant(served) -> LocalTenant:
    return served.tenant


def test_the_key_is_made_once_and_its_id_is_its_thumbprint(tenant, tmp_path):
    assert tenant.key_file == tmp_path / "entra.pem"
    [key] = tenant.jwks()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig") and "d" not in key
    assert LocalTenant(tmp_path / "entra.pem").jwks()["keys"][0]["kid"] == key["kid"]
    assert LocalTenant(tmp_path / "other.pem").jwks()["keys"][0]["kid"] != key["kid"]


def test_metadata_names_the_key_set_of_the_tenant(tenant):
    status, metadata = tenant.answer(f"/{TENANT}/v2.0/.well-known/openid-configuration", "http://localhost:7071")
    assert status == 200
    assert metadata["issuer"] == f"http://localhost:7071/.local-entra/{TENANT}/v2.0"
    assert metadata["jwks_uri"] == f"http://localhost:7071/.local-entra/{TENANT}/discovery/v2.0/keys"
    assert tenant.answer(f"/{TENANT}/discovery/v2.0/keys", "http://localhost:7071") == (200, tenant.jwks())
    assert tenant.answer("/../../etc/passwd", "http://localhost:7071")[0] == 404


def test_the_app_accepts_its_event_grid_tokens(tenant, served):
    claims = EntraVerifier(served.authority).verify(f"Bearer {tenant.event_grid_token(TENANT, APP)}", TENANT, APP)
    assert claims["aud"] == APP


def test_the_app_refuses_tokens_of_another_key_or_audience(tenant, served, tmp_path):
    verifier = EntraVerifier(served.authority)
    for token in (served.stranger.event_grid_token(TENANT, APP),
                  tenant.event_grid_token(TENANT, "api://someone-else"),
                  tenant.token({"aud": APP, "iss": f"https://sts.windows.net/{TENANT}/", "appid": "not-event-grid"})):
        with pytest.raises(Unauthorized):
            verifier.verify(f"Bearer {token}", TENANT, APP)
