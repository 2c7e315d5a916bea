"""bench_load's `--repeat`: raw pypdf and `archive load` alternate, each pair gives a ratio, the median is quoted."""
from __future__ import annotations

import statistics
from pathlib import Path

from bench.bench_load import make_file, repeated_ratio


def test_repeat_prints_each_runs_ratio_and_their_median(tmp_path: Path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pages = sum(make_file((corpus / f"doc-{n}.pdf", n)) for n in range(2))
    ratios = repeated_ratio(corpus, pages, runs=2, data=tmp_path / "data")
    out = capsys.readouterr().out
    assert len(ratios) == 2 and all(r > 0 for r in ratios)
    assert "run 1/2:" in out and "run 2/2:" in out
    assert f"median ratio over 2 runs: {statistics.median(ratios):.2f}" in out
    assert not (tmp_path / "data").exists()  # the last run's archive is removed, as the corpus is kept
