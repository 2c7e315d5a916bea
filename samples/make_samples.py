#!/usr/bin/env python3
"""Render the fictional sample archive in samples/ from the data files beside this script.

Everything here is fictional: the "Riverstate Federation of Teachers and Public Employees",
its officers, locals, employers, towns and figures are invented for tests and demos.

Run from anywhere:  .venv/bin/python samples/make_samples.py [--no-check]
The words live in samples/words/*.toml (samples/README.md describes the format); this script only
lays them out. The output is byte-identical on every run (reportlab invariant mode, no
clocks, no randomness). Afterwards it re-reads every file and checks the facts that the data
files state (phrase -> file and page), then prints a summary.
"""
from __future__ import annotations

import csv
import html
import io
import re
import shutil
import string
import sys
import tomllib  # TOML rather than JSON: multi-line strings keep prose readable, and comments are allowed
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

# The data files sit in samples/ itself, beside this script, not in a folder of their own: the
# test suite loads every folder under samples/ as documents (tests/conftest.py), so a data folder
# would be loaded too.
HERE = Path(__file__).resolve().parent
WORDS = HERE / "words"  # the documents' words; every other folder here is generated output
SHARED = "shared.toml"  # names and passages used by several documents; every other file describes documents
MANIFEST_FIELDS = ["path", "title", "type", "year", "date", "division", "access"]
# English month names, fixed here because strftime("%B") follows the locale.
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


# ---------------------------------------------------------------------------------------------
# Loading the data files
# ---------------------------------------------------------------------------------------------
def read_toml(name: str) -> dict:
    """Parse one data file."""
    with open(WORDS / name, "rb") as f:
        return tomllib.load(f)


def merge(base: dict, over: dict) -> dict:
    """Values of `over` replace those of `base`; tables (tables, fragments, ...) are merged key by key."""
    out = dict(base)
    for key, value in over.items():
        out[key] = {**base[key], **value} if isinstance(value, dict) and key in base else value
    return out


def fill_placeholders(values: dict) -> dict:
    """Fill {name} placeholders in string values from the other values, until none is left."""
    for _ in range(5):  # a value may name a value that itself has placeholders, so repeat a few times
        filled = {k: v.format(**values) if isinstance(v, str) else v for k, v in values.items()}
        if filled == values:
            return filled
        values = filled
    raise ValueError("placeholders refer to each other in a loop")


def load_documents() -> list[dict]:
    """Every document described in the *.toml files, one dict each, with its placeholders filled."""
    shared = read_toml(SHARED)
    docs = []
    for path in sorted(WORDS.glob("*.toml")):
        if path.name == SHARED:
            continue
        data = read_toml(path.name)
        for entry in data["document"]:
            doc = merge({**shared["names"], "fragments": shared["fragments"]}, data.get("series", {}))
            doc = merge(doc, entry)
            doc["long_date"] = long_date(doc["date"])
            if "figures" in doc:
                doc.update(audit_values(doc))
            docs.append(fill_placeholders(doc))
    return docs


def long_date(iso: str) -> str:
    """2021-03-03 -> March 3, 2021."""
    y, m, d = (int(x) for x in iso.split("-"))
    return "%s %d, %d" % (MONTHS[m - 1], d, y)


# ---------------------------------------------------------------------------------------------
# Audit figures: derived from each fiscal year's inputs so that the statements always add up
# ---------------------------------------------------------------------------------------------
def money(n: int) -> str:
    """12,345, or (12,345) when negative, as in financial statements."""
    return "(%s)" % format(-n, ",") if n < 0 else format(n, ",")


def fiscal_series(figures: dict, accounts: dict, opening: int) -> dict[int, dict]:
    """Totals and balances for every fiscal year; each year begins with the previous year's net assets."""
    series, net = {}, opening
    for i, year in enumerate(sorted(int(y) for y in figures)):
        f = dict(figures[str(year)])
        f["revenue"] = sum(f[k] for k in accounts["revenue"])
        f["expenses"] = sum(f[k] for k in accounts["expenses"])
        f["change"] = f["revenue"] - f["expenses"]
        f["net_assets_begin"] = net
        net += f["change"] if i else 0  # the first year is only a comparative column: `opening` closes it
        f["net_assets"] = net
        # June's per capita is paid in July, so one month of it is owed at the year end.
        f["per_capita_payable"] = (f["per_capita_national"] + f["per_capita_council"]) // 12
        f["liabilities"] = sum(f[k] for k in accounts["liabilities"])
        f["unrestricted"] = net - f["scholarship_fund"]
        f["assets"] = f["liabilities"] + net
        f["cash"] = f["assets"] - sum(f[k] for k in accounts["noncash_assets"])
        assert f["cash"] > 0, (year, f["cash"])
        series[year] = f
    return series


