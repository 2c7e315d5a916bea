"""The `archive` command starts lean: a load does not import Flask or hash a password before its work."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from archive import accounts
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_imports_neither_flask_nor_psycopg_nor_hashes_a_password():
    code = ("import sys, web.cli, archive.accounts as a; "
            "print(sorted(m for m in ('flask', 'werkzeug', 'jinja2', 'psycopg') if m in sys.modules), "
            "a._dummy_hash.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "0"], out.stderr


def test_the_web_app_makes_the_login_filler_hash_as_it_starts(tmp_path: Path):
    accounts._dummy_hash.cache_clear()
    create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "SECRET_KEY": "x" * 32})
    assert accounts._dummy_hash.cache_info().currsize == 1
