"""Build-time assets for the browser: the calculators wheel and the self-hosted Pyodide runtime.

Called from the mkdocs-macros ``on_post_build`` hook, in CPython. Standard library only (no mkdocs
import), so the tests and the benchmark call the same functions. Every function writes into
``out_dir`` and returns the path of what it wrote *relative to* ``out_dir``, for the page to link.

- ``build_wheel``: the ``calculators`` package as a reproducible pure-Python wheel whose version
  (and so file name) carries a hash of the sources: same sources, same bytes, same name; any
  change, a new name that no browser has cached.
- ``copy_pyodide``: the pinned runtime from ``node_modules/pyodide`` into ``<version>/``.
- ``build_stdlib``: a trimmed standard library precompiled to bytecode by that same Pyodide
  (``macros/precompile_stdlib.mjs`` under Node), cached by Pyodide version and script hash.

The browser side must then call::

    loadPyodide({indexURL: "<copy_pyodide dir>/", stdLibURL: "<build_stdlib file>"})

and install the wheel with ``pyodide.unpackArchive(bytes, "wheel", {extractDir: site-packages})``.
Any failure raises ``AssetError`` naming the step; nothing falls back silently.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Final

PACKAGE: Final = "calculators"
# Wheels are zip files; a zip cannot store dates before 1980, so that is the fixed timestamp.
ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
# What the browser needs from the npm package: the loader (ES module, for a module worker), the
# Emscripten glue, the WebAssembly binary, the lock file Pyodide reads at start-up and the stock
# standard library (the default ``stdLibURL``, kept so the runtime also works unconfigured).
# Not copied: console*.html, *.map, *.d.ts, the UMD pyodide.js, README and package.json.
PYODIDE_RUNTIME_FILES: Final = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "pyodide-lock.json",
    "python_stdlib.zip",
)
PRECOMPILE_SCRIPT: Final = Path("macros") / "precompile_stdlib.mjs"
NPM_HINT: Final = (
    "run `npm ci` in the project root to install the pinned Pyodide from package-lock.json"
)


class AssetError(RuntimeError):
    """Building a browser asset failed; the message names the step and the reason."""


# --- the calculators wheel -------------------------------------------------------------------


def build_wheel(project_root: Path, out_dir: Path) -> str:
    """Write ``calculators-<version>+g<hash>-py3-none-any.whl`` into ``out_dir``; return its name.

    The local version label ``+g<hash>`` is the first 12 hex digits of a SHA-256 over every
    ``.py`` file of the package (path and bytes), so the name changes exactly when the code does.
    Entries are sorted, timestamps and permissions fixed: the same sources give the same bytes.
    """
    project_root = Path(project_root)
    package_dir = project_root / PACKAGE
    sources = _package_sources(package_dir)
    if not sources:
        raise AssetError(f"build_wheel: no .py files found under {package_dir}")
    project = _project_metadata(project_root)

    digest = hashlib.sha256()
    for arcname, data in sources:
        digest.update(arcname.encode("utf-8") + b"\0" + data + b"\0")
    version = f"{project['version']}+g{digest.hexdigest()[:12]}"
    dist_info = f"{PACKAGE}-{version}.dist-info"

    metadata_lines = [
        "Metadata-Version: 2.1",
        f"Name: {PACKAGE}",
        f"Version: {version}",
    ]
    if project.get("description"):
        metadata_lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        metadata_lines.append(f"Requires-Python: {project['requires-python']}")
    metadata = ("\n".join(metadata_lines) + "\n").encode("utf-8")
    wheel_file = (
        b"Wheel-Version: 1.0\n"
        b"Generator: plan-adjustments-kb macros/assets.py\n"
        b"Root-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )

    entries: list[tuple[str, bytes]] = [
        *sources,
        (f"{dist_info}/METADATA", metadata),
        (f"{dist_info}/WHEEL", wheel_file),
        (f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode()),
    ]
    record_lines = [f"{name},sha256={_urlsafe_digest(data)},{len(data)}" for name, data in entries]
    record_lines.append(f"{dist_info}/RECORD,,")
    entries.append((f"{dist_info}/RECORD", ("\n".join(record_lines) + "\n").encode("utf-8")))

    name = f"{PACKAGE}-{version}-py3-none-any.whl"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        _write_zip(out_dir / name, entries)
    except OSError as error:
        raise AssetError(f"build_wheel: cannot write {out_dir / name}: {error}") from error
    return name


def _package_sources(package_dir: Path) -> list[tuple[str, bytes]]:
    """Every .py file of the package as (archive name, bytes), sorted by archive name."""
    if not package_dir.is_dir():
        raise AssetError(f"build_wheel: the package directory {package_dir} does not exist")
    found = []
    for path in package_dir.rglob("*.py"):
        relative = path.relative_to(package_dir.parent)
        if "__pycache__" in relative.parts:
            continue
        found.append((relative.as_posix(), path.read_bytes()))
    return sorted(found)


def _project_metadata(project_root: Path) -> dict[str, str]:
    pyproject = project_root / "pyproject.toml"
    try:
        with pyproject.open("rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AssetError(f"build_wheel: cannot read {pyproject}: {error}") from error
    if project.get("name") != PACKAGE or not project.get("version"):
        raise AssetError(
            f"build_wheel: {pyproject} must have [project] name = {PACKAGE!r} and a version"
        )
    return {key: str(value) for key, value in project.items() if isinstance(value, str)}


def _urlsafe_digest(data: bytes) -> str:
    """The RECORD hash format: urlsafe base64 of the SHA-256, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _write_zip(path: Path, entries: list[tuple[str, bytes]]) -> None:
    """Write entries in the given order with fixed timestamps and permissions, atomically."""
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # Unix, so the permissions above are read as such
            archive.writestr(info, data, compresslevel=9)
    os.replace(partial, path)


