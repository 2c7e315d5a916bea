"""The bundled samples load through the real pipeline and known phrases are found on their pages."""
from pathlib import Path

import pytest

from archive.catalog import Catalog
from indexer.search.results import SearchRequest
from tests.conftest import SAMPLES, open_searcher

KNOWN = [  # phrase, file under samples/, page (see samples/README.md)
    ('"Juniper Hollow strike relief grant"', "audits/2019-financial-audit.pdf", 3),
    ('"Note 9 - Lease of the Foundry Street Annex"', "audits/2021-financial-audit.pdf", 5),
    ('"Saltmarsh Valley walkout"', "conventions/2019-convention-officers-reports.pdf", 2),
    ('"Restorative Circles for the Middle School Hallway"', "catalogs/2020-professional-development-catalog.pdf", 3),
    ('"Step 9 longevity differential"', "contracts/2018-2021-millbrook-paraprofessionals-agreement.pdf", 5),
    ('"Tamarack County foundation formula"', "press/2021-03-03-statement-on-school-funding.html", 1),
    ('"Greyledge Regional Center"', "press/2023-01-10-statement-on-state-agency-vacancies.txt", 1),
]


@pytest.fixture(scope="module")
def searcher(samples_archive):
    with open_searcher(samples_archive) as found:
        yield found


def test_every_sample_document_is_loaded(samples_archive):
    expected = sum(1 for line in (SAMPLES / "manifest.csv").read_text().splitlines()[1:] if line.strip())
    with Catalog(samples_archive.catalog_path) as catalog:
        assert catalog.count() == expected >= 24
        assert len({d.year for d in catalog.iter_documents()}) >= 8


@pytest.mark.parametrize("phrase,relative,page", KNOWN)
def test_a_known_phrase_is_found_on_its_page(searcher, phrase, relative, page):
    results = searcher.search(SearchRequest(phrase))
    assert [Path(h.document.source_path).relative_to(SAMPLES).as_posix() for h in results.hits] == [relative]
    assert results.hits[0].page_hits[0].page == page


@pytest.mark.parametrize("hidden", ["quokkaBeaconTelemetry", "marzipan"])
def test_script_and_style_text_of_sample_pages_is_not_indexed(searcher, hidden):
    assert searcher.search(SearchRequest(hidden)).total == 0
