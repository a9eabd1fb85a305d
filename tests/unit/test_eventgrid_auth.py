"""Event Grid's Entra bearer token, checked against a local stand-in tenant's keys."""

from __future__ import annotations

import pytest

from channels.entra import EntraVerifier
from core.errors import SwitchboardError, Unauthorized
from tests.support.acs import APP_ID, TENANT, Entra
from tests.support.recorder import recording


@pytest.fixture(scope="module")
def tenant(tmp_path_factory):
    with recording() as recorder:
        yield Entra(recorder, tmp_path_factory.mktemp("entra")), recorder


@pytest.fixture
def verifier(tenant):
    return EntraVerifier(tenant[0].authority)


@pytest.mark.parametrize("version", [1, 2])
def test_a_valid_token_passes_in_both_token_versions(tenant, verifier, version):
    entra, _ = tenant
    issuer = f"https://sts.windows.net/{TENANT}/" if version == 1 else f"{entra.authority}/{TENANT}/v2.0"
    claims = verifier.verify(f"Bearer {entra.token(issuer=issuer, version=version)}", TENANT, APP_ID)
    assert claims["aud"] == APP_ID


@pytest.mark.parametrize("make", [
    lambda e: e.token(expires_in=-600),
    lambda e: e.token(audience="api://someone-else"),
    lambda e: e.token(issuer="https://sts.windows.net/00000000-0000-0000-0000-000000000001/"),
    lambda e: e.token(app_id="11111111-2222-3333-4444-555555555555"),
    lambda e: e.token(version=2, app_id="11111111-2222-3333-4444-555555555555"),
    lambda e: Entra.unsigned(),
    lambda e: e.token(signer=e.stranger),
    lambda e: "not-a-jwt",
], ids=["expired", "wrong-audience", "wrong-issuer", "wrong-app-id", "wrong-azp", "unsigned", "other-key", "garbage"])
def test_bad_tokens_are_refused(tenant, verifier, make):
    with pytest.raises(Unauthorized) as refused:
        verifier.verify(f"Bearer {make(tenant[0])}", TENANT, APP_ID)
    assert refused.value.status == 401


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Basic abc"])
def test_a_missing_token_is_refused(verifier, header):
    with pytest.raises(Unauthorized):
        verifier.verify(header, TENANT, APP_ID)


def test_metadata_and_keys_are_fetched_once(tenant, verifier):
    entra, recorder = tenant
    before = len(recorder.requests)
    for _ in range(5):
        verifier.verify(f"Bearer {entra.token()}", TENANT, APP_ID)
    assert len(recorder.requests) - before == 2  # openid-configuration + keys


def test_an_unreachable_authority_is_a_retryable_failure(tenant):
    verifier = EntraVerifier("http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(SwitchboardError) as failed:
        verifier.verify(f"Bearer {tenant[0].token()}", TENANT, APP_ID)
    assert failed.value.status == 503
