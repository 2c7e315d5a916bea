"""Visible HTML text only, with title and headings."""
from __future__ import annotations

from pathlib import Path

from indexer.extract.html import extract_html

PAGE = """<!DOCTYPE html>
<html><head><title>Strike Vote &amp; Results</title>
<style>.secret-style { color: red }</style>
<script>alert(1)</script></head>
<body>
<nav><a href="/">Home navigation</a></nav>
<header>Site banner</header>
<h1>Members Ratify Contract</h1>
<p>The vote was 92&nbsp;% in favour &mdash; a record.</p>
<div hidden>Hidden draft text</div>
<div aria-hidden="true">Decorative text</div>
<h2>Next steps</h2><p>Bargaining<br>resumes in May.</p>
<noscript>Enable JavaScript</noscript>
<form><button>Subscribe now</button></form>
<svg><title>Icon title</title><text>svg words</text></svg>
<footer>Copyright footer</footer>
</body></html>"""


def _extract(tmp_path: Path, html: str | bytes, name: str = "page.html"):
    path = tmp_path / name
    path.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    return extract_html(path)


def test_scripts_styles_and_chrome_are_dropped(tmp_path: Path) -> None:
    text = _extract(tmp_path, PAGE).pages[0]
    for hidden in ("alert(1)", "secret-style", "Home navigation", "Site banner", "Hidden draft",
                   "Decorative", "Enable JavaScript", "Subscribe", "Icon title", "svg words",
                   "Copyright footer"):
        assert hidden not in text


def test_visible_text_entities_and_line_breaks(tmp_path: Path) -> None:
    text = _extract(tmp_path, PAGE).pages[0]
    assert "The vote was 92 % in favour — a record." in text
    assert "Bargaining\nresumes in May." in text
    assert text.startswith("Members Ratify Contract\n")


def test_title_and_headings(tmp_path: Path) -> None:
    result = _extract(tmp_path, PAGE)
    assert result.title == "Strike Vote & Results"
    assert result.headings == ("Members Ratify Contract", "Next steps")
    assert "Strike Vote" not in result.pages[0]


def test_meta_charset_is_honoured(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>café – “quoted”</p></body></html>'
    assert "café – “quoted”" in _extract(tmp_path, html.encode("cp1252")).pages[0]


def test_undeclared_cp1252_falls_back(tmp_path: Path) -> None:
    html = "<p>Résumé “workshop”</p>".encode("cp1252")
    assert _extract(tmp_path, html).pages[0] == "Résumé “workshop”"


def test_utf8_bom_wins_over_meta(tmp_path: Path) -> None:
    html = '<meta charset="iso-8859-1"><p>naïve</p>'.encode("utf-8-sig")
    assert _extract(tmp_path, html).pages[0] == "naïve"


def test_nested_hidden_elements_end_at_their_own_close(tmp_path: Path) -> None:
    html = "<div hidden><div>inner</div>still hidden</div><p>shown</p>"
    assert _extract(tmp_path, html).pages[0] == "shown"
