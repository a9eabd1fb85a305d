"""The local host's emulation of App Service Authentication: the sign-in page, the session
cookie, /.auth/me, sign-out, and tokens from `python -m localhost.token`."""

from __future__ import annotations

import subprocess
import sys

import requests

from localhost.easyauth import AUDIENCE, TENANT, object_id_of
from localhost.entra import LocalTenant, v1_issuer
from tests.conftest import REPO


def sign_in(api, name: str, *roles: str, redirect: str = "/") -> requests.Session:
    session = requests.Session()
    page = session.get(f"{api.host.base_url}/.auth/login/aad", params={"post_login_redirect_uri": redirect}, timeout=30)
    assert page.status_code == 200 and "<form" in page.text and 'name="roles"' in page.text
    assert "script" not in page.headers["Content-Security-Policy"] and "frame-ancestors 'none'" in \
        page.headers["Content-Security-Policy"]
    signed = session.post(f"{api.host.base_url}/.auth/login/aad", timeout=30, allow_redirects=False,
                          data={"name": name, "roles": list(roles), "redirect": redirect})
    assert signed.status_code == 302
    return session


def test_sign_in_with_a_cookie_me_and_sign_out(api):
    session = sign_in(api, "Grace", "Switchboard.Admin", "Switchboard.Agent", redirect="/?view=inbox")
    [identity] = session.get(f"{api.host.base_url}/.auth/me", timeout=30).json()
    claims = {(c["typ"], c["val"]) for c in identity["user_claims"]}
    assert ("roles", "Switchboard.Admin") in claims and ("name", "Grace") in claims
    me = session.get(f"{api.base}/me", timeout=30).json()
    assert (me["id"], me["name"], me["roles"]) == (object_id_of("Grace"), "Grace", ["admin", "agent"])
    assert session.get(f"{api.base}/admin/accounts", timeout=30).status_code == 200
    # The token /.auth/me hands out works for curl as well.
    assert requests.get(f"{api.base}/me", headers={"Authorization": f"Bearer {identity['access_token']}"},
                        timeout=30).json()["name"] == "Grace"
    out = session.get(f"{api.host.base_url}/.auth/logout", timeout=30, allow_redirects=False)
    assert out.status_code == 302 and out.headers["Location"] == "/"
    assert session.get(f"{api.base}/me", timeout=30).status_code == 401
    assert session.get(f"{api.host.base_url}/.auth/me", timeout=30).status_code == 401


def test_sign_in_sends_you_back_only_to_this_site(api):
    session = requests.Session()
    for target in ("https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com/", "/\t/evil.example.com/",
                   "/api/me"):
        signed = session.post(f"{api.host.base_url}/.auth/login/aad", data={"name": "Eve", "redirect": target},
                              timeout=30, allow_redirects=False)
        assert signed.headers["Location"] == ("/api/me" if target == "/api/me" else "/")
        out = session.get(f"{api.host.base_url}/.auth/logout", params={"post_logout_redirect_uri": target},
                          timeout=30, allow_redirects=False)
        assert out.headers["Location"] == ("/api/me" if target == "/api/me" else "/")


def test_a_name_is_needed(api):
    refused = requests.post(f"{api.host.base_url}/.auth/login/aad", data={"name": " "}, timeout=30,
                            allow_redirects=False)
    assert refused.status_code == 422 and "Set-Cookie" not in refused.headers


def test_a_token_from_the_command_line(api):
    made = subprocess.run([sys.executable, "-m", "localhost.token", "--name", "Linus", "--role", "agent"], cwd=REPO,
                          env={**api.env, "PATH": ""}, capture_output=True, text=True, timeout=60, check=True)
    me = requests.get(f"{api.base}/me", headers={"Authorization": f"Bearer {made.stdout.strip()}"}, timeout=30)
    assert me.json()["roles"] == ["agent"]
    forged = made.stdout.strip()[:-4] + "AAAA"
    assert requests.get(f"{api.base}/me", headers={"Authorization": f"Bearer {forged}"}, timeout=30).status_code == 401


def test_a_token_that_names_nobody_signs_nobody_in(api):
    nobody = LocalTenant.of(api.env).token({"aud": AUDIENCE, "iss": v1_issuer(TENANT), "tid": TENANT, "name": "Eve"})
    answer = requests.get(f"{api.base}/me", headers={"Authorization": f"Bearer {nobody}"}, timeout=30)
    assert answer.status_code == 401 and answer.json()["error"]["code"]