def audit_values(doc: dict) -> dict:
    """Placeholders for one audit: {name} is this year's figure, {prev_name} the previous year's."""
    series = fiscal_series(doc["figures"], doc["accounts"], doc["opening_net_assets"])
    this, prev = series[doc["year"]], series[doc["year"] - 1]
    values = {"prev_year": doc["year"] - 1}
    values.update({k: money(v) for k, v in this.items()})
    values.update({"prev_" + k: money(v) for k, v in prev.items()})
    return values


# ---------------------------------------------------------------------------------------------
# Page markup -> reportlab flowables
# ---------------------------------------------------------------------------------------------
BASE = ParagraphStyle("Body", fontName="Helvetica", fontSize=10, leading=13.2, spaceAfter=6)
TITLE = ParagraphStyle("Title", parent=BASE, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=10)
SUBTITLE = ParagraphStyle("Subtitle", parent=BASE, fontName="Helvetica-Oblique", fontSize=11, leading=14, spaceAfter=10)
H2 = ParagraphStyle("H2", parent=BASE, fontName="Helvetica-Bold", fontSize=12.5, leading=16, spaceBefore=6, spaceAfter=6)
H3 = ParagraphStyle("H3", parent=BASE, fontName="Helvetica-Bold", fontSize=10.5, leading=13.5, spaceBefore=4, spaceAfter=3)
CELL = ParagraphStyle("Cell", parent=BASE, fontSize=9, leading=11, spaceAfter=0)
# Line prefixes of the markup (see README). Headings are one line; other blocks run to a blank line.
MARKERS = {"### ": H3, "## ": H2, "# ": TITLE, "> ": SUBTITLE, "* ": BASE}
HEADINGS = ("### ", "## ", "# ")
DIRECTIVE = re.compile(r"\[(\w+) ([^\]]+)\]")


def esc(text: str) -> str:
    """Escape text for reportlab's paragraph markup and for HTML."""
    return html.escape(text, quote=False)


def unwrap(text: str) -> str:
    """Join wrapped lines: the data files wrap prose freely, the documents never hold double spaces."""
    return " ".join(text.split())


def blocks(markup: str) -> list[tuple[str, str]]:
    """Split markup into (marker, text) blocks; marker "" is a paragraph, "[" a directive."""
    out, open_block = [], False
    for line in (raw.strip() for raw in markup.splitlines()):
        marker = next((m for m in MARKERS if line.startswith(m)), None)
        if not line:
            open_block = False
        elif DIRECTIVE.fullmatch(line):
            out.append(("[", line))
            open_block = False
        elif marker:
            out.append((marker, line[len(marker):]))
            open_block = marker not in HEADINGS
        elif open_block:
            out[-1] = (out[-1][0], out[-1][1] + " " + line)
        else:
            out.append(("", line))
            open_block = True
    return out


def paragraph(marker: str, text: str) -> Paragraph:
    """One paragraph in the style its marker names; "* " is a bulleted item."""
    bullet = "\u2022" if marker == "* " else None
    return Paragraph(esc(unwrap(text)), MARKERS.get(marker, BASE), bulletText=bullet)


def flowables(markup: str, doc: dict) -> list:
    """Flowables for one page or fragment of markup, with placeholders filled from `doc`."""
    out = []
    for marker, text in blocks(markup.format(**doc)):
        out += directive(text, doc) if marker == "[" else [paragraph(marker, text)]
    return out


def directive(line: str, doc: dict) -> list:
    """[space N], [table NAME], [include FRAGMENT], [each LIST FRAGMENT] or [workshops LIST]."""
    name, arg = DIRECTIVE.fullmatch(line).groups()
    if name == "space":
        return [Spacer(1, float(arg))]
    if name == "table":
        return [table(doc["tables"][arg], doc)]
    if name == "include":
        return flowables(doc["fragments"][arg], doc)
    if name == "each":  # the fragment once per item of the list, the item's values filling its placeholders
        items, fragment = arg.split()
        return [f for item in doc[items] for f in flowables(doc["fragments"][fragment], {**doc, **item})]
    if name == "workshops":  # each named workshop: title as a sub-heading, then its description
        described = [(title, doc["workshops"][title]) for title in doc[arg]]
        return [p for title, text in described for p in (paragraph("### ", title), paragraph("", text))]
    raise ValueError("unknown directive %r" % line)


def table_rows(spec: dict, doc: dict) -> list[list]:
    """Rows of a table spec: `rows` (the first is the header), then `row` once per item of `each`."""
    rows = []
    for row in spec.get("rows", []):
        if isinstance(row, dict):  # {if = "name", cells = [...]}: only when the document sets `name`
            if not doc.get(row["if"]):
                continue
            row = row["cells"]
        rows.append([unwrap(cell.format(**doc)) for cell in row])
    for item in doc.get(spec.get("each", ""), []):
        rows.append([unwrap(cell.format(**doc, **item)) for cell in spec["row"]])
    for row in rows[1:]:  # wrapped columns hold paragraphs so that long text breaks inside the cell
        for col in spec.get("wrap", []):
            row[col] = Paragraph(esc(row[col]), CELL)
    return rows


