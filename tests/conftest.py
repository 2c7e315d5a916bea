"""Shared fixtures: a data folder under tmp_path, a small loaded archive, the app and its clients."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.search.searcher import ArchiveSearcher
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from tests.builders import make_pdf

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@contextmanager
def open_searcher(data: DataDir) -> Iterator[ArchiveSearcher]:
    """A searcher over a data folder with its own catalog connection, closed afterwards."""
    catalog = Catalog(data.catalog_path)
    searcher = ArchiveSearcher.open(data.index_dir, catalog)
    try:
        yield searcher
    finally:
        searcher.close()
        catalog.close()


def index_with_whoosh(data: DataDir, catalog: Catalog, compound: bool = False) -> None:
    """The index as Whoosh's own writer makes it: plain text through the schema's analyzer, one commit
    (`compound`: the segment's files in one, which our postings reader cannot pread)."""
    from whoosh.writing import SegmentWriter

    from indexer.search.index import PAGE_GAP, create_index, document_fields

    writer = SegmentWriter(create_index(data.index_dir), compound=compound)
    for doc in catalog.iter_documents():
        text = PAGE_GAP.join(t for _, t in catalog.page_texts(doc.id))
        writer.add_document(**{**document_fields(doc, (), None), "content": text, "content_counts": text})
    writer.commit(optimize=True)


def require_tool(name: str) -> str:
    """The path of a system tool, or skip, except under CI where a missing tool is a failure."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required under CI=true; .ci/run should install it")
    pytest.skip(f"{name} is not installed")


@contextmanager
def searcher_over(data: DataDir, folder: Path, pages_by_title: dict[str, list[str]]) -> Iterator[ArchiveSearcher]:
    """A searcher over an archive of one generated PDF per title, with the given page texts."""
    for number, (title, pages) in enumerate(pages_by_title.items()):
        make_pdf(folder / f"{number}.pdf", pages, title=title)
    report = load_paths([folder], data, DocumentMeta(), jobs=1)
    assert report.loaded == len(pages_by_title), report.outcomes
    with open_searcher(data) as found:
        yield found


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data").ensure()


def write_small_corpus(folder: Path) -> dict[str, Path]:
    """Four real documents of different kinds, with words known to sit on given pages."""
    files = {
        "audit": make_pdf(folder / "audits" / "2019-financial-audit.pdf", [
            "Independent Auditor's Report\nTo the Executive Council\nFor the year ended June 30, 2019",
            "Statement of Financial Position\nDues revenue and per capita payments to affiliates",
            "Notes to the financial statements\nThe pension liability was negotiated with the trustees",
        ], title="Financial Audit for Fiscal Year 2019"),
        "convention": make_pdf(folder / "conventions" / "2021-convention-report.pdf", [
            "Officers' Annual Reports to the Delegates\nPresident's report on organizing",
            "Resolutions adopted by the convention\nResolved that negotiations continue statewide",
        ], title="2021 Convention Report"),
        "press": folder / "press" / "2022-statement.html",
        "note": folder / "other" / "2018-fact-sheet.txt",
    }
    files["press"].parent.mkdir(parents=True, exist_ok=True)
    files["press"].write_text(
        "<!doctype html><html><head><title>Statement on School Funding</title>"
        "<script>var secretScriptWord = 'zanzibarquux';</script></head><body><nav>Home Menu</nav>"
        "<p>FOR IMMEDIATE RELEASE</p><p>HARTWELL, March 3, 2022 — Paraprofessionals rallied for "
        "school funding at the capitol.</p></body></html>", encoding="utf-8")
    files["note"].parent.mkdir(parents=True, exist_ok=True)
    files["note"].write_text("Member Organizer Institute Fact Sheet\nOrganizers receive a stipend.\n", encoding="utf-8")
    return files


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    return write_small_corpus(tmp_path / "incoming")


@pytest.fixture
def loaded(data: DataDir, corpus: dict[str, Path]) -> DataDir:
    report = load_paths([corpus["audit"].parent.parent], data, DocumentMeta(), jobs=1)
    assert report.loaded == 4 and report.failed == 0, report.outcomes
    return data


@pytest.fixture
def app(loaded: DataDir):
    from web.app import create_app

    return create_app({"DATA_DIR": str(loaded.root), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mail_server(tmp_path: Path):
    """A real SMTP server (aiosmtpd) on loopback that requires STARTTLS and a password; keeps what arrives."""
    from tests.mailserver import MailServer

    server = MailServer(tmp_path / "smtp").start()
    yield server
    server.stop()


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def samples_archive(tmp_path_factory) -> DataDir:
    """All of samples/ loaded once through the real pipeline (two worker processes)."""
    data = DataDir(tmp_path_factory.mktemp("samples") / "data").ensure()
    folders = sorted(p for p in SAMPLES.iterdir() if p.is_dir() and p.name != "words")  # words: their source
    report = load_paths(folders, data, DocumentMeta(), jobs=2)
    assert report.failed == 0, report.of("failed")
    return data


@pytest.fixture(scope="session")
def live_server(samples_archive):
    """The real app on the real WSGI server (waitress) on a free loopback port; yields its base URL."""
    import threading

    from waitress.server import create_server

    from web.app import create_app

    server = create_server(create_app({"DATA_DIR": str(samples_archive.root)}), host="127.0.0.1", port=0,
                           threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the session (skipped without PostgreSQL, failed under CI=true)."""
    from tests.postgres import PostgresServer, require_postgres

    server = PostgresServer(require_postgres()).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_target(request, tmp_path: Path):
    """Where a test's catalog lives: a SQLite file, then an empty PostgreSQL database (each test runs on both)."""
    if request.param == "sqlite":
        return tmp_path / "catalog.sqlite3"
    return request.getfixturevalue("postgres_server").new_database()
