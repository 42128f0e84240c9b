"""Build-time assets for the browser, built once by ``make assets`` before either engine runs.

``python -m macros`` (``make assets``) runs the pipeline (``STEPS``, in order), in CPython; each
step is a plain function of the project root, so a later step (a Pyodide memory snapshot, say)
is one more entry:

- ``check_catalogue``: the catalogue parses, or the build stops with file, line, key path, reason;
  the checked catalogue is kept for the macros, which Zensical runs once per page.
- ``build_wheel``: the ``calculators`` package as a wheel, built by the backend declared in
  ``pyproject.toml``; its version (and so file name) carries a hash of the sources.
- ``copy_pyodide``: the pinned runtime from ``node_modules/pyodide`` into ``<version>/``.
- ``build_stdlib``: a trimmed standard library precompiled to bytecode by that same Pyodide
  (``macros/precompile_stdlib.mjs`` under Node), cached by Pyodide version and script hash.
- ``build_snapshot``: a memory snapshot of that Pyodide with the calculators imported and warmed
  up (``macros/make_snapshot.mjs`` under Node), which the worker starts from when it can.
- ``write_links_config``: the short links and redirects as ``redirect_maps`` (macros/links.py).

The runtime files go to ``docs/assets/`` (git-ignored), which both engines copy into the site
and serve; ``build/generated/runtime.json`` tells the calculator macro their names. The browser
side then calls::

    loadPyodide({indexURL: "<copy_pyodide dir>/", stdLibURL: "<build_stdlib file>"})

and installs the wheel with ``pyodide.unpackArchive(bytes, "wheel", {extractDir: site-packages})``.
Any failure raises ``AssetError`` naming the step; nothing falls back silently. The functions
above the pipeline need only the standard library, so the tests and the benchmark call them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

PACKAGE: Final = "calculators"
# Wheels are zip files; a zip cannot store dates before 1980, so 1980-01-01 is every entry's date.
WHEEL_EPOCH: Final = 315532800
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
SNAPSHOT_SCRIPT: Final = Path("macros") / "make_snapshot.mjs"
NPM_HINT: Final = (
    "run `npm ci` in the project root to install the pinned Pyodide from package-lock.json"
)


class AssetError(RuntimeError):
    """Building a browser asset failed; the message names the step and the reason."""


# --- the calculators wheel -------------------------------------------------------------------


def build_wheel(project_root: Path, out_dir: Path) -> str:
    """Build ``calculators-<version>+g<hash>-py3-none-any.whl`` into ``out_dir``; return its name.

    The build backend declared in ``pyproject.toml`` (hatchling) builds it, without build
    isolation (the pinned backend is in the virtualenv). The version's local label is a hash of
    the package's sources (``tools/wheel_version.py``), so the name changes exactly when the code
    does; ``SOURCE_DATE_EPOCH`` fixes every timestamp, so the same sources give the same bytes.
    """
    project_root = Path(project_root)
    out_dir = Path(out_dir)
    if not (project_root / PACKAGE).is_dir():
        raise AssetError(
            f"build_wheel: the package directory {project_root / PACKAGE} does not exist"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".wheel-") as scratch:
        command = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--no-cache-dir",
            "--quiet",
            "--wheel-dir",
            scratch,
            str(project_root),
        ]
        environment = dict(os.environ, SOURCE_DATE_EPOCH=str(WHEEL_EPOCH))
        result = subprocess.run(
            command, cwd=project_root, env=environment, capture_output=True, text=True, check=False
        )
        built = sorted(Path(scratch).glob(f"{PACKAGE}-*.whl"))
        if result.returncode != 0 or len(built) != 1:
            detail = (result.stderr.strip() or result.stdout.strip() or "no output")[-4000:]
            raise AssetError(
                f"build_wheel: the build backend failed (exit {result.returncode}):\n{detail}"
            )
        os.replace(built[0], out_dir / built[0].name)
    return built[0].name


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


def _node(step: str, script: Path, arguments: list[str], cwd: Path) -> None:
    """Run a Node script of ``make assets``; ``AssetError`` with its output if it fails."""
    node = shutil.which("node")
    if node is None:
        raise AssetError(
            f"{step}: Node.js (`node`) is not on PATH; it is needed to run "
            f"{script.name} with Pyodide"
        )
    result = subprocess.run(
        [node, str(script), *arguments], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip() or "no output")[-4000:]
        raise AssetError(f"{step}: {script.name} failed (exit {result.returncode}):\n{detail}")


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
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".stdlib-") as scratch:
            produced = Path(scratch) / "python_stdlib.zip"
            _node(
                "build_stdlib",
                script,
                ["--pyodide-dir", str(pyodide_dir(project_root)), "--out", str(produced)],
                project_root,
            )
            if not produced.is_file():
                raise AssetError(f"build_stdlib: {PRECOMPILE_SCRIPT} wrote no {produced.name}")
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


# --- the pipeline ----------------------------------------------------------------------------

# Where the runtime files are written: inside the docs, so both engines copy and serve them.
SITE_ASSETS: Final = Path("docs") / "assets"
GENERATED: Final = Path("build") / "generated"
RUNTIME_MANIFEST: Final = GENERATED / "runtime.json"
STDLIB_CACHE: Final = Path("build") / "cache"
SNAPSHOT_DIR: Final = SITE_ASSETS / "snapshot"
ASSETS_HINT: Final = "run `make assets` (or `.venv/bin/python -m macros`) first"


@dataclass(frozen=True)
class Runtime:
    """The site-relative URLs of what the calculators' worker loads."""

    pyodide: str  # "assets/pyodide/<version>/"
    stdlib: str  # "assets/pyodide/python_stdlib-<hash>.zip"
    wheel: str  # "assets/calculators/calculators-<version>-py3-none-any.whl"
    snapshot: str = ""  # "assets/snapshot/calculators-<hash>.snapshot.gz"; "" when not built


