"""A facet column's mask: documents whose value is any of those selected, never one without a value."""
from __future__ import annotations

import numpy as np

from indexer.search.columns import Column


def test_mask_of_selects_the_values_and_never_a_document_without_one():
    column = Column(np.array([0, 1, 2, -1, 1, -1, 0], dtype=np.int32), ("audit", "report", "contract"))
    assert column.mask_of(("report",)).tolist() == [False, True, False, False, True, False, False]
    assert column.mask_of(("audit", "contract")).tolist() == [True, False, True, False, False, False, True]
    assert column.mask_of(("contract", "unknown")).tolist() == [False, False, True, False, False, False, False]
    assert not column.mask_of(()).any()
    assert not column.mask_of(("unknown",)).any()  # the last value's slot is not where -1 reads
