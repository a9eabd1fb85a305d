"""infra/package_app.py on a small tree: the built web pages go into the zip, their sources
do not, and a tree whose pages were never built is refused with the command that builds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.files import write_tree

PACKAGER = Path(__file__).resolve().parents[2] / "infra" / "package_app.py"

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


@pytest.mark.parametrize("built", [{}, {"web/dist/assets/site.0123456789ab.css": "body {}\n"}])
def test_unbuilt_pages_stop_the_packaging(tmp_path: Path, built: dict[str, str]) -> None:
    root = write_tree(tmp_path / "app", {**APP, **built})
    result = _package(root, tmp_path / "app.zip")
    assert result.returncode == 1
    assert "web/dist/index.html is missing" in result.stderr
    assert "npm ci && npm run build" in result.stderr
    assert not (tmp_path / "app.zip").exists()