def table(spec: dict, doc: dict) -> Table:
    """A ruled table with a bold header row; widths in inches, `right` lists right-aligned columns."""
    result = Table(table_rows(spec, doc), colWidths=[w * inch for w in spec["widths"]], repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
    ]
    style += [("ALIGN", (col, 0), (col, -1), "RIGHT") for col in spec.get("right", [])]
    result.setStyle(TableStyle(style))
    return result


# ---------------------------------------------------------------------------------------------
# Writers: PDF, HTML, plain text
# ---------------------------------------------------------------------------------------------
class _InfoWithoutTitle(PDFInfo):
    """Document information dictionary with no /Title entry at all."""

    def format(self, document):
        d = {
            "Author": PDFString(self.author),
            "Producer": PDFString(self.producer),
            "Creator": PDFString(self.creator),
            "Trapped": PDFName(self.trapped),
        }
        return PDFDictionary(d).format(document)


class _FooterDoc(SimpleDocTemplate):
    """Draws the running footer after the page body, so extracted text starts with the page's own heading."""

    def __init__(self, filename, *, footer, drop_title, **kwargs):
        self._footer, self._drop_title = footer, drop_title
        super().__init__(filename, **kwargs)

    def afterPage(self):
        canvas = self.canv
        if self._drop_title:
            canvas._doc.info.__class__ = _InfoWithoutTitle
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(0.9 * inch, 0.5 * inch, self._footer)
        canvas.drawRightString(letter[0] - 0.9 * inch, 0.5 * inch, "Page %d" % self.page)
        canvas.restoreState()


def write_pdf(doc: dict, path: Path) -> None:
    """One PDF page per entry of doc["pages"]; /Title is left out when the document is `untitled`."""
    kwargs = dict(pagesize=letter, leftMargin=0.9 * inch, rightMargin=0.9 * inch, topMargin=0.8 * inch,
                  bottomMargin=0.8 * inch, invariant=1, author=doc["fed"], creator="samples/make_samples.py",
                  subject=doc.get("subject", ""))
    if not doc.get("untitled"):
        kwargs["title"] = doc["title"]
    story = []
    for i, page in enumerate(doc["pages"]):
        story += ([PageBreak()] if i else []) + flowables(page, doc)
    _FooterDoc(str(path), footer=doc["footer"], drop_title=bool(doc.get("untitled")), **kwargs).build(story)


def fill_template(template: str, values: dict) -> str:
    """string.Template per line; a line that is only `$name` takes a list, one line per item at its indent."""
    out = []
    for line in template.splitlines(keepends=True):
        block = re.fullmatch(r"( *)\$(\w+)\n", line)
        if block and isinstance(values.get(block[2]), list):
            out += [block[1] + item + "\n" for item in values[block[2]]]
        else:
            out.append(string.Template(line).substitute(values))
    return "".join(out)


def write_html(doc: dict, path: Path) -> None:
    """Fill the HTML template; the body's paragraphs become <p> lines, the first after the dateline."""
    paras = [esc(unwrap(text)) for _, text in blocks(doc["body"])]
    body = ["<p><strong>%s</strong>%s</p>" % (esc(doc["dateline"]), paras[0])]
    body += ["<p>%s</p>" % p for p in paras[1:]]
    values = {k: esc(unwrap(v)) for k, v in doc.items() if isinstance(v, str)}  # unwrap: {about} is wrapped
    values.update(body=body, extra_style=doc.get("extra_style", []), extra_script=doc.get("extra_script", []))
    path.write_bytes(fill_template((WORDS / doc["template"]).read_text("utf-8"), values).encode("utf-8"))


def write_text(doc: dict, path: Path) -> None:
    """The text as written, with the document's line ending and encoding."""
    text = doc["text"].replace("\n", doc.get("newline", "\n"))
    path.write_bytes(text.encode(doc.get("encoding", "utf-8")))


