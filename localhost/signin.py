"""The pages and endpoints of the local Easy Auth emulation (localhost/easyauth.py):

  GET  /.auth/login/aad   a form: a name, an optional Entra object id, Switchboard roles
  POST /.auth/login/aad   signs in: a session cookie, then back to post_login_redirect_uri
  GET  /.auth/me          the signed-in identity as App Service answers it, with a token for curl
  GET  /.auth/logout      signs out, then to post_logout_redirect_uri
"""

from __future__ import annotations

import html
import json
import time
from urllib.parse import parse_qs

from localhost.conversion import RawResponse, error_response
from localhost.easyauth import (
    COOKIE, PREFIX, SESSION_SECONDS, EasyAuth, InvalidToken, form_fields, role_choices, same_site_path,
    user_claims,
)

_PAGE_HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                 ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                             "frame-ancestors 'none'"), ("X-Content-Type-Options", "nosniff")]


def answer(auth: EasyAuth, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> RawResponse:
    """The answer to a request below /.auth (``headers`` with lower-case names)."""
    where = path[len(PREFIX):].rstrip("/").lower()
    params = {k: v[0] for k, v in parse_qs(query).items()}
    if where.startswith("/login/") and method == "GET":
        return _page(_form(where[len("/login/"):], same_site_path(params.get("post_login_redirect_uri"))))
    if where.startswith("/login/") and method == "POST":
        return _sign_in(auth, form_fields(body))
    if where == "/me" and method == "GET":
        return _me(auth, headers)
    if where == "/logout" and method == "GET":
        target = same_site_path(params.get("post_logout_redirect_uri"))
        return RawResponse(302, [("Location", target), ("Set-Cookie", _cookie("", 0))], b"")
    return error_response(404, "not_found", f"the local sign-in serves no {method} {path}")


def _sign_in(auth: EasyAuth, form: dict[str, list[str]]) -> RawResponse:
    name = (form.get("name") or [""])[0].strip()[:200]
    roles = [r for r in form.get("roles", []) if r in role_choices()]
    if not name:
        return _page(_form("aad", same_site_path((form.get("redirect") or [""])[0]), "Give a name to sign in."), 422)
    object_id = (form.get("object_id") or [""])[0].strip().lower() or None
    token = auth.token(name, roles, object_id)
    target = same_site_path((form.get("redirect") or [""])[0])
    return RawResponse(302, [("Location", target), ("Set-Cookie", _cookie(token, SESSION_SECONDS))], b"")


def _me(auth: EasyAuth, headers: dict[str, str]) -> RawResponse:
    try:
        claims = auth.claims(headers)
    except InvalidToken:
        claims = None
    if claims is None:
        return RawResponse(401, [("Content-Type", "application/json; charset=utf-8")], b"[]")
    token = auth.token(claims.get("name") or claims["oid"], claims.get("roles", []), claims["oid"],
                       claims.get("idtyp") == "app")
    identity = {"provider_name": "aad", "user_id": claims.get("name") or claims["oid"],
                "user_claims": user_claims(claims), "access_token": token,
                "expires_on": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(claims["exp"]))}
    return RawResponse(200, [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")],
                       json.dumps([identity]).encode())


def _cookie(value: str, max_age: int) -> str:
    return f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}"


def _page(body: str, status: int = 200) -> RawResponse:
    return RawResponse(status, list(_PAGE_HEADERS), body.encode())


def _form(provider: str, redirect: str, problem: str = "") -> str:
    roles = "".join(f'<label><input type="checkbox" name="roles" value="{html.escape(r)}"> {html.escape(r)}</label>'
                    for r in role_choices())
    note = f'<p role="alert">{html.escape(problem)}</p>' if problem else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in (local)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}}
label{{display:block;margin:.6rem 0}}input[type=text]{{width:100%;padding:.4rem;font:inherit}}
button{{margin-top:1rem;padding:.5rem 1.2rem;font:inherit}}fieldset{{border:1px solid #767676;padding:.6rem 1rem}}</style>
</head><body><main>
<h1>Sign in to Switchboard (local)</h1>
<p>This page stands in for Microsoft Entra ID when Switchboard runs on your machine ({html.escape(provider)}).</p>
{note}<form method="post" action="{PREFIX}/login/{html.escape(provider)}">
<input type="hidden" name="redirect" value="{html.escape(redirect)}">
<label for="name">Name</label><input type="text" id="name" name="name" required autofocus autocomplete="name">
<label for="object_id">Entra object id (optional; the same name always signs in as the same id)</label>
<input type="text" id="object_id" name="object_id" autocomplete="off">
<fieldset><legend>Roles</legend>{roles}</fieldset>
<button type="submit">Sign in</button>
</form></main></body></html>"""
