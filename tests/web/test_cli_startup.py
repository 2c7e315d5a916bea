"""The `archive` command starts lean: a load does not import Flask or hash a password before its work, and its
parent, which reads no file's contents, imports no PDF library (its workers do)."""
from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest

from archive import accounts
from tests.builders import make_pdf
from web.app import create_app
from web.entry import GROUP_OPTIONS_WITH_VALUES, command_name

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


def test_the_archive_script_starts_a_loads_fork_server_before_importing_the_command_line(tmp_path: Path):
    # The server's imports (~0.4 s) then run beside the command line's own (~0.2 s) and its tesseract check.
    pdf = make_pdf(tmp_path / "in" / "minutes.pdf", ["Minutes of the executive council"])
    code = ("import sys, indexer.load.pool as pool\n"
            "seen, start = [], pool.start_fork_server\n"
            "def noting():\n"
            "    seen.append('web.cli' in sys.modules)\n"
            "    start()\n"
            "pool.start_fork_server = noting\n"
            f"sys.argv = ['archive', '--data-dir', {str(tmp_path / 'data')!r}, 'load', {str(pdf)!r}, '--jobs', '1']\n"
            "import web.entry\n"
            "try:\n"
            "    web.entry.main()\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(seen)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "1 loaded (1 pages)" in out.stdout, out.stdout + out.stderr
    # First by the script, before the command line existed; then by `load` itself, which finds it running.
    assert out.stdout.splitlines()[-1] == "[False, True]"


@pytest.mark.parametrize("args, name", [
    (["load", "reports"], "load"),
    (["--data-dir", "load", "status"], "status"),  # a folder called "load" is the option's value
    (["--catalog-url", "postgresql://h/db", "--store-dir", "s", "load"], "load"),
    (["--data-dir=d", "load"], "load"),
    (["--help"], None),
    ([], None),
])
def test_the_script_finds_the_command_name_past_the_groups_options(args: list[str], name: str | None):
    assert command_name(args) == name


def test_the_script_knows_every_group_option_that_takes_a_value():
    from web.cli import main

    valued = {opt for param in main.params if isinstance(param, click.Option) and not param.is_flag
              for opt in param.opts}
    assert valued == GROUP_OPTIONS_WITH_VALUES


def test_the_installed_archive_command_is_the_early_starting_entry():
    scripts = {script.name: script.value for script in entry_points(group="console_scripts")}
    assert scripts["archive"] == "web.entry:main"


def test_the_archive_script_keeps_numpys_blas_to_one_thread(tmp_path: Path):
    # OpenBLAS would start a thread per core as numpy is imported, in the command and in each worker.
    code = ("import os, sys\n"
            "os.environ.pop('OPENBLAS_NUM_THREADS', None)\n"
            "sys.argv = ['archive', '--help']\n"
            "import web.entry\n"
            "try:\n"
            "    web.entry.main()\n"
            "except SystemExit:\n"
            "    pass\n"
            "import numpy\n"
            "print(len(os.listdir('/proc/self/task')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "1"
