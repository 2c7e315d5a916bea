"""The Whoosh schema and its version: change one field here and bump SCHEMA_VERSION."""
from __future__ import annotations

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.lang.porter2 import stem as porter2_stem

# A different version on disk means the index is rebuilt from the catalog.
SCHEMA_VERSION = 1

FACET_FIELDS = ("doc_type", "year", "division", "access")


def text_analyzer() -> StemmingAnalyzer:
    """English stemming (Porter2: "negotiated" and "negotiations" share a stem, unlike Porter).

    The stem cache is unbounded because the bounded pure-Python cache thrashes on numbers.
    """
    return StemmingAnalyzer(stemfn=porter2_stem, cachesize=-1)


def build_schema() -> Schema:
    """One Whoosh document per archive document; page texts stay in the catalog."""
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        content=TEXT(analyzer=analyzer, phrase=True),
        title=TEXT(analyzer=analyzer, phrase=True, field_boost=3.0),
        doc_type=ID(sortable=True),
        year=ID(sortable=True),
        division=ID(sortable=True),
        access=ID(sortable=True),
        newest=NUMERIC(int, bits=32, sortable=True, signed=False),
        title_sort=ID(sortable=True),
    )
