"""The layout of one data folder: the store, the catalog and the index live side by side."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from archive.database import check_url

ENV_VAR = "ARCHIVE_DATA_DIR"
CATALOG_URL_ENV = "ARCHIVE_CATALOG_URL"
STORE_DIR_ENV = "ARCHIVE_STORE_DIR"
DEFAULT_DIR = Path("data")


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data folder; creating the folders is explicit (`ensure`).

    By default everything is in the folder. Beyond one machine the catalog is a PostgreSQL database
    (`catalog_url`) and the store a folder on shared storage (`shared_store`); the index stays here, one per node.
    """

    root: Path
    catalog_url: str | None = None
    shared_store: Path | None = None

    @property
    def store_dir(self) -> Path:
        return self.shared_store or self.root / "store"

    @property
    def catalog_path(self) -> Path:
        """The embedded catalog's SQLite file (not used when the catalog is on PostgreSQL)."""
        return self.root / "catalog.sqlite3"

    @property
    def catalog(self) -> Path | str:
        """What `Catalog(...)` opens: the PostgreSQL URL if one is set, else the SQLite file."""
        return self.catalog_url or self.catalog_path

    @property
    def on_postgres(self) -> bool:
        return self.catalog_url is not None

    def has_catalog(self) -> bool:
        """True if there is a catalog to read (a database is always there; a SQLite file once created)."""
        return self.on_postgres or self.catalog_path.exists()

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    def ensure(self) -> "DataDir":
        """Create the folders if missing and return self."""
        for folder in (self.root, self.store_dir, self.index_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_data_dir(explicit: str | os.PathLike | None = None, catalog_url: str | None = None,
                     store_dir: str | os.PathLike | None = None) -> DataDir:
    """The data folder from an explicit value, else $ARCHIVE_DATA_DIR, else ./data; the catalog URL and the
    store folder likewise from explicit values, else $ARCHIVE_CATALOG_URL and $ARCHIVE_STORE_DIR.
    A catalog URL that is not PostgreSQL's raises ValueError."""
    chosen = explicit or os.environ.get(ENV_VAR) or DEFAULT_DIR
    url = catalog_url or os.environ.get(CATALOG_URL_ENV) or None
    store = store_dir or os.environ.get(STORE_DIR_ENV) or None
    return DataDir(Path(chosen).expanduser().resolve(), check_url(url) if url else None,
                   Path(store).expanduser().resolve() if store else None)
