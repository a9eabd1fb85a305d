"""The layering of docs/architecture.md holds: the import contract in .importlinter (run
here with import-linter: the layers, every top-level package in one, and only the wiring
joining storage and the providers' adapters at the edge), the third-party packages each
package may import (an allow-list: a new SDK in the domain, or a new HTTP client at the
edge, fails here; import-linter sees only top-level packages, and all of Azure's are
``azure``), and an app import that loads no provider SDK."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = {"core", "conversations", "storage", "channels", "telemetry", "push", "functions", "localhost", "bench",
           "function_app", "tests"}
# What each package (and the app's module) may import beyond the standard library and the
# project, as import names or their prefixes; anything else is a leak.
ALLOWED = {
    "core": set(),
    "conversations": {"phonenumbers"},
    "storage": {"azure.core", "azure.data.tables", "azure.storage.queue", "azure.identity", "cryptography"},
    "channels": {"azure.core", "azure.communication", "twilio", "telesign", "requests", "urllib3", "jwt"},
    "telemetry": {"opentelemetry", "azure.monitor.opentelemetry", "azure.identity"},
    "push": {"azure.core", "azure.messaging.webpubsubservice", "azure.identity"},
    "functions": {"azure.functions"},
    "localhost": {"aiohttp", "azure.core", "azure.functions", "azure.storage.queue", "croniter", "cryptography", "jwt",
                  "psutil", "requests", "twilio"},
    "bench": {"azure.core", "cryptography", "requests"},
    "function_app.py": {"azure.functions"},
}
PROVIDER_SDKS = ("twilio", "telesign", "azure.communication", "azure.messaging", "jwt", "requests")
# Loaded only when APPLICATIONINSIGHTS_CONNECTION_STRING is set, and then on first use.
TELEMETRY = ("opentelemetry", "azure.monitor", "telemetry")


def test_the_import_contract_is_kept():
    # The console script: importlinter.cli has no __main__, so ``python -m`` would check nothing.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "0 broken" in run.stdout, run.stdout + run.stderr


def test_every_top_level_package_is_in_the_contract():
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}  # the make bench tools use tests'
    assert packages <= PROJECT and packages <= set(ALLOWED)
    contract = (REPO / ".importlinter").read_text()
    assert all(f"\n    {package}\n" in contract for package in packages)


def _third_party(path: Path) -> set[str]:
    """What a file imports from outside the standard library and the project (absolute
    imports; the project uses no others)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] not in sys.stdlib_module_names and n.split(".")[0] not in PROJECT}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_third_party_packages_it_may(package):
    allowed = ALLOWED[package]
    files = [REPO / package] if package.endswith(".py") else sorted((REPO / package).rglob("*.py"))
    leaks = {f"{path.relative_to(REPO)}: {name}" for path in files for name in _third_party(path)
             if not any(name == a or name.startswith(a + ".") for a in allowed)}
    assert not leaks


def test_importing_the_app_loads_no_provider_sdk():
    probe = ("import sys, function_app; "
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in {PROVIDER_SDKS!r} "
             f"or m.startswith('azure.communication')))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_importing_the_app_loads_no_telemetry():
    probe = ("import sys, function_app; "
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in {TELEMETRY!r} "
             f"or m.startswith('azure.monitor')))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
