"""Bulk-load benchmark: raw pypdf throughput against `archive load`, 1 vs 2 jobs, peak memory, re-run time.

    .venv/bin/python bench/bench_load.py                 # 5,000 files, ~100,000 pages (takes a while)
    .venv/bin/python bench/bench_load.py --files 300     # a quick run
    .venv/bin/python bench/bench_load.py --files 150 --repeat 8   # the ratio of a small load, as a median

The corpus is generated deterministically (multi-page PDFs of union-like prose) under bench/out/ and kept for
later runs. Every figure is measured in this one run; wall-clock figures are noisy on a shared machine, so
CPU-seconds are printed beside them. A small load's ratio varies from run to run (0.67-0.91 over 8 runs of
150 files), so `--repeat N` alternates raw pypdf and `archive load` N times and quotes the median.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ARCHIVE = str(Path(sys.executable).with_name("archive"))
PER_FOLDER = 100

WORDS = ("union federation local members delegates convention report audit financial statement dues revenue "
         "per capita affiliates council executive president secretary treasurer bargaining contract agreement "
         "negotiations negotiated grievance arbitration pension retirement health insurance benefits salary "
         "wages teachers paraprofessionals nurses higher education public employees school district board "
         "legislature budget funding resolution resolved committee organizing campaign workshop training "
         "course catalog safety staffing ratios overtime leave seniority tenure evaluation professional "
         "development classroom students community solidarity strike vote ratified membership growth trust "
         "liability assets net position cash flows expenses program services compliance governance").split()
FILLER = "the of and to in a for that on with as by is was at from be this are which".split()


def page_text(rng: random.Random, words_per_page: int = 380) -> list[str]:
    """Lines of one page: Zipf-like content words, function words and the odd number or code."""
    lines, line = [], []
    for _ in range(words_per_page):
        roll = rng.random()
        if roll < 0.45:
            word = rng.choice(FILLER)
        elif roll < 0.97:
            word = WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1) if rng.random() < 0.6
                         else rng.randrange(len(WORDS))]
        else:
            word = str(rng.randrange(1900, 2030)) if rng.random() < 0.5 else f"${rng.randrange(100, 99999):,}"
        line.append(word)
        if len(line) >= 11:
            lines.append(" ".join(line))
            line = []
    return lines + ([" ".join(line)] if line else [])


def make_file(args: tuple[Path, int]) -> int:
    """Write document number `n` (deterministic); returns its page count."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path, n = args
    rng = random.Random(n)
    pages = rng.randint(8, 32)
    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    pdf.setTitle(f"{rng.choice(['Convention Report', 'Financial Audit', 'Fact Sheet'])} {1990 + n % 35}")
    for _ in range(pages):
        pdf.setFont("Helvetica", 9)
        y = 750
        for text in page_text(rng):
            pdf.drawString(50, y, text)
            y -= 11
        pdf.showPage()
    pdf.save()
    return pages


