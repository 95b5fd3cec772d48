"""The package's imports: no circles between modules, and every import points down the layers.

web, cli and scheduling -> pipeline and export -> storage -> scoring; collectors and scoring
import nothing of the rest. The modules are read with ``ast``, so imports inside functions
(the lazy ones) count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import moderation

PACKAGE_DIR = Path(moderation.__file__).parent

# Top to bottom: a module may import its own layer and the layers below it. A layer is a
# set of folders (a package and everything in it) and top-level modules: no file is placed
# apart from its folder. A module in no layer fails the test.
LAYERS = (
    (
        "entry points",
        (
            "moderation",  # create_app; imports the subsystems that register their settings
            "moderation.cli",
            "moderation.web",
            "moderation.scheduling",
            "moderation.config_file",  # writes config.toml from the declarations
        ),
    ),
    (
        "pipeline, export and senders",
        (
            "moderation.pipeline",
            "moderation.opinion_pass",  # second opinions asked between scoring and rules
            "moderation.opinion_metrics",  # providers' figures and agreement for /metrics
            "moderation.export",
            "moderation.drafting",
            "moderation.sending",  # the outbox, alerts and reports taken from storage and sent
            "moderation.desk_metrics",
        ),
    ),
    ("storage", ("moderation.db", "moderation.storage")),
    # each channel's actions, robots, mail and alert conditions: pure or network, on the
    # collectors' HTTP layer
    # and the content-safety services asked for a second opinion (network and parsing)
    (
        "channel actions, alert delivery and second opinions",
        ("moderation.push", "moderation.alerts", "moderation.second_opinion"),
    ),
    # typed settings from config.toml: the subsystems register what it checks (it imports
    # none of them); below it only data it reads defaults from (scoring.lexicon)
    ("settings", ("moderation.settings",)),
    # scored comments, rules over them (pure) and the channels' readers
    ("scoring and collectors", ("moderation.scoring", "moderation.rules", "moderation.collectors")),
    (
        "shared names",
        (
            "moderation.states",
            "moderation.timeutil",
            "moderation.digits",  # ids and counts sent as text
            "moderation.roles",
            "moderation.declare",  # settings' declarations and the registry subsystems fill
            "moderation.secret_keys",
            "moderation.resources",  # where the shipped templates/static/config.toml are
        ),
    ),
    ("logging", ("moderation.logs",)),
)


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


def layer_of(module: str) -> int:
    """The layer's position, top first: the layer holding the module's top folder (or the
    top-level module itself)."""
    top = ".".join(module.split(".")[:2])
    for position, (_, names) in enumerate(LAYERS):
        if top in names:
            return position
    raise AssertionError(f"{module} is in no layer: add {top} to LAYERS in this test")


def _area(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_graph() -> dict[str, set[str]]:
    """The package's import graph."""
    return import_graph(PACKAGE_DIR)


def test_layers_are_folders_with_no_file_placed_apart():
    """Every name in LAYERS is a folder of the package or a top-level module: no pattern,
    no file of one folder put in another layer."""
    for _, names in LAYERS:
        for name in names:
            parts = name.split(".")
            assert len(parts) <= 2 and "*" not in name, name
            path = PACKAGE_DIR.joinpath(*parts[1:])
            assert name == "moderation" or path.is_dir() or path.with_suffix(".py").is_file()


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
