"""The `archive` command starts lean: a load does not import Flask or hash a password before its work, and its
parent, which reads no file's contents, imports no PDF library (its workers do)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from archive import accounts
from tests.builders import make_pdf
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_imports_neither_flask_nor_psycopg_nor_hashes_a_password():
    code = ("import sys, web.cli, archive.accounts as a; "
            "print(sorted(m for m in ('flask', 'werkzeug', 'jinja2', 'psycopg') if m in sys.modules), "
            "a._dummy_hash.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "0"], out.stderr


def _last_line_of_a_load(tmp_path: Path, before: str, after: str) -> str:
    """Load one small PDF through the command in a fresh interpreter, with `before` run first and `after`
    printing something last; that last line."""
    pdf = make_pdf(tmp_path / "in" / "minutes.pdf", ["Minutes of the executive council"])
    code = (f"import sys, web.cli\n{before}\n"
            f"web.cli.main(['--data-dir', {str(tmp_path / 'data')!r}, 'load', {str(pdf)!r}, '--jobs', '1'], "
            f"standalone_mode=False)\n{after}")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "1 loaded (1 pages)" in out.stdout, out.stdout + out.stderr
    return out.stdout.splitlines()[-1]


def test_a_loads_parent_imports_no_pdf_library(tmp_path: Path):
    imported = "print(sorted(m for m in ('pypdf', 'pypdfium2', 'PIL', 'magic') if m in sys.modules))"
    assert _last_line_of_a_load(tmp_path, "", imported) == "[]"


def test_a_load_starts_its_workers_fork_server_before_importing_the_index_writer(tmp_path: Path):
    # The server's imports (the extractors) then run on the other core while the load imports Whoosh and numpy.
    noting = ("seen = []\n"
              "start = web.cli.start_fork_server\n"
              "def noting():\n"
              "    seen.append(sorted(m for m in ('numpy', 'whoosh', 'pypdf') if m in sys.modules))\n"
              "    start()\n"
              "web.cli.start_fork_server = noting")
    assert _last_line_of_a_load(tmp_path, noting, "print(seen)") == "[[]]"


def test_the_web_app_makes_the_login_filler_hash_as_it_starts(tmp_path: Path):
    accounts._dummy_hash.cache_clear()
    create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "SECRET_KEY": "x" * 32})
    assert accounts._dummy_hash.cache_info().currsize == 1
