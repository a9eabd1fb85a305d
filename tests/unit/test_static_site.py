"""How web/dist is served: URL paths, content types, cache rules and security headers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from functions.static_site import LONG_CACHE, SiteNotBuilt, cache_control, content_type, find, security_headers
from tests.support.files import write_tree


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "dist", {
        "index.html": "<p>landing",
        "api-reference.html": "<p>reference",
        "assets/site.0123456789ab.css": "body {}",
        "licenses/swagger-ui-dist/LICENSE.txt": "Apache",
        ".built": "",
    })


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("assets/site.0123456789ab.css", "text/css; charset=utf-8"),
        ("assets/swagger-ui-bundle.0123456789ab.js", "text/javascript; charset=utf-8"),
        ("assets/favicon.0123456789ab.svg", "image/svg+xml"),
        ("licenses/x/LICENSE.txt", "text/plain; charset=utf-8"),
        ("assets/LOGO.PNG", "image/png"),
        ("data.bin", "application/octet-stream"),
    ],
)
def test_content_type_by_ending(name: str, expected: str) -> None:
    assert content_type(name) == expected


def _policy(name: str) -> dict[str, str]:
    csp = security_headers(name)["Content-Security-Policy"]
    return dict(directive.strip().split(" ", 1) for directive in csp.split(";"))


@pytest.mark.parametrize("name", ["", "index.html", "assets/site.0123456789ab.css", "api-reference.html"])
def test_every_answer_carries_a_strict_policy_and_the_security_headers(name: str) -> None:
    headers = security_headers(name)
    policy = _policy(name)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert "script-src" not in policy and "style-src" not in policy, "no inline script or style anywhere"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_only_the_api_reference_may_show_data_images() -> None:
    assert _policy("api-reference.html")["img-src"] == "'self' data:"
    assert "img-src" not in _policy("index.html")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("assets/site.0123456789ab.css", LONG_CACHE),
        ("index.html", "no-cache"),
        ("api-reference.html", "no-cache"),
        ("licenses/swagger-ui-dist/LICENSE.txt", "no-cache"),
    ],
)
def test_only_hashed_assets_are_cached_for_long(name: str, expected: str) -> None:
    assert cache_control(name) == expected


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("", b"<p>landing"),
        ("/", b"<p>landing"),
        ("index.html", b"<p>landing"),
        ("api-reference", b"<p>reference"),
        ("api-reference/", b"<p>reference"),
        ("api-reference.html", b"<p>reference"),
        ("assets/site.0123456789ab.css", b"body {}"),
    ],
)
def test_pages_answer_with_and_without_html(dist: Path, path: str, body: bytes) -> None:
    found = find(path, dist)
    assert found is not None and found.body == body


@pytest.mark.parametrize(
    "path",
    [".built", "Index.html", "assets", "assets/", "../index.html", "assets/../index.html", "assets\\..\\index.html",
     "assets%2f..%2findex.html", "/etc/passwd", "dist/index.html", "licenses/swagger-ui-dist"],
)
def test_only_the_files_themselves_can_be_named(dist: Path, path: str) -> None:
    assert find(path, dist) is None


def test_links_out_of_the_folder_are_not_served(dist: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", dist / "secret.txt")
    assert find("secret.txt", dist) is None


def test_headers_of_a_file(dist: Path) -> None:
    page = find("api-reference", dist)
    asset = find("assets/site.0123456789ab.css", dist)
    assert page is not None and asset is not None
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Cache-Control"] == "no-cache"
    assert "data:" in page.headers["Content-Security-Policy"]
    assert asset.headers["Cache-Control"] == LONG_CACHE
    assert asset.etag.startswith('"') and asset.etag != page.etag


def test_a_new_build_is_served_once_it_is_swapped_in(dist: Path, tmp_path: Path) -> None:
    assert find("", dist).body == b"<p>landing"  # type: ignore[union-attr]
    write_tree(tmp_path / "next", {"index.html": "<p>new landing"})
    dist.rename(tmp_path / "previous")
    (tmp_path / "next").rename(dist)
    assert find("", dist).body == b"<p>new landing"  # type: ignore[union-attr]
    assert find("api-reference", dist) is None


def test_a_missing_build_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(SiteNotBuilt, match="npm ci && npm run build"):
        find("", tmp_path / "dist")
