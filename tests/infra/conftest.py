"""The fixtures of infra/deploy.sh's tests (tests/support/deploy.py): a throwaway
repository with the script and a small fake app, and a folder of stubs to put first on
PATH."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.support.deploy import (APP_HOST, CURL_STUB, CUSTOM_HOST, ENTRA_APP_ID, ENTRA_APP_NAME, ENTRA_SECRET,
                                  ENTRA_SP_ID, FAKE_APP, NPM_STUB, OBJECT_ID, REPO, STUB, TENANT_ID, WEBPUBSUB_HOST,
                                  WEBPUBSUB_PRINCIPAL)
from tests.support.files import write_tree


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", FAKE_APP)
    (root / "infra").mkdir()
    for name in ("deploy.sh", "package_app.py", "main.bicep", "main.parameters.json", "app-roles.json"):
        shutil.copy2(REPO / "infra" / name, root / "infra" / name)
    return root


@pytest.fixture
def stub_bin(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(STUB.format(
        python=sys.executable, host=APP_HOST, custom_host=CUSTOM_HOST, tenant=TENANT_ID, object_id=OBJECT_ID,
        app_id=ENTRA_APP_ID, app_name=ENTRA_APP_NAME, sp_id=ENTRA_SP_ID, entra_secret=ENTRA_SECRET,
        webpubsub_host=WEBPUBSUB_HOST, webpubsub_principal=WEBPUBSUB_PRINCIPAL,
    ))
    az.chmod(0o755)
    for name, stub in (("npm", NPM_STUB), ("curl", CURL_STUB)):
        path = bin_dir / name
        path.write_text(stub.format(python=sys.executable))
        path.chmod(0o755)
    # The script's own `python3` (it reads the CLI's JSON with the standard library) is this
    # interpreter, not whatever the machine's PATH finds first: a version manager's shim
    # there costs about 60 ms a call, and a run makes dozens.
    (bin_dir / "python3").symlink_to(sys.executable)
    return bin_dir
