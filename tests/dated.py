"""A small archive of documents with known dates: some dated to the day, some known only by their year."""
from __future__ import annotations

from pathlib import Path

from archive.datadir import DataDir
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from tests.builders import make_pdf

# name -> (year, date or None): two statements dated to the day, two audits known only by their year.
DATED = {
    "march": (2019, "2019-03-15"),
    "november": (2019, "2019-11-30"),
    "audit2018": (2018, None),
    "audit2020": (2020, None),
}


def load_dated(data: DataDir, folder: Path) -> dict[str, int]:
    """Load one PDF per entry of DATED (public) and return name -> document id."""
    ids = {}
    for name, (year, day) in DATED.items():
        path = make_pdf(folder / name / f"{name}.pdf", [f"Calendar test document {name}\nquarterly dues"],
                        title=f"Dated {name}")
        doc_type = "press_statement" if day else "financial_audit"
        report = load_paths([path], data, DocumentMeta(title=f"Dated {name}", doc_type=doc_type, year=year,
                                                       date=day, access="public"), jobs=1)
        assert report.loaded == 1, report.outcomes
        ids[name] = report.outcomes[0].doc_id
    return ids
