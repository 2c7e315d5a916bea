from indexer.search.snippets import Segment
from web.markup import snippet_html


def test_snippet_markup_escapes_document_text_and_marks_matches():
    html = snippet_html([Segment("<script>alert(1)</script> & "), Segment("<b>pension</b>", match=True)])
    assert str(html) == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>&lt;b&gt;pension&lt;/b&gt;</mark>"


def test_an_empty_snippet_is_empty_markup():
    assert str(snippet_html([])) == ""
