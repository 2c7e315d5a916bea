"""Two search nodes over one PostgreSQL catalog and one shared store, as real `archive serve` processes, each
with its own index folder: what one node changes shows on the other within the follow interval."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archive import accounts
from archive.catalog import Catalog
from indexer.search.index import followed

FOLLOW_EVERY = 0.5
# What the docs promise: a change shows on every node within the follow interval plus the time to index
# it (about a second for a small batch here). The test allows that plus the time a busy 2-core machine adds.
BOUND = FOLLOW_EVERY + 4.0
PASSWORD = "solidarity-forever-1912"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Node:
    """One `archive serve` process with its own data folder (its index) on the shared catalog and store."""

    def __init__(self, root: Path, env: dict[str, str], processes: int = 1) -> None:
        self.root, self.env, self.port, self.processes = root, env, _free_port(), processes
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "web.cli", "--data-dir", str(self.root), *args], env=self.env,
                              capture_output=True, text=True, input=stdin, timeout=120)

    def start(self) -> "Node":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "--data-dir", str(self.root), "serve", "--port", str(self.port),
             "--follow-every", str(FOLLOW_EVERY), "--processes", str(self.processes)], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/help", timeout=2).read()
                return self
            except OSError:
                assert self.process.poll() is None, self.process.stdout.read().decode()
                time.sleep(0.2)
        raise AssertionError(f"node on port {self.port} did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)

    def caught_up(self, url: str) -> bool:
        """Whether this node's index has applied every change the catalog has."""
        with Catalog(url) as catalog:
            return followed(self.root / "index") == catalog.last_change()

    def titles(self, query: str) -> list[str]:
        """What a visitor who is not signed in finds on this node."""
        with urllib.request.urlopen(f"{self.url}/api/search?q={urllib.parse.quote(query)}", timeout=10) as reply:
            return [hit["title"] for hit in json.load(reply)["hits"]]


def _within(bound: float, check) -> float:
    """Seconds until `check()` is true, failing after `bound`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < bound, f"not within {bound} s"
        time.sleep(0.1)
    return time.monotonic() - started


class Browser:
    """A person's browser: its own cookies, sent to whichever node it asks."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirects())

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as reply:
            return reply.read().decode()

    def post(self, url: str, fields: dict[str, str]) -> int:
        try:
            with self.opener.open(url, urllib.parse.urlencode(fields).encode(), timeout=30) as reply:
                return reply.status
        except urllib.error.HTTPError as exc:
            return exc.code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def cluster(postgres_server, tmp_path: Path):
    url = postgres_server.new_database()
    key = tmp_path / "secret_key"
    key.write_text(secrets.token_hex(32))
    env = {**os.environ, "ARCHIVE_CATALOG_URL": url, "ARCHIVE_STORE_DIR": str(tmp_path / "shared-store"),
           "ARCHIVE_SECRET_KEY_FILE": str(key)}
    with Catalog(url) as catalog:
        accounts.add_user(catalog, "rosa", "staff", PASSWORD)
    # B forks two serving processes: they share its index, and one of them at a time applies the changes.
    nodes = [Node(tmp_path / "node-a", env), Node(tmp_path / "node-b", env, processes=2)]
    yield url, nodes
    for node in nodes:
        node.stop()


def test_two_nodes_follow_one_catalog(cluster, corpus):
    url, (a, b) = cluster
    a.start(), b.start()

    # A load through node A is searchable on node B within the follow interval.
    loaded = a.cli("load", str(corpus["audit"]), "--access", "public", "--jobs", "1")
    assert loaded.returncode == 0, loaded.stderr
    assert "Financial Audit for Fiscal Year 2019" in a.titles("pension")
    seconds = _within(BOUND, lambda: b.titles("pension") == ["Financial Audit for Fiscal Year 2019"])
    print(f"load on A searchable on B after {seconds:.2f} s")

    # Signed in on A, made members-only on A: visitors on B stop seeing it within the same bound.
    rosa = Browser()
    assert rosa.post(a.url + "/login", {"csrf_token": _token(rosa.get(a.url + "/login")), "name": "rosa",
                                        "password": PASSWORD}) == 302
    with Catalog(url) as catalog:
        doc = next(catalog.iter_documents())
    form = rosa.get(f"{a.url}/documents/{doc.id}/edit")
    fields = {"csrf_token": _token(form), "title": doc.title, "doc_type": doc.doc_type, "year": str(doc.year),
              "date": "", "division": doc.division, "access": "members"}
    assert rosa.post(f"{a.url}/documents/{doc.id}/edit", fields) == 302
    assert a.titles("pension") == []
    seconds = _within(BOUND, lambda: b.titles("pension") == [] and b.caught_up(url))
    print(f"members-only on A hidden on B, and its index caught up, after {seconds:.2f} s")

    # The same session posts a form on B: one shared key signs the cookie and the form token.
    assert rosa.post(f"{b.url}/documents/{doc.id}/withdraw", {"csrf_token": _token(form)}) == 302
    with Catalog(url) as catalog:
        assert catalog.get(doc.id).withdrawn

    # B stopped, more loaded, B started again: it catches up, and said it was behind meanwhile.
    _within(BOUND, lambda: b.caught_up(url))
    b.stop()
    assert a.cli("load", str(corpus["note"]), "--access", "public", "--jobs", "1").returncode == 0
    status = b.cli("status")
    assert "this node's index is behind: 1 changes" in status.stdout, status.stdout + status.stderr
    b.start()
    _within(BOUND, lambda: b.titles("stipend") == ["Member Organizer Institute Fact Sheet"])
    assert "this node's index is up to date" in b.cli("status").stdout
