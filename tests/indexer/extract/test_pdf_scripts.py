"""Finding JavaScript in a PDF wherever it hides: the document, a page, an annotation, the name tree."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from indexer.extract.pdf_scripts import runs_script
from tests.builders import make_pdf


def _script() -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                             NameObject("/JS"): TextStringObject("app.alert(1)")})


def _plant(writer: PdfWriter, where: str) -> None:
    if where == "open-action":
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(_script())
    elif where == "page-aa":
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _script()})
    elif where == "annotation":
        link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                 NameObject("/A"): _script()})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    else:  # the document-level name tree, as Acrobat writes it
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hello"),
                                                                    writer._add_object(_script())])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


@pytest.mark.parametrize("where", ["open-action", "page-aa", "annotation", "names"])
def test_javascript_is_found_wherever_it_is(tmp_path: Path, where: str):
    plain = make_pdf(tmp_path / "plain.pdf", ["Plain page"])
    writer = PdfWriter(clone_from=PdfReader(plain))
    _plant(writer, where)
    writer.write(tmp_path / "scripted.pdf")
    assert runs_script(tmp_path / "scripted.pdf")


def test_a_plain_pdf_and_one_merely_mentioning_js_run_no_script(tmp_path: Path):
    assert not runs_script(make_pdf(tmp_path / "plain.pdf", ["A page about /JS and JavaScript"]))


def test_a_file_that_cannot_be_read_counts_as_scripted(tmp_path: Path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert runs_script(path)
