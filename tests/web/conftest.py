"""An archive with members-only and withdrawn documents, accounts of every role, and signed-in clients."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from archive import accounts
from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.load.curate import withdraw_document
from indexer.search.index import open_index
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from tests.builders import make_pdf
from tests.conftest import write_small_corpus

ROLES = ("anonymous", "member", "staff", "admin")
PASSWORDS = {"member": "member-password-1", "staff": "staff-password-22", "admin": "admin-password-333"}
# Words that appear only in the members-only document: none may reach an anonymous visitor.
SECRET_WORDS = ("zephyrine", "Quillbrook")
# Words only in the withdrawn document: no one below staff may see them.
WITHDRAWN_WORDS = ("obsoletus",)


@dataclass(frozen=True)
class Restricted:
    data: DataDir
    public_id: int  # the 2019 audit, public
    members_id: int  # members only: contract, 2017, Healthcare (values no public document has)
    withdrawn_id: int  # withdrawn, public access underneath
    secret_bytes: bytes  # the members-only original


def build_restricted_archive(root: Path, catalog_url: str | None = None) -> Restricted:
    """Load the small corpus, one members-only and one withdrawn document, and create the accounts (the catalog
    in root's SQLite file, or in the PostgreSQL database `catalog_url`)."""
    data = DataDir(root / "data", catalog_url).ensure()
    corpus = write_small_corpus(root / "incoming")
    assert load_paths([root / "incoming"], data, jobs=1).loaded == 4
    secret = make_pdf(root / "restricted" / "strategy.pdf", [
        "Quillbrook Bargaining Strategy\nOpening position on zephyrine staffing ratios",
        "Fallback positions\nThe zephyrine clause may be traded for wage steps"], title="Quillbrook Bargaining Strategy")
    members = load_paths([secret], data, DocumentMeta(doc_type="contract", year=2017, division="Healthcare",
                                                             access="members"), jobs=1)
    old = make_pdf(root / "old" / "statement.pdf", ["Retracted statement\nobsoletus figures were wrong"],
                   title="Retracted statement")
    withdrawn = load_paths([old], data, DocumentMeta(doc_type="press_statement", year=2020), jobs=1)
    with Catalog(data.catalog) as catalog:
        withdraw_document(open_index(data.index_dir), catalog, withdrawn.outcomes[0].doc_id, "fixture")
        for role, password in PASSWORDS.items():
            accounts.add_user(catalog, role, role, password)
        public_id = catalog.find_by_sha(_sha(corpus["audit"])).id
    return Restricted(data, public_id, members.outcomes[0].doc_id, withdrawn.outcomes[0].doc_id, secret.read_bytes())


def _sha(path: Path) -> str:
    from archive.store import sha256_of

    return sha256_of(path)


def make_app(data: DataDir, **config):
    from web.app import create_app

    return create_app({"DATA_DIR": str(data.root), "CATALOG_URL": data.catalog_url, "TESTING": True, **config})


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a real form on `path` carries for this client's session."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def login(client, name: str, password: str, address: str = "127.0.0.1"):
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_token(client)},
                       environ_base={"REMOTE_ADDR": address})


def client_as(app, role: str):
    """A test client signed in as the account of `role` (none for anonymous)."""
    client = app.test_client()
    if role != "anonymous":
        response = login(client, role, PASSWORDS[role])
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture(scope="session")
def restricted_template(tmp_path_factory) -> Restricted:
    return build_restricted_archive(tmp_path_factory.mktemp("template"))


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc) -> None:
    """A module that sets ON_BOTH_BACKENDS = True runs each test of its that uses `backend` (through
    `restricted`, `restricted_app`, ...) once on SQLite and once on PostgreSQL."""
    if getattr(metafunc.module, "ON_BOTH_BACKENDS", False) and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """The catalog backend of a test's archive: SQLite, unless its module is ON_BOTH_BACKENDS."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def data(backend: str, request, tmp_path: Path, monkeypatch) -> DataDir:
    """An empty data folder under tmp_path; on PostgreSQL its catalog a new database, in ARCHIVE_CATALOG_URL too
    so that the command line run in the test finds it."""
    if backend == "sqlite":
        return DataDir(tmp_path / "data").ensure()
    url = request.getfixturevalue("postgres_server").new_database()
    monkeypatch.setenv("ARCHIVE_CATALOG_URL", url)
    return DataDir(tmp_path / "data", url).ensure()


@pytest.fixture(scope="session")
def restricted_template_postgres(postgres_server, tmp_path_factory) -> Restricted:
    """The restricted archive once more, its catalog in a PostgreSQL database that each test copies."""
    return build_restricted_archive(tmp_path_factory.mktemp("template-pg"), postgres_server.new_database())


@pytest.fixture
def restricted(backend: str, request, tmp_path: Path) -> Restricted:
    """A fresh copy of the restricted archive for a test that changes it (copying beats rebuilding): its store
    and index in tmp_path, its catalog a SQLite file beside them or a new PostgreSQL database of its own."""
    if backend == "sqlite":
        template = request.getfixturevalue("restricted_template")
        url = None
    else:
        template = request.getfixturevalue("restricted_template_postgres")
        url = request.getfixturevalue("postgres_server").new_database(template=template.data.catalog_url)
    shutil.copytree(template.data.root, tmp_path / "restricted")
    return replace(template, data=DataDir(tmp_path / "restricted", url))


@pytest.fixture
def restricted_app(restricted: Restricted):
    return make_app(restricted.data)


@pytest.fixture(scope="module")
def shared(restricted_template: Restricted, tmp_path_factory) -> Restricted:
    """One archive for the read-only tests of a module."""
    root = tmp_path_factory.mktemp("shared") / "data"
    shutil.copytree(restricted_template.data.root, root)
    return replace(restricted_template, data=DataDir(root))


@pytest.fixture(scope="module")
def shared_app(shared: Restricted):
    return make_app(shared.data)


@pytest.fixture(scope="module")
def clients(shared_app) -> dict:
    return {role: client_as(shared_app, role) for role in ROLES}
