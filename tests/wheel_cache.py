"""A local wheel cache made from the running environment, so a fresh venv installs the
project's dependencies with ``pip install --no-index --find-links CACHE``: no index, no
internet, and nothing taken from the base interpreter's site-packages.

Each installed distribution the built wheel needs (its Requires-Dist, followed recursively
through the installed distributions, markers evaluated, extras left out) is packed back
into a wheel from the files its RECORD lists, with the tags its WHEEL file names. Console
scripts come back from ``entry_points.txt`` when pip installs the wheel.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Files pip writes at install time: a wheel carries none of them.
INSTALL_ONLY = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def wheel_requirements(wheel: Path) -> list[str]:
    """The Requires-Dist lines of a built wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode("utf-8")
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def requirements_of(lines: list[str]) -> list[str]:
    """Every distribution these requirement lines need at run time in this environment:
    them and their requirements, followed recursively, markers evaluated, extras left out."""
    needed: dict[str, None] = {}
    queue = list(lines)
    while queue:
        requirement = Requirement(queue.pop())
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = canonicalize_name(requirement.name)
        if key in needed:
            continue
        needed[key] = None
        queue.extend(metadata.distribution(requirement.name).requires or ())
    return sorted(needed)


def _tags(dist: metadata.Distribution) -> str:
    """The wheel's compressed tag (``cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64``)
    from the WHEEL file; pure Python when there is none."""
    wheel = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    if not tags:
        return "py3-none-any"
    parts = [tag.split("-") for tag in tags]
    return "-".join(".".join(dict.fromkeys(p[i] for p in parts)) for i in range(3))


def _record_line(name: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def repack(name: str, out: Path) -> Path:
    """Pack the installed distribution `name` back into a wheel in `out`; its path."""
    dist = metadata.distribution(name)
    root = Path(dist.locate_file(""))
    files = [f for f in dist.files or () if not str(f).startswith("..")]
    dist_info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info"))
    stem = re.sub(r"[^\w.]+", "_", dist.metadata["Name"]), dist.version
    target = out / f"{stem[0]}-{stem[1]}-{_tags(dist)}.whl"
    record = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in files:
            path = str(file)
            if file.suffix == ".pyc" or "__pycache__" in file.parts:
                continue
            if file.parts[0] == dist_info and file.name in INSTALL_ONLY:
                continue
            source = root / file
            if not source.is_file():
                continue
            data = source.read_bytes()
            wheel.writestr(path, data)
            record.append(_record_line(path, data))
        listing = io.StringIO()
        writer = csv.writer(listing, lineterminator="\n")
        writer.writerows(record)
        writer.writerow([f"{dist_info}/RECORD", "", ""])
        wheel.writestr(f"{dist_info}/RECORD", listing.getvalue())
    return target


def build_cache(wheel: Path, out: Path) -> list[Path]:
    """Wheels of every distribution the built `wheel` needs, packed from this environment
    into `out` (made if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    return [repack(name, out) for name in requirements_of(wheel_requirements(wheel))]
