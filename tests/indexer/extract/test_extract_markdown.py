"""Markdown: the words a reader sees, the front matter's title and date, never its keys."""
from __future__ import annotations

from pathlib import Path

from indexer.extract.markdown import extract_markdown, front_matter_fields, inline_text, markdown_text
from indexer.extract.result import Limits

MARKUP = """\
Setext title
============

## Terms *of* the **agreement** ##

> Quoted from the [old contract][old], article ![seal](seal.png "Seal") 4.
> > Nested quote.

- First item with `inline_code` and __strong__ words
* [x] Done item with a <https://example.org/local> link
1. Numbered item with _emphasis_ and ~~struck~~ text

| Article | Subject |
|:--------|--------:|
| 12      | Wages   |

```python
total = a*b*c  # kept as written
```

<!-- an editor's note,
     over two lines -->
Sub-heading
-----------

A snake_case_name, 3 * 4 * 5, a \\*literal\\* star, and a footnote[^1].
{% include signature.html %}

***

[old]: https://example.org/contract-2015 "Old contract"
[^1]: The footnote's own text.
"""

EXPECTED = """\
Setext title

Terms of the agreement

Quoted from the old contract, article seal 4.
Nested quote.

First item with inline_code and strong words
Done item with a https://example.org/local link
Numbered item with emphasis and struck text

Article Subject
12 Wages

total = a*b*c # kept as written

Sub-heading

A snake_case_name, 3 * 4 * 5, a *literal* star, and a footnote.

The footnote's own text."""


def write(tmp_path: Path, text: str, name: str = "post.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_markup_is_removed_and_the_words_kept(tmp_path: Path) -> None:
    result = extract_markdown(write(tmp_path, MARKUP))
    assert result.mime == "text/markdown"
    assert result.pages == (EXPECTED,)


def test_headings_are_h1_then_h2_in_order(tmp_path: Path) -> None:
    result = extract_markdown(write(tmp_path, MARKUP + "\n# Closing words\n"))
    assert result.headings == ("Setext title", "Closing words", "Terms of the agreement", "Sub-heading")


def test_front_matter_gives_title_and_date_and_none_of_its_keys(tmp_path: Path) -> None:
    text = ("---\ntitle: 'Local 153''s new contract'\ndate: '2016-11-30T12:00:00.000Z'\nlayout: blog-post\n"
            "authors:\n- kaitlin\n- shawn\nexcerpt: \"Members ratified\n  the agreement\"\n---\nMembers voted.\n")
    result = extract_markdown(write(tmp_path, text))
    assert (result.title, result.created) == ("Local 153's new contract", "2016-11-30")
    assert result.pages == ("Members voted.",)


def test_front_matter_scalars_quoted_folded_and_plain() -> None:
    fields = front_matter_fields('title: "Announcing the awards:\n  a conversation"\nsummary: >\n  Two\n  lines\n'
                                 "author: Press office # who wrote it\ntags:\n- agile\n")
    assert fields == {"title": "Announcing the awards: a conversation", "summary": "Two lines",
                      "author": "Press office", "tags": ""}


def test_a_date_that_is_not_a_real_iso_date_is_not_used(tmp_path: Path) -> None:
    for value in ("2016-02-30", "March 3, 2016", "1066-10-14"):
        result = extract_markdown(write(tmp_path, f"---\ntitle: Notes\ndate: {value}\n---\nText.\n"))
        assert (result.title, result.created) == ("Notes", None)


def test_without_front_matter_there_is_no_title_and_a_leading_rule_is_not_front_matter(tmp_path: Path) -> None:
    result = extract_markdown(write(tmp_path, "---\ntitle: not closed\n\n# Minutes\nText.\n"))
    assert (result.title, result.headings) == (None, ("Minutes",))
    assert result.pages == ("title: not closed\n\nMinutes\nText.",)


def test_windows_line_endings_and_cp1252_are_read(tmp_path: Path) -> None:
    path = tmp_path / "old.md"
    path.write_bytes("---\r\ntitle: Café workers\r\n---\r\n# Café “union”\r\n".encode("cp1252"))
    result = extract_markdown(path)
    assert (result.title, result.pages) == ("Café workers", ("Café “union”",))


def test_wrapped_line_starting_with_a_year_is_not_a_list_item() -> None:
    assert markdown_text("The local was founded in\n2015. Today it has 900 members.\n")[0].strip() == (
        "The local was founded in\n2015. Today it has 900 members.")


def test_link_text_across_lines_and_urls_with_template_tags() -> None:
    text = '![The team in\nD.C.]({{ "/assets/team.jpg" | url }}) and [our site]({{ "/" | url }}).'
    assert inline_text(text) == "The team in\nD.C. and our site."


def test_long_markdown_is_truncated_with_a_warning(tmp_path: Path) -> None:
    result = extract_markdown(write(tmp_path, "word " * 100), Limits(max_page_chars=20))
    assert len(result.pages[0]) == 20 and "truncated" in result.warnings[0]

