"""Dependencies flow one way: web -> indexer -> archive, and inside indexer search and load build on
extract, load on search; web never touches whoosh; no module imports itself back through others."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "indexer", "web")
FORBIDDEN = {
    "archive": {"indexer", "web", "whoosh"},
    "indexer": {"web"},
    "indexer.extract": {"indexer.load", "indexer.search"},
    "indexer.search": {"indexer.load"},
    "web": {"whoosh"},
}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module a file imports, at any depth (function-level imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_flow_one_way(package):
    offenders = {}
    for name, path in project_modules().items():
        if _within(name, package):
            bad = sorted(m for m in imported_modules(path) if any(_within(m, f) for f in FORBIDDEN[package]))
            if bad:
                offenders[name] = bad
    assert offenders == {}


def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (a package's __init__ counts as the package)."""
    modules = project_modules()
    return {name: {m for m in imported_modules(path) if m in modules and m != name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path of module names, or [] if there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, path + [node])):
                return found
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [])):
            return found
    return []


def test_no_module_imports_itself_back():
    assert find_cycle(import_graph()) == []


def test_the_checks_see_imports_and_cycles(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("import whoosh.index\nfrom web.app import create_app\nfrom . import local\n"
                      "def f():\n    from indexer.load import writer\n")
    assert imported_modules(sample) == {"whoosh.index", "web.app", "web.app.create_app", "indexer.load",
                                        "indexer.load.writer"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
