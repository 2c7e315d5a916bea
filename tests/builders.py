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


def make_cut_trailer_pdf(path: Path, text: str) -> Path:
    """A one-page PDF cut off before its cross-reference table and trailer (a download that stopped)."""
    whole = make_pdf(path, [text]).read_bytes()
    path.write_bytes(whole[: whole.rfind(b"xref")])
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


def make_slow_pdf(path: Path, operators: int = 300_000) -> Path:
    """A 4 KB one-page PDF whose content stream holds `operators` text operators: pypdf takes many seconds."""
    return _pdf_with_content(path, b"BT /F1 12 Tf " + b"(ab) Tj " * operators + b"ET")


def make_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF whose pages carry vector drawings but no text layer and no image (a chart, not a scan)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for _ in range(pages):
        pdf.rect(72, 72, 300, 400, fill=1)
        pdf.showPage()
    pdf.save()
    return path


def _pdf_with_content(path: Path, content: bytes) -> Path:
    """A minimal one-page PDF around a raw (compressed) content stream."""
    import zlib

    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


def make_scan_pdf(path: Path, pages: Sequence[str], turn: int = 0, dpi: int = 200, noise: float = 12.0,
                  quality: int = 60, seed: int = 0) -> Path:
    """A PDF shaped like scanner output: each page one noisy grayscale JPEG of printed text, no text layer.

    The text is typeset by reportlab, drawn by PDFium at `dpi`, speckled with Gaussian noise, turned
    `turn` degrees clockwise inside the image (a sheet fed sideways, not a /Rotate entry), and
    JPEG-compressed, so OCR meets what it meets in real scans.
    """
    import io

    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    typeset = make_pdf(path.with_suffix(".typeset.pdf"), pages)
    rng = np.random.default_rng(seed)
    out = canvas.Canvas(str(path), invariant=1)
    document = pdfium.PdfDocument(str(typeset))
    for page in document:
        pixels = page.render(scale=dpi / 72, grayscale=True).to_numpy().astype(np.float32)
        pixels = np.clip(pixels + rng.normal(0, noise, pixels.shape), 0, 255).astype(np.uint8)
        image = Image.fromarray(np.rot90(pixels, k=-turn // 90))
        jpeg = io.BytesIO()
        image.save(jpeg, format="JPEG", quality=quality)
        width, height = image.width * 72 / dpi, image.height * 72 / dpi
        out.setPageSize((width, height))
        out.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 0, 0, width, height)
        out.showPage()
    document.close()
    out.save()
    typeset.unlink()
    return path


# Text documents shaped like the real ones libmagic misnamed (FACTS.md, "What a load of real documents showed").

def make_page_with_leading_script(path: Path, title: str, body: str, script_kb: int = 20) -> Path:
    """A web page whose <head> opens with a large inline analytics script; libmagic calls it JavaScript."""
    pushes = "".join(f"    w.dataLayer.push({{'event': 'view', 'slot': {n}}});\n" for n in range(script_kb * 20))
    script = f"<script>\n  (function(w, d) {{\n{pushes}  }})(window, document);\n</script>\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'\n  <!DOCTYPE html>\n<html lang="en"><head>\n{script}<title>{title}</title>\n</head>\n'
                    f"<body><nav>Home | News</nav><h1>{title}</h1><p>{body}</p></body></html>\n")
    return path


def make_indented_contract(path: Path) -> Path:
    """A plain-text contract opening with indented capitals over a ruled line; libmagic calls it AppleWorks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("    OFFICE AND PROFESSIONAL EMPLOYEES\n    LOCAL 153 COLLECTIVE BARGAINING AGREEMENT\n"
                    "    " + "=" * 80 + "\n\n"
                    "ARTICLE 1. RECOGNITION\n\nThe Employer recognizes the Union as the sole bargaining agent.\n")
    return path


def make_markdown_post(path: Path) -> Path:
    """A Markdown press post with YAML front matter whose wrapped prose libmagic calls C source."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('---\ntitle: "Nurses ratify a new contract"\ndate: 2016-03-29\nlayout: post\n'
                    "tags:\n- nurses\n- bargaining\n---\n\n"
                    "# Riverside nurses vote yes\n\nAfter six months of bargaining, the\n"
                    "union members at [Riverside General](https://example.org/riverside) voted\n"
                    "to accept the **new agreement**.\n")
    return path
