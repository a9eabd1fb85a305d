#!/usr/bin/env python3
"""Build the zip that deploy.sh uploads with
`az functionapp deployment source config-zip --build-remote true`.

The package holds the app as the Functions host sees it at the root of the zip:
host.json, requirements.txt (the remote build installs it), every top-level *.py file
(function_app.py, ...) and every top-level directory that contains Python code
(functions/, channels/, conversations/, storage/, ...). The tree is read at packaging time,
so a new top-level package is picked up without touching this script. Beside the code it
holds web/dist, the pages the app serves: built by `npm run build` and never committed, so
packaging stops with a message when it is missing rather than ship an app without pages.

Each module goes with its bytecode, compiled by the interpreter that packages when it is the
app's runtime version (RUNTIME; another's would be passed by, so it is left out, with a
warning) and checked against the source by its hash, not its time, so it holds wherever the
files are unpacked. The remote build installs the requirements and compiles nothing of the app's
own, and the package is mounted read-only: without it each cold start would compile every
module again (`make bench` measures both).

Never packaged: tests, local tooling (localhost/, bench/), infra/, docs/, web/'s sources,
hidden entries
(.git, .venv, .venv-infra, ...), virtualenvs, caches, local.settings.json, and anything
matched by a `.funcignore` file at the repository root (same role as for Core Tools:
one glob per line, `#` comments, matched against paths relative to the root).

Usage: package_app.py --output PATH.zip [--root DIR] [--list]
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

REQUIRED_FILES = ("function_app.py", "host.json", "requirements.txt")
TOP_LEVEL_FILES = ("host.json", "requirements.txt")
EXCLUDED_DIRS = {
    "tests",
    "localhost",
    "bench",
    "infra",
    "docs",
    "node_modules",
    "__pycache__",
    "venv",
    "env",
}
EXCLUDED_NAMES = {"local.settings.json", ".DS_Store"}
# Built folders without Python that the app reads at run time, and the command that builds each.
BUILT_DIRS = {"web/dist": "npm ci && npm run build"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo")  # the tree's own bytecode: the package's is compiled here
RUNTIME = (3, 11)  # the Function App's Python (infra/modules/functionapp.bicep, functionAppConfig.runtime)
# Fixed timestamp: the same tree always gives the same zip.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def read_funcignore(root: Path) -> list[str]:
    path = root / ".funcignore"
    if not path.is_file():
        return []
    patterns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line.rstrip("/"))
    return patterns


def ignored(rel: PurePosixPath, patterns: list[str]) -> bool:
    """True if the path, or one of its parent directories, matches a .funcignore glob."""
    candidates = [str(rel)] + [str(parent) for parent in rel.parents if str(parent) != "."]
    return any(fnmatch.fnmatch(candidate, pattern) for pattern in patterns for candidate in candidates)


def excluded_name(name: str) -> bool:
    return name.startswith(".") or name in EXCLUDED_NAMES or name.endswith(EXCLUDED_SUFFIXES)


def contains_python(directory: Path) -> bool:
    return any(True for _ in directory.rglob("*.py"))


def tree(root: Path, directory: Path, patterns: list[str]) -> list[PurePosixPath]:
    """The files below `directory`, as paths relative to `root`, less what is never packaged."""
    files: list[PurePosixPath] = []
    for path in sorted(directory.rglob("*")):
        sub = PurePosixPath(path.relative_to(root).as_posix())
        if not path.is_file() or ignored(sub, patterns):
            continue
        if any(excluded_name(part) or part in EXCLUDED_DIRS for part in sub.parts):
            continue
        files.append(sub)
    return files


def built(root: Path, patterns: list[str]) -> list[PurePosixPath]:
    """The files of BUILT_DIRS; SystemExit naming the build command when one was not built."""
    files: list[PurePosixPath] = []
    for folder, command in BUILT_DIRS.items():
        if not (root / folder / "index.html").is_file():
            raise SystemExit(f"package_app: {folder}/index.html is missing: build it first ({command})")
        files += tree(root, root / folder, patterns)
    return files


def collect(root: Path) -> list[PurePosixPath]:
    missing = [name for name in REQUIRED_FILES if not (root / name).is_file()]
    if missing:
        raise SystemExit(f"package_app: {root} is not the app root, missing: {', '.join(missing)}")
    patterns = read_funcignore(root)
    files: list[PurePosixPath] = []
    for entry in sorted(root.iterdir()):
        rel = PurePosixPath(entry.name)
        if excluded_name(entry.name) or ignored(rel, patterns):
            continue
        if entry.is_file() and (entry.suffix == ".py" or entry.name in TOP_LEVEL_FILES):
            files.append(rel)
        elif entry.is_dir() and entry.name not in EXCLUDED_DIRS and contains_python(entry):
            files += tree(root, entry, patterns)
    return files + built(root, patterns)


def bytecode(root: Path, rel: PurePosixPath, scratch: Path) -> tuple[PurePosixPath, bytes]:
    """A module's bytecode for this interpreter, where it looks for it, checked by the hash
    of its source."""
    compiled = scratch / "module.pyc"
    py_compile.compile(str(root / rel), cfile=str(compiled), dfile=str(rel), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    return PurePosixPath(importlib.util.cache_from_source(str(rel))), compiled.read_bytes()


def build(root: Path, output: Path) -> list[PurePosixPath]:
    """Write the zip; the paths it holds, the modules' bytecode after each."""
    packaged, compiled = collect(root), sys.version_info[:2] == RUNTIME
    if not compiled:
        print(f"package_app: Python {sys.version_info[0]}.{sys.version_info[1]} is not the app's runtime "
              f"({RUNTIME[0]}.{RUNTIME[1]}): packaged without bytecode, so each cold start compiles the modules",
              file=sys.stderr)
    files: list[PurePosixPath] = []
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, \
            zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel in packaged:
            entries = [(rel, (root / rel).read_bytes())]
            if rel.suffix == ".py" and compiled:
                entries.append(bytecode(root, rel, Path(scratch)))
            for name, data in entries:
                info = zipfile.ZipInfo(str(name), date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
                files.append(name)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Package the Switchboard function app for a zip deploy.")
    parser.add_argument("--output", required=True, type=Path, help="zip file to write")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="app root (default: the repository containing this script)",
    )
    parser.add_argument("--list", action="store_true", help="print the packaged paths")
    args = parser.parse_args(argv)
    files = build(args.root.resolve(), args.output)
    if args.list:
        for rel in files:
            print(rel)
    print(f"package_app: {len(files)} files -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
