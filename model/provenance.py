"""What produced an output folder, and the marker that says it is complete.

Every output folder (a run, a sweep's run, a comparison report, the CPB replay, a calibration,
a sensitivity study) gets `COMPLETE.json` as the last file written: the carelines version, the
command, when it finished and the versions of Python and the packages the numbers depend on.
A folder without it is unfinished (a run that was killed, or one still being written).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

MARKER = "COMPLETE.json"
PACKAGES = ("numpy", "numba", "mesa", "pandas", "scipy", "pyarrow", "hydra-core", "omegaconf")


def version(package: str = "carelines") -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict:
    """carelines, Python and the packages results depend on, by name."""
    return {"carelines": version(), "python": platform.python_version(),
            **{name: version(name) for name in PACKAGES}}


def command() -> str:
    """The command line this process was started with, as one string."""
    argv = list(sys.argv)
    if argv and argv[0].endswith(".py") and "-m" not in argv:
        module = Path(argv[0])
        if module.parent.name in ("experiments", "benchmarks", "analysis"):
            argv[0] = f"python -m {module.parent.name}.{module.stem}"
    return " ".join(argv)


def marker(kind: str, extra: dict | None = None) -> dict:
    """The contents of a completion marker for an output folder of `kind` (run, compare, ...)."""
    return {"complete": True, "kind": kind, "carelines": version(), "command": command(),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": versions(), **(extra or {})}


def write_atomic(path: str | Path, write) -> None:
    """Write a file under its final name only when complete: `write(temporary_path)` writes a
    temporary file in the same folder, which is then renamed into place (a rename within one
    folder is atomic). Every output file is written this way, so a killed job never leaves a
    file that looks finished."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_marker(folder: str | Path, kind: str, extra: dict | None = None) -> Path:
    """Write COMPLETE.json into `folder` (whole, `write_atomic`): call it last."""
    path = Path(folder) / MARKER
    write_atomic(path, lambda tmp: Path(tmp).write_text(json.dumps(marker(kind, extra), indent=2)))
    return path


def is_complete(folder: str | Path, kind: str | None = None) -> bool:
    """True when `folder` holds a completion marker (of `kind`, if given)."""
    path = Path(folder) / MARKER
    if not path.is_file():
        return False
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return bool(found.get("complete")) and (kind is None or found.get("kind") == kind)


def clear_marker(folder: str | Path) -> None:
    """Remove the marker before a folder is written again (it is complete only when rewritten)."""
    (Path(folder) / MARKER).unlink(missing_ok=True)
