"""web/dist (written by `npm run build`) as the web function serves it: which URL path
names which file, with which Content-Type, cache rule and security headers.

A request path is only ever a key into an index of the files found in web/dist, never
joined to a folder, so no spelling of "..", "%2f" or "\\" can name anything else. The
index is read on first use and again after a new build has been swapped in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
INDEX_PAGE = "index.html"
HASHED_FOLDER = "assets"  # every name in it carries a hash of its content (web/build.mjs)
LONG_CACHE = "public, max-age=31536000, immutable"

# Fixed here rather than read from the system's mime.types, which differs between machines;
# with nosniff a wrong type is not guessed around but refused.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# default-src 'self' already forbids inline script and style, eval and every other origin.
BASE_POLICY = {
    "default-src": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# What a page needs beyond that: Swagger UI's stylesheet draws its icons as data: images.
PAGE_POLICIES = {
    "api-reference.html": {"img-src": "'self' data:"},
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}


class SiteNotBuilt(RuntimeError):
    """web/dist does not exist: the build step has not run."""


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    headers: dict[str, str]

    @property
    def etag(self) -> str:
        return self.headers["ETag"]


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), DEFAULT_CONTENT_TYPE)


def security_headers(name: str = "") -> dict[str, str]:
    """The headers every answer of the web function carries; `name` picks the page's policy."""
    policy = {**BASE_POLICY, **PAGE_POLICIES.get(name, {})}
    csp = "; ".join(f"{directive} {sources}" for directive, sources in policy.items())
    return {"Content-Security-Policy": csp, **SECURITY_HEADERS}


def cache_control(name: str) -> str:
    """Hashed assets for a year; everything else revalidated each time (its name stays, its content changes)."""
    return LONG_CACHE if PurePosixPath(name).parts[0] == HASHED_FOLDER else "no-cache"


def url_paths(name: str) -> list[str]:
    """Where a file answers: its own path and, for a page, the path without .html (index: the root)."""
    if name == INDEX_PAGE:
        return ["", name]
    if name.endswith(".html"):
        return [name.removesuffix(".html"), name]
    return [name]


def _load(path: Path, name: str) -> StaticFile:
    body = path.read_bytes()
    headers = {
        "Content-Type": content_type(name),
        "Cache-Control": cache_control(name),
        "ETag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        **security_headers(name),
    }
    return StaticFile(body, headers)


@lru_cache(maxsize=4)
def _index(root: Path, build: tuple[int, int]) -> dict[str, StaticFile]:
    """Every regular file below `root` by URL path; hidden files (build stamps) and links are left out.

    `build` (the folder's inode and mtime) only keys the cache: a new build is a new folder.
    """
    index: dict[str, StaticFile] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_symlink() or not path.is_file() or any(p.startswith(".") for p in relative.parts):
            continue
        static = _load(path, relative.as_posix())
        index.update((url, static) for url in url_paths(relative.as_posix()))
    return index


def find(url_path: str, root: Path = DIST) -> StaticFile | None:
    """The file a URL path (with or without its slashes) names, or None."""
    try:
        stat = root.stat()
    except FileNotFoundError:
        raise SiteNotBuilt(f"{root} is missing: build it with `npm ci && npm run build`") from None
    return _index(root, (stat.st_ino, stat.st_mtime_ns)).get(url_path.strip("/"))
