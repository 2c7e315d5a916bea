"""The packages depend one way: web -> indexer -> archive; web never touches whoosh."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"archive": {"indexer", "web", "whoosh"}, "indexer": {"web"}, "web": {"whoosh"}}


def imported_top_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_flow_one_way(package):
    offenders = {str(p.relative_to(ROOT)): sorted(imported_top_names(p) & FORBIDDEN[package])
                 for p in (ROOT / package).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_imports(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("import whoosh.index\nfrom web.app import create_app\nfrom . import local\n")
    assert imported_top_names(sample) == {"whoosh", "web"}
