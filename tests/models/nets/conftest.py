"""The network tests need PyTorch (the test extra installs it; under $CI a missing torch fails)."""

import os

import pytest

if os.environ.get("CI"):
    import torch  # noqa: F401  (CI installs the CPU build: a missing torch is a failure there)
else:
    pytest.importorskip("torch")
