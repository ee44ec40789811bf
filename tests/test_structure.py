"""ctlab's shape: imports run one way, and no module reaches into another's private names.

The graph is built from the source text, imports inside functions included
(a lazy import is still a dependency); imports under ``if TYPE_CHECKING:`` are
for type checkers only and do not count.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ctlab"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    nodes, todo = [], [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        nodes.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return nodes


def _imports(name: str) -> list[tuple[str, str | None]]:
    """``(module, imported name or None)`` for each ctlab import in module ``name``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.startswith("ctlab")]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module.startswith("ctlab"):
                found += [(module, alias.name) for alias in node.names]
    return found


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name in MODULES:
        targets = set()
        for module, imported in _imports(name):
            submodule = f"{module}.{imported}"
            targets.add(submodule if submodule in MODULES else module)
        edges[name] = {t for t in targets if t in MODULES and t != name}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_import_graph_sees_lazy_imports_and_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert "ctlab.show" in _graph()["ctlab.simulate"], "Simulation.__str__ imports show inside a function"


def test_ctlab_s_imports_run_one_way() -> None:
    assert _cycles(_graph()) == []


def test_no_module_imports_another_module_s_private_name() -> None:
    private = [
        f"{name} imports {module}.{imported}"
        for name in MODULES
        for module, imported in _imports(name)
        if imported and imported.startswith("_") and not imported.endswith("__")  # __version__ is public
        and f"{module}.{imported}" not in MODULES  # a package-private module (ctlab._active) is fine
    ]
    assert private == []


ROOT = PACKAGE.parent
DOTTED = re.compile(r"\bctlab(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
LOGGER = re.compile(r"getLogger\(\s*\\?[\"'](ctlab[\w.]*)")


def _printed_paths() -> set[str]:
    """Every ``ctlab.x.y`` the README and the notebooks (source and stored outputs) show a reader."""
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    loggers = {name for text in texts for name in LOGGER.findall(text)}  # a logger's name is not an import path
    return {path for text in texts for path in DOTTED.findall(text)} - loggers


def _resolve(path: str) -> object:
    """``path`` as a reader types it: import its longest module prefix, then attribute by attribute from ``ctlab``."""
    import importlib

    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        try:
            importlib.import_module(".".join(parts[:end]))
            break
        except ImportError:
            continue
    found: object = importlib.import_module("ctlab")
    for part in parts[1:]:
        found = getattr(found, part)
    return found


def test_every_dotted_path_the_readme_and_the_notebooks_show_resolves_as_typed() -> None:
    paths = _printed_paths()
    assert "ctlab.retry.chat_with_retry" in paths and "ctlab.attempts" not in paths
    assert [path for path in sorted(paths) if not _resolves(path)] == []


def _resolves(path: str) -> bool:
    try:
        _resolve(path)
    except AttributeError:
        return False
    return True


def test_the_readme_s_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


KEY = re.compile(r"""(?:\bt|CtlabError)\(\s*f?["']([a-z0-9_.]+)(\{)?""")


def _reach(name: str, edges: dict[str, set[str]]) -> set[str]:
    """``name``, the packages it lives in, and everything they import, transitively."""
    parts = name.split(".")
    seen, todo = set(), [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(edges.get(module, ()))
    return seen


def test_every_message_a_module_uses_is_registered_by_a_module_it_imports() -> None:
    from ctlab.i18n import CATALOG

    for module in MODULES:
        importlib.import_module(module)
    edges, missing = _graph(), []
    for name, path in MODULES.items():
        reach = _reach(name, edges)
        for key, formatted in KEY.findall(path.read_text(encoding="utf-8")):
            keys = [k for k in CATALOG if k.startswith(key)] if formatted else [key]
            missing += [(name, k) for k in keys if k not in CATALOG or CATALOG.owner(k) not in reach]
    assert not missing
