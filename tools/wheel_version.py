"""The calculators wheel's version: the release number plus a hash of the package's sources.

Read by hatchling (pyproject.toml ``[tool.hatch.version]``) whenever the wheel is built, so
every build backend run gives ``0.1.0+g<hash>``: the local label is the first 12 hex digits of a
SHA-256 over every ``.py`` file of ``calculators/`` (path and bytes). Same sources, same name;
any change, a new name that no browser has cached.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

RELEASE = "0.1.0"
PACKAGE_DIR = Path(__file__).resolve().parent.parent / "calculators"


def source_hash(package_dir: Path = PACKAGE_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        arcname = path.relative_to(package_dir.parent).as_posix()
        digest.update(arcname.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


__version__ = f"{RELEASE}+g{source_hash()}"
