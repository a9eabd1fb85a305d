"""infra/package_app.py on a small tree: the built web pages go into the zip, their sources
do not, each module goes with bytecode the runtime takes wherever it is unpacked, and a
tree whose pages were never built is refused with the command that builds them."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.files import write_tree

PACKAGER = Path(__file__).resolve().parents[2] / "infra" / "package_app.py"
_spec = importlib.util.spec_from_file_location("package_app", PACKAGER)
package_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package_app)

APP = {
    "function_app.py": "app = None\n",
    "host.json": "{}\n",
    "requirements.txt": "azure-functions\n",
    "functions/web.py": "bp = None\n",
    "web/build.mjs": "// the build\n",
    "web/pages/index.html": "<!doctype html>\n",
    "web/assets/site.css": "body {}\n",
}
BUILT = {
    "web/dist/index.html": "<!doctype html>\n",
    "web/dist/api-reference.html": "<!doctype html>\n",
    "web/dist/assets/site.0123456789ab.css": "body {}\n",
    "web/dist/licenses/swagger-ui-dist/LICENSE.txt": "Apache License\n",
    "web/dist/.built": "",
}


def _package(root: Path, output: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(PACKAGER), "--root", str(root), "--output", str(output)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_the_built_pages_are_packaged_and_their_sources_are_not(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "app", {**APP, **BUILT})
    result = _package(root, tmp_path / "app.zip")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        names = set(archive.namelist())
        assert archive.read("web/dist/index.html") == b"<!doctype html>\n"
    assert {name for name in names if name.startswith("web/")} == {
        "web/dist/index.html",
        "web/dist/api-reference.html",
        "web/dist/assets/site.0123456789ab.css",
        "web/dist/licenses/swagger-ui-dist/LICENSE.txt",
    }, "the stamp make leaves in web/dist is hidden, and nothing outside web/dist is packaged"


def test_each_module_goes_with_its_bytecode_checked_by_its_source_hash(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "app", {**APP, **BUILT, "functions/__pycache__/web.cpython-311.pyc": "stale"})
    assert _package(root, tmp_path / "app.zip").returncode == 0
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        for module in ("function_app.py", "functions/web.py"):
            pyc = archive.read(importlib.util.cache_from_source(module))
            assert pyc[:4] == importlib.util.MAGIC_NUMBER, module  # this interpreter's
            assert int.from_bytes(pyc[4:8], "little") == 0b11, module  # hash-based, checked against the source
            assert pyc[8:16] == importlib.util.source_hash(archive.read(module)), module


def test_the_bytecode_is_for_the_runtime_the_function_app_declares() -> None:
    bicep = (PACKAGER.parent / "modules" / "functionapp.bicep").read_text()
    [version] = re.findall(r"name: 'python'\s+version: '([0-9.]+)'", bicep)
    assert version == ".".join(map(str, package_app.RUNTIME)) == "%d.%d" % sys.version_info[:2]


@pytest.mark.parametrize("built", [{}, {"web/dist/assets/site.0123456789ab.css": "body {}\n"}])
def test_unbuilt_pages_stop_the_packaging(tmp_path: Path, built: dict[str, str]) -> None:
    root = write_tree(tmp_path / "app", {**APP, **built})
    result = _package(root, tmp_path / "app.zip")
    assert result.returncode == 1
    assert "web/dist/index.html is missing" in result.stderr
    assert "npm ci && npm run build" in result.stderr
    assert not (tmp_path / "app.zip").exists()
