"""Small real files for tests: PDFs drawn with reportlab, read back by real pypdf."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas


def make_pdf(path: Path, pages: Sequence[str], title: str | None = None) -> Path:
    """Write a PDF with one text page per item of `pages` (lines split on newlines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    if title:
        pdf.setTitle(title)
    for text in pages:
        y = 720
        for line in text.splitlines() or [""]:
            pdf.setFont("Helvetica", 11)
            pdf.drawString(72, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return path


def make_encrypted_pdf(path: Path, source: Path, user_password: str, algorithm: str) -> Path:
    """Re-write `source` encrypted; algorithm is pypdf's name, e.g. "RC4-128" or "AES-256"."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    with path.open("wb") as out:
        writer.write(out)
    return path


def make_truncated_pdf(path: Path, source: Path) -> Path:
    """Write the first half of a real PDF: a download cut off mid-way."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_png(path: Path) -> Path:
    """Write a real 4x4 PNG image."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), "red").save(path, format="PNG")
    return path


def make_zip(path: Path) -> Path:
    """Write a real ZIP archive holding one text member."""
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("minutes.txt", "Minutes of the executive board meeting.")
    return path
