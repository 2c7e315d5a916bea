"""OCR benchmark: `archive load` of scans against raw tesseract, word recall, and known-item search.

    .venv/bin/python -m bench.bench_ocr                 # 24 scanned files, 48 pages (a few minutes)
    .venv/bin/python -m bench.bench_ocr --files 6       # a quick run

The scans have known text: union-like prose typeset by reportlab, drawn at 200 dpi, speckled with noise,
some turned 90/180/270 degrees, JPEG-compressed (`tests.builders.make_scan_pdf`). Each file also holds
one made-up word found nowhere else, for known-item search. Raw tesseract reads the very same pages,
rendered the same way (300 dpi grayscale PGM, OMP_THREAD_LIMIT=1), with 2 processes. Every figure is
measured in this one run; CPU-seconds are printed beside wall time because the machine is shared.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.bench_load import FILLER, WORDS
from indexer.extract.pdfium import SecondEngine
from indexer.extract.scans import OCR_DPI

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ARCHIVE = str(Path(sys.executable).with_name("archive"))
TURNS = (90, 180, 270)  # the turned corpus: sheets fed sideways or upside down
KNOWN_ITEMS = ("quinceberry", "marmalade", "porcupine", "lighthouse", "saxophone", "avalanche", "tangerine",
               "pelican", "trombone", "hazelnut", "windmill", "sunflower", "labyrinth", "cinnamon", "glacier",
               "harpsichord", "kingfisher", "meadowlark", "nightingale", "orchard", "parsnip", "quarry",
               "rosemary", "snowdrift", "thimble", "umbrella", "vineyard", "walnut", "yarrow", "zeppelin")


def page_lines(rng: random.Random, lines: int = 22) -> list[str]:
    """Lines of prose of union-like words, about 11 to a line."""
    return [" ".join(rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(11))
            for _ in range(lines)]


def corpus(files: int, turned: bool) -> tuple[Path, dict[str, list[str]]]:
    """The scans (made once, then reused) and each file's known text, page by page."""
    from tests.builders import make_scan_pdf

    folder = OUT / f"scans-{files}{'-turned' if turned else ''}"
    known: dict[str, list[str]] = {}
    for n in range(files):
        rng = random.Random(n)
        pages = ["\n".join(page_lines(rng)) for _ in range(2)]
        pages[0] = f"Item {KNOWN_ITEMS[n % len(KNOWN_ITEMS)]} {n}\n" + pages[0]
        path = folder / f"scan-{n:03d}.pdf"
        known[path.name] = pages
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            make_scan_pdf(path, pages, turn=TURNS[n % len(TURNS)] if turned else 0, seed=n)
    return folder, known


