"""Did-you-mean offers only word forms a person may see, not merely a visible stem."""
from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from indexer.search.searcher import ArchiveSearcher
from indexer.search.results import SearchRequest
from tests.builders import make_pdf


def test_a_word_form_only_in_a_members_document_is_never_suggested_to_the_public(data, tmp_path):
    public = make_pdf(tmp_path / "public.pdf", ["Volunteers are organizing the spring campaign"])
    members = make_pdf(tmp_path / "members.pdf", ["Confidential list of organizers and their locals"])
    load_paths([public], data, DocumentMeta(access="public"), jobs=1)
    load_paths([members], data, DocumentMeta(access="members"), jobs=1)
    with Catalog(data.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(data.index_dir, catalog)
        try:
            anonymous = searcher.search(SearchRequest("organizerz", allowed_access=("public",)))
            member = searcher.search(SearchRequest("organizerz", allowed_access=("public", "members")))
        finally:
            searcher.close()
    assert anonymous.suggestion is None or "organizers" not in anonymous.suggestion.query
    assert member.suggestion is not None and member.suggestion.query == "organizers"


def test_two_swapped_letters_are_one_edit_so_the_intended_word_wins(data, tmp_path):
    """"pensoin" is two substitutions from "person" and from "pension", but one swap from "pension":
    the swap is what people type, so it is offered although "person" is in more documents."""
    files = [make_pdf(tmp_path / "pension.pdf", ["The pension plan for retirees"])]
    files += [make_pdf(tmp_path / f"person{i}.pdf", [f"Each person in local {i} votes"]) for i in range(3)]
    load_paths(files, data, DocumentMeta(access="public"), jobs=1)
    with Catalog(data.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(data.index_dir, catalog)
        try:
            found = searcher.search(SearchRequest("pensoin"))
        finally:
            searcher.close()
    assert found.total == 0
    assert found.suggestion is not None and found.suggestion.query == "pension"
