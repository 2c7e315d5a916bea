"""Scans read by OCR: which pages, rotation, language, confidence, and failures that cost one page."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.pages import OcrState
from indexer.extract.dispatch import extract
from indexer.extract.ocr import check_language, parse_tsv
from indexer.extract.result import Limits, OcrMode, OcrSettings
from tests.builders import make_pdf, make_scan_pdf
from tests.conftest import require_tool

CONTRACT = ("COLLECTIVE BARGAINING AGREEMENT\nArticle 7. Grievance Procedure\n"
            "A grievance shall be filed with the steward within ten days.\n"
            "The arbitrator's decision is final and binding on both parties.\nRiverbend Paraprofessionals Local 4102")
CONTRACT_WORDS = {"collective", "bargaining", "agreement", "article", "grievance", "procedure", "filed", "steward",
                  "within", "ten", "days", "arbitrator's", "decision", "final", "binding", "parties", "riverbend",
                  "paraprofessionals", "local", "4102"}


@pytest.fixture(autouse=True)
def tesseract() -> str:
    return require_tool("tesseract")


def words(text: str) -> set[str]:
    return {w.strip(".,;:").lower() for w in text.split()}


def test_a_scanned_page_is_read_by_ocr_with_engine_language_and_confidence(tmp_path: Path) -> None:
    result = extract(make_scan_pdf(tmp_path / "contract.pdf", [CONTRACT]))
    [read] = result.page_reads()
    assert (read.engine, read.ocr, read.language) == ("tesseract", OcrState.DONE, "eng")
    assert 80 < read.confidence <= 100
    recall = len(CONTRACT_WORDS & words(result.pages[0])) / len(CONTRACT_WORDS)
    assert recall > 0.95, result.pages[0]


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_page_scanned_sideways_or_upside_down_is_read_upright(tmp_path: Path, turn: int) -> None:
    result = extract(make_scan_pdf(tmp_path / f"turned-{turn}.pdf", [CONTRACT], turn=turn))
    assert "Grievance Procedure" in result.pages[0]
    assert result.page_reads()[0].confidence > 80


def test_spanish_scans_are_read_with_the_spanish_data(tmp_path: Path) -> None:
    scan = make_scan_pdf(tmp_path / "acuerdo.pdf", [
        "ACUERDO DE NEGOCIACIÓN COLECTIVA\nLa comisión aprobó la jubilación anticipada.\n"
        "Los trabajadores recibirán una compensación según el artículo doce."])
    limits = Limits(ocr=OcrSettings(language="spa"))
    result = extract(scan, limits)
    assert {"negociación", "comisión", "jubilación", "compensación", "artículo"} <= words(result.pages[0])
    assert result.page_reads()[0].language == "spa"


def test_a_page_with_a_text_layer_is_never_ocrd_even_over_a_full_page_image(tmp_path: Path) -> None:
    # A "searchable scan": the image of the page with its text layer behind it, as scanners produce.
    from pypdf import PdfReader, PdfWriter

    image = make_scan_pdf(tmp_path / "image.pdf", [CONTRACT])
    text = make_pdf(tmp_path / "text.pdf", ["Text layer of the page: grievance procedure for stewards"])
    writer = PdfWriter(clone_from=PdfReader(text))
    writer.pages[0].merge_page(PdfReader(image).pages[0])
    writer.write(tmp_path / "both.pdf")
    result = extract(tmp_path / "both.pdf")
    assert result.pages[0] == "Text layer of the page: grievance procedure for stewards"
    assert (result.page_reads()[0].engine, result.page_reads()[0].ocr) == ("pypdf", OcrState.NOT_NEEDED)


def test_only_scanned_pages_of_a_mixed_document_are_ocrd(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(make_pdf(tmp_path / "typed.pdf", ["Cover letter from the federation president"]))
    writer.append(make_scan_pdf(tmp_path / "signed.pdf", [CONTRACT]))
    writer.write(tmp_path / "mixed.pdf")
    result = extract(tmp_path / "mixed.pdf")
    assert [r.engine for r in result.page_reads()] == ["pypdf", "tesseract"]
    assert "steward" in result.pages[1] and result.pages[0].startswith("Cover letter")
    assert PdfReader(tmp_path / "mixed.pdf").pages[1].extract_text() == ""  # the original is not touched


def test_a_page_whose_image_covers_less_than_half_is_not_ocrd(tmp_path: Path) -> None:
    # A letterhead logo on an otherwise blank page: an image, but not a scan of the page.
    import io

    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    logo = Image.new("L", (600, 300), 255)
    ImageDraw.Draw(logo).text((20, 20), "RIVERBEND FEDERATION OF TEACHERS", fill=0)
    buffer = io.BytesIO()
    logo.save(buffer, format="PNG")
    pdf = canvas.Canvas(str(tmp_path / "logo.pdf"), pagesize=letter, invariant=1)
    pdf.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 72, 500, 300, 150)  # ~10% of the page
    pdf.showPage()
    pdf.save()
    result = extract(tmp_path / "logo.pdf")
    assert result.pages == ("",)
    assert (result.page_reads()[0].engine, result.page_reads()[0].ocr) == ("", OcrState.NOT_NEEDED)


def test_deferred_ocr_marks_scans_as_waiting_in_their_language(tmp_path: Path) -> None:
    limits = Limits(ocr=OcrSettings(mode=OcrMode.DEFER, language="eng+spa"))
    result = extract(make_scan_pdf(tmp_path / "contract.pdf", [CONTRACT]), limits)
    assert result.pages == ("",)
    assert (result.page_reads()[0].ocr, result.page_reads()[0].language) == (OcrState.PENDING, "eng+spa")


def test_a_page_that_overruns_its_ocr_time_fails_alone(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    dense = "\n".join(f"Line {n}: the union and the board agreed to the wage scale and the grievance steps."
                      for n in range(48))
    writer = PdfWriter()
    writer.append(make_pdf(tmp_path / "typed.pdf", ["Minutes of the executive board: the budget passed"]))
    writer.append(make_scan_pdf(tmp_path / "dense.pdf", [dense]))
    writer.write(tmp_path / "mixed.pdf")
    result = extract(tmp_path / "mixed.pdf", Limits(ocr=OcrSettings(page_seconds=1.0)))
    assert result.pages[0] == "Minutes of the executive board: the budget passed"
    assert result.pages[1] == ""
    assert (result.page_reads()[1].ocr, result.page_reads()[1].note) == (
        OcrState.FAILED, "timeout: OCR took longer than its time limit for this page")


def test_language_codes_are_checked_against_the_installed_data() -> None:
    assert check_language("eng+spa") == "eng+spa"
    with pytest.raises(ValueError, match="no OCR language data for xyz"):
        check_language("xyz")
    with pytest.raises(ValueError, match="not a tesseract language code"):
        check_language("eng; rm -rf /")


def test_tesseract_tsv_becomes_lines_paragraphs_and_mean_confidence() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = ["5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tStep", "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\tone",
            "5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\tfiled", "5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t60\tArticle",
            "4\t1\t2\t1\t1\t0\t0\t0\t1\t1\t-1\t"]
    result = parse_tsv("\n".join([header, *rows]))
    assert result.text == "Step one\nfiled\n\nArticle"
    assert result.confidence == 75.0
