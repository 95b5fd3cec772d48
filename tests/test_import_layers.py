"""The package's imports: no circles between modules, and every import points down the layers.

web, cli and scheduling -> pipeline and export -> storage -> scoring; collectors and scoring
import nothing of the rest. The modules are read with ``ast``, so imports inside functions
(the lazy ones) count too.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import moderation

PACKAGE_DIR = Path(moderation.__file__).parent

# Top to bottom: a module may import its own layer and the layers below it. Names are
# fnmatch patterns over module names; the first layer that matches wins.
LAYERS = (
    (
        "entry points",
        (
            "moderation",
            "moderation.cli",
            "moderation.cli.*",
            "moderation.web",
            "moderation.web.*",
            "moderation.scheduling",
            "moderation.scheduling.*",
            "moderation.operations",
            "moderation.config_file",  # writes config.toml from the declarations
            "moderation.*.commands",  # a command group kept beside its area
            "moderation.*.*_commands",
        ),
    ),
    (
        "pipeline and export",
        (
            "moderation.pipeline",
            "moderation.opinion_pass",  # second opinions asked between scoring and rules
            "moderation.opinion_metrics",  # providers' figures and agreement for /metrics
            "moderation.export",
            "moderation.export.*",
            "moderation.drafting",
            "moderation.drafting.*",
            "moderation.sending",  # the outbox, alerts and reports taken from storage and sent
            "moderation.sending.*",
            "moderation.desk_metrics",
        ),
    ),
    ("storage", ("moderation.db", "moderation.storage", "moderation.storage.*")),
    ("settings", ("moderation.settings",)),
    # each channel's actions, robots, mail and alert conditions: pure or network, on the
    # collectors' HTTP layer (what settings declare and check)
    (
        "channel actions and alert delivery",
        (
            "moderation.push",
            "moderation.push.*",
            "moderation.alerts",
            "moderation.alerts.*",
            "moderation.second_opinion",  # content-safety services asked: network + parsing
            "moderation.second_opinion.*",
        ),
    ),
    (
        "scoring and collectors",
        (
            "moderation.scoring",
            "moderation.scoring.*",
            "moderation.rules",  # conditions and actions over a scored comment: pure
            "moderation.rules.*",
            "moderation.collectors",
            "moderation.collectors.*",
            "moderation.scheduling.spec",  # parses a schedule: settings checks it at start
        ),
    ),
    (
        "shared names",
        (
            "moderation.states",
            "moderation.timeutil",
            "moderation.roles",
            "moderation.declare",
            "moderation.secret_keys",
            "moderation.resources",  # where the shipped templates/static/config.toml are
        ),
    ),
    ("logging", ("moderation.logs",)),
)

# Imports that other branches of issue 19 are taking out: each closes a circle (or points
# up) that is theirs to break. Drop an entry once its branch is merged.
ALLOWED: dict[tuple[str, str], str] = {}


def module_names(package_dir: Path) -> dict[str, Path]:
    """{dotted module name: file} for every module of the package."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(node: ast.AST, package: str, modules: dict[str, Path]) -> set[str]:
    """The package's modules one import statement names (a package when no module is)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            base = f"{anchor}.{base}" if base else anchor
        targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        targets = [t for t in targets[:-1] if t in modules] or targets[-1:]
    else:
        return set()
    found = set()
    for target in targets:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target:
            found.add(target)
    return found


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """{module: the package's modules it imports anywhere in its body}."""
    modules = module_names(package_dir)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported |= _imported(node, package, modules)
        graph[name] = imported - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of two or more modules that import each other, directly or round a loop."""
    order, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.get(module, ())):
            if other not in order:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], order[other])
        if low[module] == order[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return found


def allowed(importer: str, imported: str) -> bool:
    """Whether an import is one another branch is taking out (see ``ALLOWED``)."""
    return any(fnmatch(importer, a) and fnmatch(imported, b) for a, b in ALLOWED)


def layer_of(module: str) -> int:
    """The layer's position, top first: a module named exactly wins over a pattern."""
    for position, (_, patterns) in enumerate(LAYERS):
        if module in patterns:
            return position
    for position, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch(module, pattern) for pattern in patterns):
            return position
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in this test")


def _area(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_graph() -> dict[str, set[str]]:
    """The package's import graph without the imports other branches are taking out."""
    graph = import_graph(PACKAGE_DIR)
    return {
        module: {o for o in others if not allowed(module, o)} for module, others in graph.items()
    }


def test_the_package_has_no_import_circles():
    assert circles(package_graph()) == []


def test_every_import_points_down_the_layers():
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {other} ({LAYERS[layer_of(other)][0]})"
        for module, others in package_graph().items()
        for other in sorted(others)
        if layer_of(other) < layer_of(module)
    ]
    assert upward == []


def test_scoring_and_collectors_import_nothing_of_the_rest():
    bottom = layer_of("moderation.scoring")
    outside = [
        f"{module} imports {other}"
        for module, others in package_graph().items()
        if layer_of(module) == bottom
        for other in sorted(others)
        if _area(other) != _area(module) and layer_of(other) <= bottom
    ]
    assert outside == []


def test_a_circle_through_a_lazy_import_is_found(tmp_path):
    """The walker sees imports inside functions and relative ones, so a circle cannot hide."""
    package = tmp_path / "toy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from toy.high import g\n")
    (package / "high.py").write_text("from . import low\nfrom .low import f\n")
    (package / "alone.py").write_text("import toy.low\n")
    graph = import_graph(package)
    assert graph["toy.high"] == {"toy.low"} and graph["toy.alone"] == {"toy.low"}
    assert circles(graph) == [["toy.high", "toy.low"]]