# --- the Pyodide runtime ---------------------------------------------------------------------


def pyodide_dir(project_root: Path) -> Path:
    """``node_modules/pyodide``; raises ``AssetError`` telling to run ``npm ci`` when missing."""
    directory = Path(project_root) / "node_modules" / "pyodide"
    if not (directory / "package.json").is_file():
        raise AssetError(f"Pyodide is not installed: {directory} is missing; {NPM_HINT}")
    return directory


def pyodide_version(project_root: Path) -> str:
    """The installed Pyodide version, from ``node_modules/pyodide/package.json``."""
    package_json = pyodide_dir(project_root) / "package.json"
    try:
        version = json.loads(package_json.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as error:
        raise AssetError(f"cannot read the Pyodide version from {package_json}: {error}") from error
    if not isinstance(version, str) or not version or "/" in version or version.startswith("."):
        raise AssetError(f"{package_json}: unexpected version {version!r}")
    return version


def copy_pyodide(project_root: Path, out_dir: Path) -> str:
    """Copy the runtime files into ``out_dir/<version>/``; return ``"<version>"``.

    Files already there with the same size and content are left alone, so rebuilds are cheap.
    """
    source = pyodide_dir(project_root)
    version = pyodide_version(project_root)
    target = Path(out_dir) / version
    target.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_RUNTIME_FILES:
        origin = source / name
        if not origin.is_file():
            raise AssetError(
                f"copy_pyodide: {origin} is missing from the installed Pyodide {version}; "
                + NPM_HINT
            )
        destination = target / name
        if _same_file_content(origin, destination):
            continue
        try:
            shutil.copyfile(origin, destination)
        except OSError as error:
            raise AssetError(
                f"copy_pyodide: cannot copy {origin} to {destination}: {error}"
            ) from error
    return version


def _same_file_content(a: Path, b: Path) -> bool:
    if not b.is_file() or a.stat().st_size != b.stat().st_size:
        return False
    return _sha256_file(a) == _sha256_file(b)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the trimmed, precompiled standard library -----------------------------------------------


def build_stdlib(project_root: Path, out_dir: Path, cache_dir: Path) -> str:
    """Write ``python_stdlib-<hash>.zip`` (trimmed, precompiled) into ``out_dir``; return its name.

    The zip is made by ``macros/precompile_stdlib.mjs`` running the installed Pyodide under Node
    (so the bytecode matches that interpreter) and cached in ``cache_dir`` under the Pyodide
    version and the script's hash; a cache hit costs one file copy. The name carries a hash of the
    zip's bytes, so browsers never keep a stale one.
    """
    project_root = Path(project_root)
    version = pyodide_version(project_root)
    script = project_root / PRECOMPILE_SCRIPT
    try:
        script_hash = _sha256_file(script)[:16]
    except OSError as error:
        raise AssetError(
            f"build_stdlib: cannot read the precompile script {script}: {error}"
        ) from error
    cache_dir = Path(cache_dir)
    cached = cache_dir / f"python_stdlib-{version}-{script_hash}.zip"

    if not cached.is_file():
        node = shutil.which("node")
        if node is None:
            raise AssetError(
                "build_stdlib: Node.js (`node`) is not on PATH; it is needed to precompile the "
                "standard library with Pyodide"
            )
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".stdlib-") as scratch:
            produced = Path(scratch) / "python_stdlib.zip"
            command = [
                node, str(script),
                "--pyodide-dir", str(pyodide_dir(project_root)),
                "--out", str(produced),
            ]  # fmt: skip
            result = subprocess.run(
                command, cwd=project_root, capture_output=True, text=True, check=False
            )
            if result.returncode != 0 or not produced.is_file():
                detail = (result.stderr.strip() or result.stdout.strip() or "no output")[-4000:]
                raise AssetError(
                    f"build_stdlib: {PRECOMPILE_SCRIPT} failed "
                    f"(exit {result.returncode}):\n{detail}"
                )
            os.replace(produced, cached)

    name = f"python_stdlib-{_sha256_file(cached)[:12]}.zip"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not _same_file_content(cached, out_dir / name):
        try:
            shutil.copyfile(cached, out_dir / name)
        except OSError as error:
            raise AssetError(f"build_stdlib: cannot write {out_dir / name}: {error}") from error
    return name
