"""A catalog database lost while the archive serves: 503 pages saying so, and pages again once it is back."""
from __future__ import annotations

import pytest

from indexer.load.run import load_paths
from archive.datadir import DataDir
from archive.metadata import DocumentMeta


@pytest.fixture
def own_server():
    """A server of this test's own, since it is stopped and started again."""
    from tests.postgres import PostgresServer, require_postgres

    server = PostgresServer(require_postgres()).start()
    yield server
    server.stop()


def test_pages_answer_503_while_the_database_is_gone_and_recover_by_themselves(own_server, corpus, tmp_path):
    from web.app import create_app

    url = own_server.new_database()
    data = DataDir(tmp_path / "node", url).ensure()
    assert load_paths([corpus["note"]], data, DocumentMeta(access="public"), jobs=1).loaded == 1
    app = create_app({"DATA_DIR": str(data.root), "CATALOG_URL": url, "TESTING": True})
    client = app.test_client()
    assert b"Member Organizer Institute Fact Sheet" in client.get("/search?q=stipend").data
    assert client.get("/documents/1").status_code == 200

    own_server.pause()
    for path in ("/search?q=stipend", "/documents/1", "/api/search?q=stipend"):
        reply = client.get(path)
        assert reply.status_code == 503, path
        assert reply.headers["Retry-After"] == "30"
        assert b"catalog cannot be reached just now" in reply.data and b"Traceback" not in reply.data

    own_server.resume()
    page = client.get("/search?q=stipend").data.decode()
    assert "Member Organizer Institute Fact Sheet" in page, page[page.find("<main"):][:2000]
    assert client.get("/documents/1").status_code == 200