def build_runtime(project_root: Path) -> Runtime:
    """The wheel, the Pyodide copy and the trimmed stdlib in ``docs/assets/``, and their manifest.

    Files of an earlier run that this one did not write (an older wheel or stdlib, another
    Pyodide version) are removed, so a site never ships them.
    """
    root = Path(project_root)
    calculators_dir = root / SITE_ASSETS / "calculators"
    pyodide_out = root / SITE_ASSETS / "pyodide"
    wheel = build_wheel(root, calculators_dir)
    version = copy_pyodide(root, pyodide_out)
    stdlib = build_stdlib(root, pyodide_out, root / STDLIB_CACHE)
    _remove_all_but(calculators_dir, {wheel})
    _remove_all_but(pyodide_out, {version, stdlib})
    runtime = Runtime(
        pyodide=f"assets/pyodide/{version}/",
        stdlib=f"assets/pyodide/{stdlib}",
        wheel=f"assets/calculators/{wheel}",
    )
    manifest = root / RUNTIME_MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(asdict(runtime), indent=2) + "\n", encoding="utf-8")
    return runtime


def read_runtime(project_root: Path) -> Runtime:
    """The runtime ``build_runtime`` wrote; ``AssetError`` saying what to run when it is missing."""
    manifest = Path(project_root) / RUNTIME_MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return Runtime(
            pyodide=data["pyodide"],
            stdlib=data["stdlib"],
            wheel=data["wheel"],
            snapshot=data.get("snapshot", ""),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AssetError(
            f"the browser runtime is not built ({manifest}: {error}); {ASSETS_HINT}"
        ) from None


def _remove_all_but(directory: Path, keep: set[str]) -> None:
    for entry in directory.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def build_snapshot(project_root: Path) -> str:
    """The interpreter snapshot for the runtime ``build_runtime`` wrote; return its site path.

    Made by ``macros/make_snapshot.mjs`` with the same Pyodide, trimmed stdlib, wheel and
    catalogue the pages use, and cached in ``build/cache`` under all of them (a cache hit costs
    one copy). Its name carries a hash of its bytes; it is added to the runtime manifest.
    """
    from calculators.web import html as web_html
    from macros import CATALOGUE_SNAPSHOT, cached_catalogue, catalogue_path, links

    root = Path(project_root)
    runtime = read_runtime(root)
    extra = links.read_site_config(root / "mkdocs.yml").get("extra")
    catalogue = cached_catalogue(catalogue_path(root, extra), root / CATALOGUE_SNAPSHOT)
    catalogue_json = web_html.script_json(catalogue.data)
    script = root / SNAPSHOT_SCRIPT
    try:
        key = hashlib.sha256(
            "\0".join(
                [
                    pyodide_version(root),
                    runtime.stdlib,
                    runtime.wheel,
                    catalogue_json,
                    _sha256_file(script),
                ]
            ).encode("utf-8")
        ).hexdigest()[:16]
    except OSError as error:
        raise AssetError(f"build_snapshot: cannot read {script}: {error}") from error
    cache_dir = root / STDLIB_CACHE
    cached = cache_dir / f"snapshot-{key}.gz"
    if not cached.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".snapshot-") as scratch:
            catalogue_file = Path(scratch) / "catalogue.json"
            catalogue_file.write_text(catalogue_json, encoding="utf-8")
            produced = Path(scratch) / "snapshot.gz"
            try:
                _node(
                    "build_snapshot",
                    script,
                    [
                        "--pyodide-dir",
                        str(pyodide_dir(root)),
                        "--stdlib",
                        str(root / SITE_ASSETS.parent / runtime.stdlib),
                        "--wheel",
                        str(root / SITE_ASSETS.parent / runtime.wheel),
                        "--catalogue",
                        str(catalogue_file),
                        "--out",
                        str(produced),
                    ],
                    root,
                )
            except AssetError as error:
                # The snapshot only speeds up the start: without one the worker starts normally.
                print(
                    f"{error}\nbuild_snapshot: no snapshot; calculators start without one",
                    file=sys.stderr,
                )
                _write_runtime(root, Runtime(**{**asdict(runtime), "snapshot": ""}))
                if (root / SNAPSHOT_DIR).is_dir():
                    _remove_all_but(root / SNAPSHOT_DIR, set())
                return ""
            os.replace(produced, cached)
    name = f"calculators-{_sha256_file(cached)[:12]}.snapshot.gz"
    out_dir = root / SNAPSHOT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    if not _same_file_content(cached, out_dir / name):
        shutil.copyfile(cached, out_dir / name)
    _remove_all_but(out_dir, {name})
    with_snapshot = Runtime(**{**asdict(runtime), "snapshot": f"assets/snapshot/{name}"})
    _write_runtime(root, with_snapshot)
    return with_snapshot.snapshot


