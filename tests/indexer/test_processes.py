"""Worker processes do not re-run the script that started them (under `archive`, all of web.cli)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import multiprocessing, sys
from indexer.load.pool import WorkerPool
from indexer.processes import without_main_module
from tests.indexer.test_processes import main_module_file

if __name__ == "__main__":
    with WorkerPool(main_module_file, 1) as pool:
        print("pool", [result for _, result in pool.run([0])])
    with without_main_module():
        plain = multiprocessing.get_context("forkserver").Pool(1)
    with plain:
        print("plain", [plain.apply(main_module_file, (0,))])
    print("parent", sys.modules["__main__"].__file__ == __file__)
"""


def main_module_file(task: object) -> str | None:
    """Run in a worker: the file its `__main__` module came from, if any."""
    return getattr(sys.modules["__main__"], "__file__", None)


def test_workers_of_a_script_do_not_import_it(tmp_path: Path):
    script = tmp_path / "command.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["pool [None]", "plain [None]", "parent True"], done.stdout