def write_document(doc: dict) -> None:
    """Write one document; its file extension picks the writer."""
    path = HERE / doc["path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = {".pdf": write_pdf, ".html": write_html, ".txt": write_text}[path.suffix]
    writer(doc, path)


def write_manifest(docs: list[dict]) -> None:
    """manifest.csv: the true metadata of every document, sorted by path."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    for doc in sorted(docs, key=lambda d: d["path"]):
        writer.writerow({k: doc[k] for k in MANIFEST_FIELDS})
    (HERE / "manifest.csv").write_bytes(out.getvalue().encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Read-back checks
# ---------------------------------------------------------------------------------------------
class _Visible(HTMLParser):
    """Visible text of an HTML page: everything except <script> and <style> contents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def pdf_texts(doc: dict, problems: list[str]) -> list[str]:
    """Each page's text as pypdf extracts it, after checking page count, /Title and distinct pages."""
    from pypdf import PdfReader

    rel, reader = doc["path"], PdfReader(HERE / doc["path"])
    if len(reader.pages) != len(doc["pages"]):
        problems.append("%s: %d pages, expected %d" % (rel, len(reader.pages), len(doc["pages"])))
    meta_title = (reader.metadata or {}).get("/Title")
    if bool(doc.get("untitled")) != (meta_title is None):
        problems.append("%s: unexpected /Title %r" % (rel, meta_title))
    texts = [page.extract_text(extraction_mode="plain") for page in reader.pages]
    if len(set(texts)) != len(texts):
        problems.append("%s: two pages have identical text" % rel)
    return texts


def extracted_units(docs: list[dict], problems: list[str]) -> dict[tuple[str, int], str]:
    """{(path, page): text}: PDF pages via pypdf; HTML visible text and text files count as page 1."""
    units = {}
    for doc in docs:
        path = HERE / doc["path"]
        if path.suffix == ".pdf":
            texts = pdf_texts(doc, problems)
        elif path.suffix == ".html":
            parser = _Visible()
            parser.feed(path.read_text("utf-8"))
            texts = [" ".join(parser.parts)]
        else:
            texts = [path.read_bytes().decode(doc.get("encoding", "utf-8"))]
        units.update({(doc["path"], i): text for i, text in enumerate(texts, start=1)})
    return units


def squash(text: str) -> str:
    """Collapse runs of whitespace to one space."""
    return re.sub(r"\s+", " ", text)


def check_phrases(docs: list[dict], units: dict, problems: list[str]) -> None:
    """Each fact's phrase only on its stated page; each hidden phrase in its file but never visible."""
    for doc in docs:
        for fact in doc.get("facts", []):
            phrase, where = fact["phrase"], (doc["path"], fact["page"])
            if phrase not in units.get(where, ""):
                problems.append("known fact %r not extracted verbatim from %s page %d" % (phrase, *where))
            hits = [key for key, text in units.items() if phrase.lower() in squash(text).lower()]
            if hits != [where]:
                problems.append("known fact %r found in %r" % (phrase, hits))
        for hidden in doc.get("hidden", []):
            visible = [key for key, text in units.items() if hidden.lower() in text.lower()]
            raw = [d["path"] for d in docs if hidden.encode() in (HERE / d["path"]).read_bytes()]
            if visible or raw != [doc["path"]]:
                problems.append("hidden phrase %r: visible in %r, raw in %r" % (hidden, visible, raw))


def verify(docs: list[dict]) -> list[str]:
    """Re-read every written file and return the problems found (none when all is well)."""
    problems = []
    check_phrases(docs, extracted_units(docs, problems), problems)
    for doc in docs:  # a non-UTF-8 file exists to exercise encoding detection: it must not decode as UTF-8
        if doc.get("encoding", "utf-8") != "utf-8":
            try:
                (HERE / doc["path"]).read_bytes().decode("utf-8")
                problems.append("%s unexpectedly decodes as UTF-8" % doc["path"])
            except UnicodeDecodeError:
                pass
    size = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file() and WORDS not in p.parents)
    if size > 2_000_000:
        problems.append("samples/ is %d bytes, over 2 MB" % size)
    return problems


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
def summary(docs: list[dict]) -> None:
    """Print the document count by type and the years covered."""
    by_type = Counter(d["type"] for d in docs)
    years = sorted({d["year"] for d in docs})
    print("documents: %d" % len(docs))
    for t in sorted(by_type):
        print("  %-18s %2d  years: %s" % (t, by_type[t], ", ".join(
            str(y) for y in sorted({d["year"] for d in docs if d["type"] == t}))))
    print("distinct years: %d (%s)" % (len(years), ", ".join(map(str, years))))


def main(argv: list[str]) -> int:
    """Rewrite every output folder and the manifest, then check them unless --no-check."""
    docs = load_documents()
    # Only output folders are deleted, so a document must sit in one, never beside the data files.
    assert all(len(Path(d["path"]).parts) == 2 for d in docs), "every document belongs in a folder"
    folders = sorted({Path(d["path"]).parts[0] for d in docs})
    for folder in folders:
        shutil.rmtree(HERE / folder, ignore_errors=True)
    for doc in docs:
        write_document(doc)
    write_manifest(docs)
    summary(docs)
    if "--no-check" in argv:
        return 0
    problems = verify(docs)
    for problem in problems:
        print("CHECK FAILED:", problem, file=sys.stderr)
    print("checks: %s" % ("all passed" if not problems else "%d problem(s)" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
