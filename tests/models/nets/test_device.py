"""Device names resolved and checked before any work."""

import pytest
import torch

from albench.errors import AlbenchInputError
from albench.models.nets.device import resolve_device


def test_auto_is_the_cpu_without_a_gpu():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_one_names_the_field():
    with pytest.raises(AlbenchInputError, match=r"model.device = 'cuda': no CUDA device"):
        resolve_device("cuda")


def test_unknown_device_lists_the_allowed():
    with pytest.raises(AlbenchInputError, match="must be one of 'auto', 'cpu', 'cuda'"):
        resolve_device("tpu")
