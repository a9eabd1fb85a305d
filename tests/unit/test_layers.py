"""The layering of docs/architecture.md holds: the import contract in .importlinter (run
here with import-linter), the Azure SDK packages each layer may import (import-linter
sees only top-level packages, and all of them are ``azure``), and an app import that
loads no provider SDK."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Which azure.* packages each package may import directly; any other is a leak.
AZURE_ALLOWED = {
    "core": set(),
    "conversations": set(),
    "storage": {"azure.core", "azure.data.tables", "azure.storage.queue", "azure.identity"},
    "channels": {"azure.core", "azure.communication"},
    "functions": {"azure.functions"},
    "telemetry": {"azure.monitor.opentelemetry", "azure.identity"},
}
PROVIDER_SDKS = ("twilio", "telesign", "azure.communication", "jwt", "requests")
# Loaded only when APPLICATIONINSIGHTS_CONNECTION_STRING is set, and then on first use.
TELEMETRY = ("opentelemetry", "azure.monitor", "telemetry")


def test_the_import_contract_is_kept():
    # The console script: importlinter.cli has no __main__, so ``python -m`` would check nothing.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "0 broken" in run.stdout, run.stdout + run.stderr


def _azure_imports(path: Path) -> set[str]:
    """The azure.* modules a file imports (absolute imports; the app uses no others)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] == "azure"}


@pytest.mark.parametrize("package", sorted(AZURE_ALLOWED))
def test_each_layer_imports_only_its_own_azure_packages(package):
    allowed = AZURE_ALLOWED[package]
    leaks = {f"{path.relative_to(REPO)}: {name}" for path in (REPO / package).rglob("*.py")
             for name in _azure_imports(path) if not any(name == a or name.startswith(a + ".") for a in allowed)}
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
