"""The two files of the script root that change how the host behaves.

`local.settings.json` stands in for App Settings (Core Tools loads its
`Values` into the environment, never overriding what is already set, so a
shell or test can still pin a value); `host.json` carries the HTTP route
prefix.
"""

from __future__ import annotations

import json
import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

DEFAULT_ROUTE_PREFIX = "api"


class SettingsError(ValueError):
    """A settings file that exists but cannot be used."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path} must contain a JSON object")
    return data


def load_local_settings(script_root: Path, environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Copy `Values` of `local.settings.json` into `environ` where unset; return the names copied."""
    env = os.environ if environ is None else environ
    path = script_root / "local.settings.json"
    if not path.is_file():
        return []
    values = _read_json(path).get("Values") or {}
    if not isinstance(values, dict):
        raise SettingsError(f"{path}: Values must be a JSON object")
    copied = []
    for name, value in values.items():
        if name in env:
            continue
        if value is None:
            continue
        # App settings are strings; accept JSON numbers and booleans as Azure's portal would show them.
        env[name] = value if isinstance(value, str) else json.dumps(value)
        copied.append(name)
    return copied


def host_json(script_root: Path) -> dict[str, Any]:
    """host.json of the script root ({} without one)."""
    path = script_root / "host.json"
    return _read_json(path) if path.is_file() else {}


def route_prefix(script_root: Path) -> str:
    """`extensions.http.routePrefix` from host.json, without surrounding slashes."""
    path = script_root / "host.json"
    if not path.is_file():
        return DEFAULT_ROUTE_PREFIX
    http = (_read_json(path).get("extensions") or {}).get("http") or {}
    prefix = http.get("routePrefix", DEFAULT_ROUTE_PREFIX)
    if not isinstance(prefix, str):
        raise SettingsError(f"{path}: extensions.http.routePrefix must be a string")
    return prefix.strip("/")
