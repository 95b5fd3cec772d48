"""Where the shipped files are: templates/, static/ and the default config.toml.

In the repository (and an editable install) they sit at its top level; a built wheel carries
copies under ``moderation/_bundled/`` (see ``build_hooks.py``), preferred when present.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "_bundled"
ROOT = BUNDLED if (BUNDLED / "config.toml").is_file() else PACKAGE.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
DEFAULT_CONFIG = ROOT / "config.toml"


def user_data_dir() -> Path:
    """The per-user folder the packaged default config keeps its data in.

    ``$XDG_DATA_HOME/moderation``, else ``~/.local/share/moderation`` (the XDG default).
    """
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "moderation"