def raw_page(args: tuple[str, int]) -> str:
    """One page as tesseract alone reads it, drawn as our pipeline draws it (the upright first pass only)."""
    path, number = args
    engine = SecondEngine(Path(path))
    image = engine.render_gray(number, OCR_DPI)
    engine.close()
    with tempfile.NamedTemporaryFile(suffix=".pgm") as pgm:
        pgm.write(b"P5 %d %d 255\n" % (image.width, image.height) + image.pixels)
        pgm.flush()
        done = subprocess.run(["tesseract", pgm.name, "stdout", "--dpi", str(image.dpi), "--psm", "3"],
                              capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return done.stdout


def raw_tesseract(folder: Path, processes: int) -> tuple[float, int, float]:
    """(seconds, pages, CPU seconds of the children) for raw tesseract over every page."""
    pages = [(str(p), n) for p in sorted(folder.glob("*.pdf")) for n in (1, 2)]
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(raw_page, pages))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, len(pages), after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def our_load(folder: Path, data: Path, jobs: int) -> tuple[float, float]:
    """(seconds, CPU seconds of the load, its workers and their tesseract children) for `archive load`."""
    shutil.rmtree(data, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.Popen([ARCHIVE, "--data-dir", str(data), "load", str(folder), "--jobs", str(jobs),
                             "--progress-every", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    own, waited = {}, {}
    while proc.poll() is None:
        for pid, (cpu, children_cpu, parents_tesseract) in _tree(proc.pid).items():
            own[pid] = cpu
            if parents_tesseract or pid in waited:
                waited[pid] = children_cpu  # tesseract's CPU, added to its worker's once it is reaped
        time.sleep(0.1)
    return time.perf_counter() - started, sum(own.values()) + sum(waited.values())


def _tree(root: int) -> dict[int, tuple[float, float, bool]]:
    """{pid: (own CPU-s, reaped children's CPU-s, runs tesseract now)} for the load's processes but tesseract."""
    tick, found, stack = os.sysconf("SC_CLK_TCK"), {}, [root]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
            names = {c: Path(f"/proc/{c}/comm").read_text().strip() for c in children}
        except (OSError, ValueError):
            continue
        found[pid] = ((int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick,
                      "tesseract" in names.values())
        stack.extend(c for c, name in names.items() if name != "tesseract")
    return found


def recall(data: Path, known: dict[str, list[str]]) -> float:
    """The share of the known words (lowercased, as a multiset per page) that OCR found on their page."""
    from collections import Counter

    from archive.catalog import Catalog

    found = total = 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        for doc in catalog.iter_documents():
            for (_, text), truth in zip(catalog.page_texts(doc.id), known[doc.filename]):
                want, got = Counter(truth.lower().split()), Counter(text.lower().split())
                found += sum((want & got).values())
                total += sum(want.values())
    return found / total


def known_item_success(data: Path, known: dict[str, list[str]]) -> tuple[int, int]:
    """(found, asked): searches for a word that exists only in one scan, and whether that scan comes back."""
    found = 0
    for n in range(len(known)):
        word = KNOWN_ITEMS[n % len(KNOWN_ITEMS)]
        out = subprocess.run([ARCHIVE, "--data-dir", str(data), "search", word, "--limit", "100"],
                             capture_output=True, text=True).stdout
        found += f"scan-{n:03d}.pdf" in out
    return found, len(known)


def real_scan_recall() -> str:
    """Word recall on the one real scan in ../shared/realdocs that comes with its text (if present)."""
    scan = ROOT.parent / "shared" / "realdocs" / "scans" / "ocrmypdf__linn.pdf"
    if not scan.exists():
        return "realdocs not found: skipped"
    from collections import Counter

    from indexer.extract.dispatch import extract

    truth = Counter(scan.with_suffix(".txt").read_text().lower().split())
    got = Counter(" ".join(extract(scan).pages).lower().split())
    return f"{sum((truth & got).values()) / sum(truth.values()):.3f} of {sum(truth.values())} words"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=24, help="upright scans (2 pages each); a quarter as many turned")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("tesseract") is None:
        sys.exit("tesseract is not installed")
    folder, known = corpus(args.files, turned=False)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start")
    raw_s, pages, raw_cpu = raw_tesseract(folder, args.jobs)
    print(f"raw tesseract, {args.jobs} processes: {pages} pages in {raw_s:.1f} s ({pages / raw_s:.2f} pages/s), "
          f"{raw_cpu:.1f} CPU-s ({raw_cpu / pages:.2f} CPU-s a page)")
    data = OUT / f"scans-{args.files}-archive"
    load_s, load_cpu = our_load(folder, data, args.jobs)
    print(f"archive load --jobs {args.jobs}: {pages} pages in {load_s:.1f} s ({pages / load_s:.2f} pages/s), "
          f"{load_cpu:.1f} CPU-s ({load_cpu / pages:.2f} CPU-s a page)")
    print(f"ratio (ours / raw tesseract, pages/s by wall clock): {raw_s / load_s:.2f}; by CPU-s: {raw_cpu / load_cpu:.2f}")
    print(f"upright scans: word recall {recall(data, known):.3f}; known-item search "
          "{} of {} found".format(*known_item_success(data, known)))
    turned, turned_known = corpus(max(1, args.files // 4), turned=True)
    turned_data = OUT / f"scans-{args.files}-turned-archive"
    turned_s, _ = our_load(turned, turned_data, args.jobs)
    print(f"turned scans (90/180/270): {2 * len(turned_known)} pages in {turned_s:.1f} s; word recall "
          f"{recall(turned_data, turned_known):.3f}; known-item search "
          "{} of {} found".format(*known_item_success(turned_data, turned_known)))
    print(f"real scan with known text (ocrmypdf__linn.pdf): recall {real_scan_recall()}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
