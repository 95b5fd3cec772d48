"""setuptools build hook: ship the top-level templates/, static/ and config.toml in the wheel.

They stay at the repository's top level (the layout fixes them there); a regular build copies
them into ``moderation/_bundled/`` where :mod:`moderation.resources` looks first. An editable
install skips the copy and reads the repository's own folders.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("templates", "static", "config.toml")


class BuildPyWithResources(build_py):
    """build_py that also copies the shipped top-level folders into the package."""

    def run(self):
        """Build the package as usual, then add the shipped files (not for editable installs)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "moderation" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target / name)
