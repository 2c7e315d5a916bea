"""`archive serve --processes 2`: two waitress processes answer on one port and stop together."""
from __future__ import annotations

import http.client
import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_browser import _free_port, _wait_for


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_two_processes_share_the_port_and_stop_on_sigterm(loaded):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "--data-dir", str(loaded.root), "serve",
                               "--port", str(port), "--processes", "2"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        _wait_for(port, server)
        assert len(_children(server.pid)) == 2
        for _ in range(6):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/search?q=pension")
            response = conn.getresponse()
            assert response.status == 200 and b"Financial Audit for Fiscal Year 2019" in response.read()
            conn.close()
        children = _children(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    assert server.returncode == 0
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
