"""Private means private: no module uses another module's leading-underscore names.

Read with ``ast``: ``from moderation.x import _name`` and ``x._name`` where ``x`` is a module
of the package imported under that name both count, inside functions too. If two modules
need a name, it gets a public name and a home.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_import_layers import PACKAGE_DIR, module_names


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _absolute(node: ast.ImportFrom, package: str) -> str:
    base = node.module or ""
    if node.level:
        anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{anchor}.{base}" if base else anchor
    return base


def reaches(path: Path, name: str, modules: dict[str, Path]) -> list[str]:
    """Where module `name` (file `path`) uses another module's private names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}  # local name -> the package's module it is bound to
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node, package)
            if not source.startswith("moderation"):
                continue
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
                elif _private(alias.name) and source != name:
                    found.append(f"{name}:{node.lineno} imports {source}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("moderation") and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and aliases.get(node.value.id, name) != name
        ):
            target = aliases[node.value.id]
            found.append(f"{name}:{node.lineno} uses {target}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    modules = module_names(PACKAGE_DIR)
    found = [line for name, path in modules.items() for line in reaches(path, name, modules)]
    assert found == []


def test_private_reach_is_found(tmp_path, monkeypatch):
    """Both spellings are caught: a from-import of a private name and module._name."""
    package = tmp_path / "moderation"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def _helper():\n    pass\n")
    (package / "high.py").write_text(
        "from moderation.low import _helper\n"
        "from moderation import low\n"
        "def f():\n    return low._helper()\n"
    )
    modules = module_names(package)
    assert reaches(package / "high.py", "moderation.high", modules) == [
        "moderation.high:1 imports moderation.low._helper",
        "moderation.high:4 uses moderation.low._helper",
    ]
    assert reaches(package / "low.py", "moderation.low", modules) == []