def corpus(files: int) -> tuple[Path, int]:
    """The corpus of `files` documents (made once, then reused) and its page count."""
    folder = OUT / f"corpus-{files}"
    marker = folder / ".pages"
    if marker.exists():
        return folder, int(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    jobs = [(folder / f"batch-{n // PER_FOLDER:03d}" / f"doc-{n:05d}.pdf", n) for n in range(files)]
    for path, _ in jobs:
        path.parent.mkdir(parents=True, exist_ok=True)
    print(f"generating {files} PDFs in {folder} ...", flush=True)
    with ProcessPoolExecutor(2) as pool:
        pages = sum(pool.map(make_file, jobs, chunksize=20))
    marker.write_text(str(pages))
    return folder, pages


def raw_extract(path: Path) -> int:
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    for page in reader.pages:
        page.extract_text(extraction_mode="plain")
    return len(reader.pages)


def raw_throughput(folder: Path, processes: int) -> tuple[float, int, float]:
    """(seconds, pages, CPU seconds) for plain pypdf over every PDF with `processes` processes: the practical limit."""
    files = sorted(folder.rglob("*.pdf"))
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with ProcessPoolExecutor(processes) as pool:
        pages = sum(pool.map(raw_extract, files, chunksize=4))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return time.perf_counter() - started, pages, cpu


def tree_sample(pid: int) -> dict[int, tuple[int, float]]:
    """{pid: (resident bytes, CPU seconds so far)} for a process and all its descendants."""
    found, stack = {}, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while stack:
        current = stack.pop()
        try:
            rss = int(Path(f"/proc/{current}/status").read_text().split("VmRSS:")[1].split()[0]) * 1024
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            found[current] = (rss, (int(fields[11]) + int(fields[12])) / tick)
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return found


def timed_load(data: Path, paths: list[Path], jobs: int, extra: tuple[str, ...] = ()) -> dict:
    """Run `archive load` as staff would; wall time, CPU time of the tree, and peak RSS of the tree."""
    cmd = [ARCHIVE, "--data-dir", str(data), "load", *map(str, paths), "--jobs", str(jobs),
           "--progress-every", "60", *extra]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, cpu = [0], {}

    def watch() -> None:
        while proc.poll() is None:
            sample = tree_sample(proc.pid)
            peak[0] = max(peak[0], sum(rss for rss, _ in sample.values()))
            cpu.update({pid: seconds for pid, (_, seconds) in sample.items()})
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    output, _ = proc.communicate()
    wall = time.perf_counter() - started
    watcher.join()
    if proc.returncode != 0:
        print(output)
        raise SystemExit(f"archive load failed ({proc.returncode})")
    return {"wall": wall, "cpu": sum(cpu.values()), "parent_cpu": cpu.get(proc.pid, 0.0), "peak_rss": peak[0], "output": output.strip().splitlines()[-3:]}


def text_bytes(data: Path) -> int:
    with sqlite3.connect(data / "catalog.sqlite3") as db:
        return db.execute("SELECT COALESCE(SUM(LENGTH(CAST(text AS BLOB))), 0) FROM pages").fetchone()[0]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--single-job-files", type=int, default=500,
                        help="files for the 1-job vs 2-job comparison (1 job is slow)")
    parser.add_argument("--writer-analysis", action="store_true",
                        help="also time a load that analyses text in the writer, as before (for comparison)")
    parser.add_argument("--repeat", type=int, default=0, metavar="N",
                        help="only the wall-clock ratio: alternate raw pypdf and `archive load` N times, print "
                             "each ratio and the median")
    args = parser.parse_args()

    folder, pages = corpus(args.files)
    print(f"corpus: {args.files} files, {pages} pages, {folder_bytes(folder) / 1e6:.0f} MB; "
          f"{os.cpu_count()} CPUs", flush=True)
    if args.repeat:
        repeated_ratio(folder, pages, args.repeat)
        return

    raw_s, raw_pages, raw_cpu = raw_throughput(folder, 2)
    raw_rate = raw_pages / raw_s
    print(f"raw pypdf, 2 processes: {raw_pages} pages in {raw_s:.1f} s ({raw_cpu:.0f} CPU-s) = {raw_rate:.1f} pages/s; "
          f"{raw_pages / raw_cpu:.0f} pages per CPU-s", flush=True)

    data = OUT / "data-2jobs"
    shutil.rmtree(data, ignore_errors=True)
    full = timed_load(data, [folder], jobs=2)
    rate = pages / full["wall"]
    print(f"archive load, 2 jobs: {full['wall']:.1f} s wall, {full['cpu']:.0f} CPU-s = {rate:.1f} pages/s; "
          f"ratio to raw pypdf {rate / raw_rate:.2f} (target >= 0.8); by CPU-seconds "
          f"{raw_cpu / full['cpu']:.2f}", flush=True)
    print(f"the parent (the single writer) used {full['parent_cpu']:.0f} of those CPU-s "
          f"({full['parent_cpu'] / full['wall']:.0%} of one core over the load)")
    print(f"peak RSS of the whole load (parent + workers): {full['peak_rss'] / 2**20:.0f} MB (target < 1024 MB)")
    print("   " + "\n   ".join(full["output"]), flush=True)

    rerun = timed_load(data, [folder], jobs=2)
    print(f"unchanged re-run over {args.files} files: {rerun['wall']:.2f} s (target < 5 s)", flush=True)

    index_size, text_size = folder_bytes(data / "index"), text_bytes(data)
    print(f"index {index_size / 1e6:.1f} MB for {text_size / 1e6:.1f} MB of extracted text "
          f"= {index_size / text_size:.2f}x", flush=True)

    subset = sorted(p for p in folder.iterdir() if p.is_dir())[: max(1, args.single_job_files // PER_FOLDER)]
    for jobs in (1, 2):
        run_dir = OUT / f"data-subset-{jobs}job"
        shutil.rmtree(run_dir, ignore_errors=True)
        result = timed_load(run_dir, subset, jobs=jobs)
        loaded_pages = _pages_in(run_dir)
        print(f"subset of {len(subset) * PER_FOLDER} files, {jobs} job(s): {loaded_pages / result['wall']:.1f} pages/s "
              f"({result['wall']:.1f} s wall, {result['cpu']:.0f} CPU-s)", flush=True)
    if args.writer_analysis:
        run_dir = OUT / "data-subset-writer-analysis"
        shutil.rmtree(run_dir, ignore_errors=True)
        result = timed_load(run_dir, subset, jobs=2, extra=("--analyze-in-writer",))
        print(f"subset, 2 jobs, text analysed in the writer (before): {_pages_in(run_dir) / result['wall']:.1f} "
              f"pages/s ({result['wall']:.1f} s wall, {result['cpu']:.0f} CPU-s)", flush=True)


def repeated_ratio(folder: Path, pages: int, runs: int, data: Path = OUT / "data-repeat") -> list[float]:
    """Alternate raw pypdf and a fresh `archive load --jobs 2` of the same corpus into `data`, `runs` times;
    each pair's ratio (by wall clock) is printed as it comes, then the median. Alternating spreads the
    machine's other load evenly over both sides."""
    ratios = []
    for run in range(1, runs + 1):
        raw_s, raw_pages, _ = raw_throughput(folder, 2)
        shutil.rmtree(data, ignore_errors=True)
        load = timed_load(data, [folder], jobs=2)
        ratios.append((pages / load["wall"]) / (raw_pages / raw_s))
        print(f"run {run}/{runs}: raw pypdf {raw_s:.2f} s, archive load {load['wall']:.2f} s "
              f"({load['cpu']:.1f} CPU-s): ratio {ratios[-1]:.2f}", flush=True)
    shutil.rmtree(data, ignore_errors=True)
    print(f"median ratio over {runs} runs: {statistics.median(ratios):.2f} "
          f"(range {min(ratios):.2f}-{max(ratios):.2f}; target >= 0.8)", flush=True)
    return ratios


def _pages_in(data: Path) -> int:
    with sqlite3.connect(data / "catalog.sqlite3") as db:
        return db.execute("SELECT COALESCE(SUM(pages), 0) FROM documents").fetchone()[0]


if __name__ == "__main__":
    main()
