from whoosh.lang.porter2 import stem

from indexer.search.snippets import TermFinder, page_hits


def marked(hit) -> list[str]:
    return [segment.text for segment in hit.snippet if segment.match]


def test_every_match_inside_the_snippet_is_marked():
    text = ("Grievance handling from step one to arbitration. Participants follow a sample grievance "
            "through every step, draft a written grievance and practice presenting it.")
    [hit] = page_hits([(2, text)], TermFinder(frozenset({"grievanc"}), stem))
    assert hit.page == 2
    assert [w.lower() for w in marked(hit)] == ["grievance"] * 3
    assert hit.snippet_text.count("grievance") + hit.snippet_text.count("Grievance") == 3


def test_pages_with_more_distinct_words_rank_first_and_others_are_left_out():
    pages = [(1, "Only arbitration here."), (2, "Nothing to see."), (3, "Arbitration of a grievance.")]
    hits = page_hits(pages, TermFinder(frozenset({"grievanc", "arbitr"}), stem))
    assert [h.page for h in hits] == [3, 1]


def test_a_prefix_query_of_hundreds_of_words_finds_every_one_of_them():
    expanded = frozenset(f"budget{i:03d}" for i in range(300)) | {"zebra"}  # what budget* might expand to
    finder = TermFinder(expanded, stem)
    text = "the budget123 line and budget299 too, zebra at last; budgeting is not a term"
    found = [text[s:e] for s, e in finder.spans(text)]
    assert found == ["budget123", "budget299", "zebra"]
    assert finder.score(text) > 0 and finder.score("budgeting alone") == 0


def test_words_are_found_only_from_their_start():
    finder = TermFinder(frozenset({stem("union")}), stem)
    text = "Reunion day: the Union and unions, not disunion."
    assert [text[s:e] for s, e in finder.spans(text)] == ["Union", "unions"]