def _write_runtime(root: Path, runtime: Runtime) -> None:
    (root / RUNTIME_MANIFEST).write_text(
        json.dumps(asdict(runtime), indent=2) + "\n", encoding="utf-8"
    )


def check_catalogue(project_root: Path) -> None:
    """Parse and check the catalogue once, for every page's macros (macros/__init__.py)."""
    from macros import CATALOGUE_SNAPSHOT, catalogue_path, links, write_catalogue_snapshot

    root = Path(project_root)
    extra = links.read_site_config(root / "mkdocs.yml").get("extra")
    write_catalogue_snapshot(catalogue_path(root, extra), root / CATALOGUE_SNAPSHOT)


def write_links_config(project_root: Path) -> None:
    """Short links, redirects, the header's currency choices, the support contact and the runtime
    files, in the configuration both engines read (Zensical's templates see no change define_env
    makes)."""
    from macros import CATALOGUE_SNAPSHOT, cached_catalogue, catalogue_path, links
    from macros.currency import Money

    root = Path(project_root)
    extra = links.read_site_config(root / "mkdocs.yml").get("extra")
    catalogue = cached_catalogue(catalogue_path(root, extra), root / CATALOGUE_SNAPSHOT)
    company = catalogue.company
    links.write_generated_config(
        root,
        {
            "kb_currency": Money(catalogue).choices(),
            # Theme templates without a page (overrides/404.html) read the support contact here.
            "kb_support": {
                "company": company.name,
                "email": company.support_email,
                "form_url": company.support_form_url,
            },
            # The page head of calculator pages starts the worker and preloads these (main.html).
            "kb_runtime": asdict(read_runtime(root)),
        },
    )


STEPS: Final[tuple[tuple[str, Callable[[Path], object]], ...]] = (
    ("catalogue", check_catalogue),
    ("runtime", build_runtime),
    ("snapshot", build_snapshot),
    ("links", write_links_config),
)


def main(argv: list[str] | None = None) -> int:
    """``python -m macros [PROJECT_ROOT]``: build what both engines need, in order."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).resolve().parent.parent
    for name, step in STEPS:
        try:
            step(root)
        except (AssetError, ValueError, OSError) as error:
            print(f"make assets: {name}: {error}", file=sys.stderr)
            return 1
    return 0
