"""The layout of one data folder: the store, the catalog and the index live side by side."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "ARCHIVE_DATA_DIR"
DEFAULT_DIR = Path("data")


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data folder; creating the folders is explicit (`ensure`)."""

    root: Path

    @property
    def store_dir(self) -> Path:
        return self.root / "store"

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    def ensure(self) -> "DataDir":
        """Create the folders if missing and return self."""
        for folder in (self.root, self.store_dir, self.index_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> DataDir:
    """The data folder from an explicit value, else $ARCHIVE_DATA_DIR, else ./data."""
    chosen = explicit or os.environ.get(ENV_VAR) or DEFAULT_DIR
    return DataDir(Path(chosen).expanduser().resolve())
