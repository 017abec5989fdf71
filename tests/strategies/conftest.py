"""Strategy tests fit many tiny models: one BLAS thread each avoids oversubscribing shared cores."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _single_blas_thread():
    with threadpool_limits(limits=1):
        yield
